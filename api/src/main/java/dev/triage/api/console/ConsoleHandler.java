package dev.triage.api.console;

import com.google.gson.JsonObject;
import dev.triage.api.auth.Principal;
import dev.triage.api.auth.Role;
import dev.triage.api.auth.TokenStore;
import dev.triage.api.cli.Json;
import dev.triage.api.service.Admission;
import dev.triage.api.service.Violations;
import dev.triage.engine.EngineContext;
import dev.triage.engine.Engine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.journal.AuditTrail;
import io.grpc.Status;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The supervisors' console on the metrics port: a static page ({@code /}, {@code /console.js}, {@code /console.css},
 * shipped in the jar, no other origin) and two reads, {@code /api/view} (one VIEW through the ring: queue, agents,
 * incidents, history, plus the latest decisions) and {@code /api/audit?conversation=ID} (the conversation's trail from
 * the journal, as {@code triage audit --json} prints it).
 * <p>
 * Cheap by construction: the page polls once a second and every console without a filter shares one view, made at
 * most once a second; filtered views ({@code agent=}, {@code skill=}) each pass the same admission control as unary
 * calls. With {@code --tokens} the reads need a supervisor or admin token in an {@code Authorization: Bearer} header
 * (the page keeps it in the tab's session storage, never in a URL or a cookie); without tokens only loopback callers
 * are served. Every answer carries a Content-Security-Policy that allows nothing but this origin's script and style.
 */
public final class ConsoleHandler
{
    /** Queue entries a view lists (each incident once, at its best queued member). */
    public static final int QUEUE_ROWS = 50;
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final long SHARED_VIEW_TTL_NS = TimeUnit.MILLISECONDS.toNanos(900);
    /** How long a read waits for the engine before answering 503 (a poll follows a second later anyway). */
    private static final long ENGINE_WAIT_S = 2;
    private static final Map<String, String> STATIC = Map.of(
        "/", "index.html",
        "/index.html", "index.html",
        "/console.js", "console.js",
        "/console.css", "console.css");

    private final Engine engine;
    private final TokenStore tokens;
    private final Admission admission;
    private final RecentDecisions decisions;
    private final EngineContext settings;
    private final Semaphore audits = new Semaphore(1);
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile byte[] sharedView;
    private volatile long sharedAtNs;

    /**
     * @param engine the engine to read.
     * @param tokens the server's tokens, or null when it runs without (then only loopback callers are served).
     * @param admission the unary calls' admission control, which filtered views pass too.
     * @param decisions the latest decisions.
     * @param settings the engine's settings (its journal directory for audits).
     */
    public ConsoleHandler(final Engine engine, final TokenStore tokens, final Admission admission,
        final RecentDecisions decisions, final EngineContext settings)
    {
        this.engine = engine;
        this.tokens = tokens;
        this.admission = admission;
        this.decisions = decisions;
        this.settings = settings;
    }

    /**
     * Answer one request of the console's; on the port's worker threads (a view may wait for the engine).
     *
     * @param exchange the request.
     * @throws IOException if a resource cannot be read.
     */
    public void handle(final HttpCall exchange) throws IOException
    {
        exchange.responseHeader("Content-Security-Policy", CSP);
        exchange.responseHeader("X-Content-Type-Options", "nosniff");
        exchange.responseHeader("Referrer-Policy", "no-referrer");
        exchange.responseHeader("Cache-Control", "no-store");
        if (!"GET".equals(exchange.method()))
        {
            exchange.responseHeader("Allow", "GET");
            error(exchange, 405, exchange.method() + " is not allowed: the console only reads (GET)");
            return;
        }
        final String path = exchange.path();
        final String resource = STATIC.get(path);
        if (resource != null)
        {
            resource(exchange, resource);
            return;
        }
        if (!"/api/view".equals(path) && !"/api/audit".equals(path))
        {
            error(exchange, 404, "no such page: " + path + " (the console is at /, metrics at /metrics)");
            return;
        }
        if (!authorized(exchange))
        {
            return;
        }
        final Map<String, String> query = query(exchange.rawQuery());
        if ("/api/view".equals(path))
        {
            view(exchange, query);
        }
        else
        {
            audit(exchange, query);
        }
    }

    private boolean authorized(final HttpCall exchange) throws IOException
    {
        if (tokens == null)
        {
            if (!exchange.remote().getAddress().isLoopbackAddress())
            {
                error(exchange, 403, "this server runs without --tokens: the console answers loopback callers only");
                return false;
            }
            return true;
        }
        final String header = exchange.header("Authorization");
        if (header == null || !header.startsWith("Bearer ") || header.length() == "Bearer ".length())
        {
            error(exchange, 401, "this server needs a token: enter a supervisor or admin token");
            return false;
        }
        final Principal principal = tokens.authenticate(header.substring("Bearer ".length()).trim());
        if (principal == null)
        {
            error(exchange, 401, "unknown token: check it with whoever runs the server (triage token add)");
            return false;
        }
        if (principal.role() != Role.SUPERVISOR && principal.role() != Role.ADMIN)
        {
            final String role = principal.role().name().toLowerCase(java.util.Locale.ROOT);
            error(exchange, 403, ("aeiou".indexOf(role.charAt(0)) >= 0 ? "an " : "a ") + role +
                " token may not open the console: it needs a supervisor or admin token");
            return false;
        }
        return true;
    }

    private void view(final HttpCall exchange, final Map<String, String> query) throws IOException
    {
        final String agent = query.get("agent");
        final String skill = query.get("skill");
        for (final String[] p : new String[][]{ { "agent", agent }, { "skill", skill } })
        {
            if (p[1] != null && !Violations.isId(p[1]))
            {
                error(exchange, 400, p[0] + " must be 1..128 characters of A-Z a-z 0-9 . _ : @ / -");
                return;
            }
        }
        if (agent != null && skill != null)
        {
            error(exchange, 400, "filter by agent or by skill, not both");
            return;
        }
        if (agent == null && skill == null)
        {
            shared(exchange);
            return;
        }
        final byte[] filtered = read(exchange, agent, skill);
        if (filtered != null)
        {
            json(exchange, 200, filtered);
        }
    }

    /**
     * The view every console without a filter shares. One caller refreshes it; the others never wait for that (the
     * HTTP server's few threads also serve /metrics): they get the previous view, or 503 when there is none yet.
     */
    private void shared(final HttpCall exchange) throws IOException
    {
        byte[] view = sharedView;
        if (view != null && System.nanoTime() - sharedAtNs <= SHARED_VIEW_TTL_NS)
        {
            json(exchange, 200, view);
            return;
        }
        if (!refreshing.tryLock())
        {
            if (view != null)
            {
                json(exchange, 200, view);
            }
            else
            {
                error(exchange, 503, "the first view is being made; try again in a moment");
            }
            return;
        }
        try
        {
            view = read(exchange, null, null);
            if (view != null)
            {
                sharedView = view;
                sharedAtNs = System.nanoTime();
                json(exchange, 200, view);
            }
        }
        finally
        {
            refreshing.unlock();
        }
    }

    /** One VIEW through the ring; null after answering the error. */
    private byte[] read(final HttpCall exchange, final String agent, final String skill) throws IOException
    {
        final Status refused = admission.enter(false);
        if (refused != null)
        {
            error(exchange, 503, refused.getDescription());
            return null;
        }
        final Reply r;
        try
        {
            r = engine.submit(Command.view(QUEUE_ROWS, agent, skill)).get(ENGINE_WAIT_S, TimeUnit.SECONDS);
        }
        catch (final Exception e)
        {
            if (e instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            error(exchange, 503, "the engine did not answer within " + ENGINE_WAIT_S + " s (" + e.getClass().getSimpleName() +
                "); the page asks again");
            return null;
        }
        finally
        {
            admission.leave();
        }
        if (r.result == ResultCode.AGENT_NOT_FOUND)
        {
            error(exchange, 404, "no agent '" + agent + "'");
            return null;
        }
        if (r.result != ResultCode.OK)
        {
            error(exchange, 503, "the engine answered " + r.result + (r.detail == null ? "" : ": " + r.detail));
            return null;
        }
        final JsonObject doc = ConsoleJson.of(r, decisions.newestFirst());
        doc.addProperty("agentFilter", agent);
        doc.addProperty("skillFilter", skill);
        return doc.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void audit(final HttpCall exchange, final Map<String, String> query) throws IOException
    {
        final String conversation = query.get("conversation");
        if (conversation == null || !Violations.isId(conversation))
        {
            error(exchange, 400, "conversation must be 1..128 characters of A-Z a-z 0-9 . _ : @ / -");
            return;
        }
        final Path journal = settings.journalDir();
        if (journal == null)
        {
            error(exchange, 404, "this server runs without a journal, so there is no audit trail");
            return;
        }
        if (!audits.tryAcquire())
        {
            error(exchange, 429, "another audit is running (each replays the journal); try again in a moment");
            return;
        }
        try
        {
            json(exchange, 200, Json.of(AuditTrail.ofConversation(journal, settings, conversation)).getBytes(StandardCharsets.UTF_8));
        }
        finally
        {
            audits.release();
        }
    }

    private void resource(final HttpCall exchange, final String name) throws IOException
    {
        try (InputStream in = ConsoleHandler.class.getResourceAsStream("/console/" + name))
        {
            if (in == null)
            {
                error(exchange, 500, "the console's " + name + " is missing from the jar");
                return;
            }
            final String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
            send(exchange, 200, type + "; charset=utf-8", in.readAllBytes());
        }
    }

    private static Map<String, String> query(final String raw)
    {
        final Map<String, String> params = new HashMap<>();
        if (raw != null)
        {
            for (final String pair : raw.split("&"))
            {
                final int eq = pair.indexOf('=');
                if (eq > 0 && eq < pair.length() - 1)
                {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void error(final HttpCall exchange, final int code, final String message) throws IOException
    {
        final JsonObject body = new JsonObject();
        body.addProperty("error", message);
        json(exchange, code, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void json(final HttpCall exchange, final int code, final byte[] body) throws IOException
    {
        send(exchange, code, "application/json", body);
    }

    private static void send(final HttpCall exchange, final int code, final String type, final byte[] body)
    {
        exchange.respond(code, type, body);
    }
}
