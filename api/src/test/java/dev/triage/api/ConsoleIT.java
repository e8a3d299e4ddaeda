package dev.triage.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.triage.api.auth.TokenStore;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's HTTP side over a real server: the view document, filters, the audit trail, the security headers,
 * and every refusal with a message that names the problem. (The page itself is checked in a browser by
 * {@link ConsoleBrowserIT}.)
 */
class ConsoleIT
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static void outage(final TriageGrpc.TriageBlockingStub stub)
    {
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").addSkills("billing").setCapacity(3).build());
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(2).build());
        stub.open(OpenRequest.newBuilder().setId("c1").setUrgency(Urgency.HIGH).setImpact(3).addSkills("billing").build());
        stub.open(OpenRequest.newBuilder().setId("o1").setUrgency(Urgency.URGENT).setImpact(400).setIncident("login-outage").build());
        stub.open(OpenRequest.newBuilder().setId("o2").setUrgency(Urgency.NORMAL).setImpact(100).setIncident("login-outage").build());
        stub.open(OpenRequest.newBuilder().setId("o3").setUrgency(Urgency.NORMAL).setImpact(50).setIncident("login-outage").build());
        stub.open(OpenRequest.newBuilder().setId("n1").setUrgency(Urgency.LOW).setImpact(1).build());
        // ann takes o1 (URGENT, reach 550): the rest stay queued, o2 first (the outage's reach lifts it).
        assertEquals("o1", stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).getConversationId());
    }

    static HttpResponse<String> get(final int port, final String path, final String token) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
        if (token != null)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeOneConsistentViewOfQueueAgentsIncidentsAndDecisions() throws Exception
    {
        try (ServerFixture f = new ServerFixture(new EngineContext().journalDir(dir.resolve("journal")), null))
        {
            outage(f.stub());
            final int port = f.server.metricsPort();
            final HttpResponse<String> response = get(port, "/api/view", null);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            final JsonObject view = JsonParser.parseString(response.body()).getAsJsonObject();
            final JsonArray queue = view.getAsJsonArray("queue");
            assertEquals("o2", queue.get(0).getAsJsonObject().get("id").getAsString(), response.body());
            final JsonObject top = queue.get(0).getAsJsonObject();
            assertEquals("login-outage", top.get("incident").getAsString());
            assertEquals(550, top.get("incidentReach").getAsLong());
            final JsonObject parts = top.getAsJsonObject("parts");
            assertEquals(top.get("score").getAsDouble(), parts.get("urgency").getAsDouble() + parts.get("impact").getAsDouble() +
                parts.get("age").getAsDouble() + parts.get("sla").getAsDouble(), 0.21, "the parts add up to the score (to tenths)");
            assertEquals(4, view.getAsJsonObject("stats").get("open").getAsLong());
            final JsonObject incident = view.getAsJsonObject("incidents").getAsJsonArray("rows").get(0).getAsJsonObject();
            assertEquals("login-outage", incident.get("key").getAsString());
            assertEquals(550, incident.get("reach").getAsLong());
            assertEquals(3, incident.get("members").getAsInt());
            assertEquals(2, incident.get("open").getAsInt());
            assertEquals(1, incident.get("assigned").getAsInt());
            assertEquals(0, incident.get("pending").getAsInt());
            // Two lead slots: o1 (ann works it) and o2; o3 waits on its own impact, opened after o2.
            assertEquals("[\"o1\",\"o2\"]", incident.getAsJsonArray("leads").toString());
            assertEquals("o2", incident.get("oldestWaitingId").getAsString());
            assertTrue(top.get("lead").getAsBoolean());
            assertEquals(0.0, parts.get("bound").getAsDouble());
            final JsonObject stats = view.getAsJsonObject("stats");
            assertEquals("{\"low\":\"n1\",\"normal\":\"o2\",\"high\":\"c1\",\"urgent\":null,\"critical\":null}", stats.getAsJsonObject("oldestIdByUrgency").toString(),
                "the longest-waiting conversation of each urgency, where one waits");
            assertEquals(300_000, stats.getAsJsonObject("maxWaitMs").get("critical").getAsLong());
            final JsonObject ann = view.getAsJsonObject("agents").getAsJsonArray("rows").get(0).getAsJsonObject();
            assertEquals("ann", ann.get("id").getAsString());
            assertEquals(1, ann.get("held").getAsInt());
            assertEquals(3, ann.get("capacity").getAsInt());
            assertEquals("o1", ann.getAsJsonArray("holding").get(0).getAsJsonObject().get("conversation").getAsString());
            final JsonObject decision = view.getAsJsonArray("decisions").get(0).getAsJsonObject();
            assertEquals("o1", decision.get("conversation").getAsString());
            assertEquals("NEXT_BEST", decision.get("cause").getAsString());
            assertEquals("o2", decision.get("runnerUp").getAsString());
            assertTrue(view.getAsJsonObject("history").getAsJsonArray("points").size() >= 1);

            assertEquals("c1", ids(get(port, "/api/view?skill=billing", null)), "only what needs billing");
            assertEquals("o2,n1", ids(get(port, "/api/view?agent=bob", null)), "bob lacks billing; the outage once");

            final HttpResponse<String> trail = get(port, "/api/audit?conversation=o1", null);
            assertEquals(200, trail.statusCode(), trail.body());
            final String kinds = String.join(",", JsonParser.parseString(trail.body()).getAsJsonArray().asList().stream()
                .map(e -> e.getAsJsonObject().get("kind").getAsString()).toList());
            assertEquals("OPEN,ASSIGNED", kinds, trail.body());
        }
    }

    @Test
    void shouldAnswerEveryMistakeWithAMessageAndKeepTheSecurityHeaders() throws Exception
    {
        try (ServerFixture f = new ServerFixture())
        {
            outage(f.stub());
            final int port = f.server.metricsPort();
            final HttpResponse<String> page = get(port, "/", null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script src=\"console.js\"></script>"), "no inline script");
            assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                page.headers().firstValue("Content-Security-Policy").orElse(""));
            assertEquals(200, get(port, "/console.js", null).statusCode());
            assertEquals(200, get(port, "/metrics", null).statusCode(), "Prometheus still scrapes /metrics");
            assertError(get(port, "/api/view?agent=nobody", null), 404, "no agent 'nobody'");
            assertError(get(port, "/api/view?agent=bad%20id", null), 400, "agent must be 1..128 characters");
            assertError(get(port, "/api/view?agent=ann&skill=billing", null), 400, "not both");
            assertError(get(port, "/api/audit", null), 400, "conversation must be");
            assertError(get(port, "/api/audit?conversation=o1", null), 404, "without a journal");
            assertError(get(port, "/nothing-here", null), 404, "no such page: /nothing-here");
            final HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/view"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertError(post, 405, "the console only reads");
            assertTrue(post.headers().firstValue("Content-Security-Policy").isPresent(), "errors carry the headers too");
        }
    }

    @Test
    void shouldNeedASupervisorOrAdminTokenWhenTheServerHasTokens() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, String.join("\n",
            TokenStore.hashLine("super-secret") + " supervisor",
            TokenStore.hashLine("admin-secret") + " admin",
            TokenStore.hashLine("ann-secret") + " agent ann", ""));
        try (ServerFixture f = new ServerFixture(new EngineContext(), tokens))
        {
            outage(f.stub("admin-secret"));
            final int port = f.server.metricsPort();
            assertEquals(200, get(port, "/", null).statusCode(), "the page itself holds no data");
            assertError(get(port, "/api/view", null), 401, "needs a token");
            assertError(get(port, "/api/view", "wrong"), 401, "unknown token");
            assertError(get(port, "/api/view", "ann-secret"), 403, "an agent token may not open the console");
            assertEquals(200, get(port, "/api/view", "super-secret").statusCode());
            assertEquals(200, get(port, "/api/view?agent=ann", "admin-secret").statusCode());
        }
    }

    @Test
    void shouldKeepTheHttpPortAnsweringWhileTheEngineIsStalled() throws Exception
    {
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        try (ServerFixture f = new ServerFixture(new dev.triage.api.server.ServerContext()
            .engineContext(new EngineContext().tickIntervalMs(0).journalHandler((event, sequence, endOfBatch) -> gate.await()))))
        {
            final int port = f.server.metricsPort();
            // More consoles than the HTTP server has threads (10) ask while the engine cannot answer.
            final java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> views = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++)
            {
                views.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/view"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            // One of them is making the view, waiting on the engine.
            final long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            int waiting = 0;
            while (waiting == 0 && System.nanoTime() < until)
            {
                Thread.onSpinWait();
                waiting = f.server.admission().waiting();
            }
            assertEquals(1, waiting, "one console read waits on the engine, the others do not");
            // The port still answers at once: no console holds one of its threads waiting for another's view.
            // (Bounded well under the engine wait that held every HTTP thread before: 10 threads each in turn.)
            final HttpResponse<String> healthy = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/healthy"))
                .timeout(Duration.ofSeconds(4)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, healthy.statusCode());
            final HttpResponse<String> another = get(port, "/api/view", null);
            assertEquals(503, another.statusCode(), another.body());
            // Every answer is at once: the view in progress, or, while the other consoles' answers are still leaving, the
            // port's own "busy" (its workers are few and never wait for one another's views).
            assertTrue(another.body().contains("the first view is being made") || another.body().contains("did not answer") ||
                another.body().contains("workers of this port are busy"), another.body());
            gate.countDown();
            for (final var view : views)
            {
                final HttpResponse<String> answer = view.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(answer.statusCode() == 200 || answer.statusCode() == 503, answer.statusCode() + " " + answer.body());
            }
        }
    }

    /**
     * 100 sockets that trickle their request headers and never finish them (slowloris): before, ten of them held every
     * thread of the JDK's HTTP server and /metrics, /-/healthy and the console stopped answering while they were held.
     * Now the port answers at once beside them, and closes them when their request deadline passes.
     */
    @Test
    void shouldAnswerBesideTricklingSocketsAndCloseThem() throws Exception
    {
        try (ServerFixture f = new ServerFixture())
        {
            final int port = f.server.metricsPort();
            final java.util.List<java.net.Socket> trickling = new java.util.ArrayList<>();
            try
            {
                for (int i = 0; i < 100; i++)
                {
                    final java.net.Socket s = new java.net.Socket("127.0.0.1", port);
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    trickling.add(s);
                }
                for (final String path : java.util.List.of("/metrics", "/-/healthy", "/", "/api/view"))
                {
                    final HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, answer.statusCode(), path + ": " + answer.body());
                }
                for (final java.net.Socket s : trickling)
                {
                    s.setSoTimeout(30_000);
                    assertEquals(-1, s.getInputStream().read(), "a request that never completes is closed at its deadline");
                }
            }
            finally
            {
                for (final java.net.Socket s : trickling)
                {
                    s.close();
                }
            }
        }
    }

    /**
     * DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 sends Host: evil.example. Without
     * tokens "loopback only" was judged by the peer address, so the queue was read; now the Host must be this server's.
     */
    @Test
    void shouldRefuseARequestForAnotherHostWithoutTokens() throws Exception
    {
        try (ServerFixture f = new ServerFixture())
        {
            outage(f.stub());
            final int port = f.server.metricsPort();
            final String refused = raw(port, "/api/view", "evil.example:" + port);
            assertTrue(refused.startsWith("HTTP/1.1 403"), refused);
            assertTrue(refused.contains("Host 'evil.example:" + port + "' is not this server's address"), refused);
            assertTrue(!refused.contains("queue"), refused);
            assertTrue(raw(port, "/metrics", "evil.example").startsWith("HTTP/1.1 403"), "metrics too");
            assertTrue(raw(port, "/api/view", "127.0.0.1:" + port).startsWith("HTTP/1.1 200"));
            assertTrue(raw(port, "/api/view", "localhost:" + port).startsWith("HTTP/1.1 200"));
        }
    }

    /** One request on a socket of its own, with the Host given (Java's HTTP client will not send another Host). */
    private static String raw(final int port, final String path, final String host) throws Exception
    {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port))
        {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertError(final HttpResponse<String> response, final int status, final String text)
    {
        assertEquals(status, response.statusCode(), response.body());
        final String error = JsonParser.parseString(response.body()).getAsJsonObject().get("error").getAsString();
        assertTrue(error.contains(text), error);
    }

    private static String ids(final HttpResponse<String> response)
    {
        assertEquals(200, response.statusCode(), response.body());
        final StringBuilder sb = new StringBuilder();
        for (final JsonElement e : JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("queue"))
        {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getAsJsonObject().get("id").getAsString());
        }
        return sb.toString();
    }
}
