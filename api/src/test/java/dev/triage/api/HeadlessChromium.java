package dev.triage.api;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium driven over the DevTools protocol (a WebSocket, JSON messages): navigate, evaluate
 * script (awaiting its promise), capture a screenshot. Enough for the console's browser test; no WebDriver.
 */
final class HeadlessChromium implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final long TIMEOUT_S = 30;

    private final Process process;
    private final WebSocket page;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

    /**
     * @return the browser to run, or null when none is installed ({@code .ci/run} installs Debian's chromium).
     */
    static Path find()
    {
        for (final String candidate : new String[]{ System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (candidate != null && Files.isExecutable(Path.of(candidate)))
            {
                return Path.of(candidate);
            }
        }
        return null;
    }

    HeadlessChromium(final Path binary, final Path profile, final int width, final int height) throws Exception
    {
        process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0",
            "--remote-allow-origins=*", "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank")
            .redirectErrorStream(true)
            .start();
        final String browserUrl = devToolsUrl();
        final URI browser = URI.create(browserUrl);
        final HttpClient http = HttpClient.newHttpClient();
        final String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
            .timeout(Duration.ofSeconds(TIMEOUT_S)).build(), HttpResponse.BodyHandlers.ofString()).body();
        String pageUrl = null;
        for (final var target : JsonParser.parseString(list).getAsJsonArray())
        {
            if ("page".equals(target.getAsJsonObject().get("type").getAsString()))
            {
                pageUrl = target.getAsJsonObject().get("webSocketDebuggerUrl").getAsString();
            }
        }
        if (pageUrl == null)
        {
            throw new IllegalStateException("chromium has no page target: " + list);
        }
        page = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new Listener()).get(TIMEOUT_S, TimeUnit.SECONDS);
        call("Page.enable", new JsonObject());
        final JsonObject metrics = new JsonObject();
        metrics.addProperty("width", width);
        metrics.addProperty("height", height);
        metrics.addProperty("deviceScaleFactor", 1);
        metrics.addProperty("mobile", false);
        call("Emulation.setDeviceMetricsOverride", metrics);
    }

    /** Read chromium's output until it says where DevTools listens (then keep draining it so it never blocks). */
    private String devToolsUrl() throws Exception
    {
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<String> url = new CompletableFuture<>();
        final StringBuilder seen = new StringBuilder();
        final Thread drain = new Thread(() ->
        {
            try
            {
                for (String line; (line = out.readLine()) != null; )
                {
                    final Matcher m = LISTENING.matcher(line);
                    if (m.find())
                    {
                        url.complete(m.group(1));
                    }
                    else if (!url.isDone())
                    {
                        seen.append(line).append('\n');
                    }
                }
                url.completeExceptionally(new IllegalStateException("chromium exited before listening:\n" + seen));
            }
            catch (final IOException e)
            {
                url.completeExceptionally(e);
            }
        }, "chromium-output");
        drain.setDaemon(true);
        drain.start();
        return url.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    JsonObject call(final String method, final JsonObject params) throws Exception
    {
        final int id = ids.incrementAndGet();
        final CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        final JsonObject message = new JsonObject();
        message.addProperty("id", id);
        message.addProperty("method", method);
        message.add("params", params);
        synchronized (page)
        {
            page.sendText(message.toString(), true).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        final JsonObject reply = answer.get(TIMEOUT_S, TimeUnit.SECONDS);
        if (reply.has("error"))
        {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.getAsJsonObject("result");
    }

    void navigate(final String url) throws Exception
    {
        final JsonObject params = new JsonObject();
        params.addProperty("url", url);
        call("Page.navigate", params);
    }

    /** Run {@code script} in every document before its own scripts (e.g. to collect CSP violations). */
    void beforeEachDocument(final String script) throws Exception
    {
        final JsonObject params = new JsonObject();
        params.addProperty("source", script);
        call("Page.addScriptToEvaluateOnNewDocument", params);
    }

    /**
     * @param expression a script expression; a promise is awaited.
     * @return its value as a string (objects as JSON via {@code JSON.stringify} in the expression).
     */
    String evaluate(final String expression) throws Exception
    {
        final JsonObject params = new JsonObject();
        params.addProperty("expression", expression);
        params.addProperty("awaitPromise", true);
        params.addProperty("returnByValue", true);
        final JsonObject result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails"))
        {
            throw new AssertionError("script failed: " + result.getAsJsonObject("exceptionDetails"));
        }
        final JsonObject value = result.getAsJsonObject("result");
        return value.has("value") ? value.get("value").getAsString() : null;
    }

    /**
     * Wait (in the page, polling every 50 ms, at most {@code timeoutMs}) until {@code condition} is truthy, then return
     * {@code value}; fails with {@code what} on timeout.
     */
    String awaitInPage(final String condition, final String value, final long timeoutMs, final String what) throws Exception
    {
        return evaluate("new Promise((resolve, reject) => { const t0 = Date.now(); (function check() {" +
            " try { if (" + condition + ") { resolve(String(" + value + ")); return; } } catch (e) { }" +
            " if (Date.now() - t0 > " + timeoutMs + ") reject(new Error('timed out waiting for: ' + " +
            new com.google.gson.JsonPrimitive(what) + "));" +
            " else setTimeout(check, 50); })(); })");
    }

    void screenshot(final Path file) throws Exception
    {
        final JsonObject params = new JsonObject();
        params.addProperty("format", "png");
        params.addProperty("captureBeyondViewport", true);
        final String data = call("Page.captureScreenshot", params).get("data").getAsString();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            page.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
        catch (final Exception ignored)
        {
            // The browser goes anyway.
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private final class Listener implements WebSocket.Listener
    {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(final WebSocket socket, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                final JsonObject message = JsonParser.parseString(partial.toString()).getAsJsonObject();
                partial.setLength(0);
                if (message.has("id"))
                {
                    final CompletableFuture<JsonObject> answer = pending.remove(message.get("id").getAsInt());
                    if (answer != null)
                    {
                        answer.complete(message);
                    }
                }
            }
            socket.request(1);
            return null;
        }
    }
}
