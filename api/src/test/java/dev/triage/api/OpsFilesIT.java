package dev.triage.api;

import dev.triage.api.server.ServerContext;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules and the dashboard in {@code ops/} cannot drift from the code: every Triage metric they query is
 * in a live server's {@code /metrics}, and the rules pass their own promtool unit tests.
 */
@Timeout(120)
class OpsFilesIT
{
    private static final Path OPS = Path.of("..", "ops");
    private static final Pattern METRIC = Pattern.compile("\\btriage_[a-z0-9_]+");

    @TempDir
    Path journal;

    @Test
    void shouldQueryOnlyMetricsALiveServerExports() throws Exception
    {
        final Set<String> queried = new TreeSet<>();
        queried.addAll(metricsIn(OPS.resolve("prometheus/alerts.yml")));
        queried.addAll(metricsIn(OPS.resolve("grafana/triage.json")));
        assertTrue(queried.size() > 10, "the files query Triage's metrics: " + queried);
        try (ServerFixture fixture = new ServerFixture(new ServerContext().engineContext(new EngineContext().journalDir(journal))))
        {
            // One of each kind of call, so the per-method series and the assignment histogram have samples.
            fixture.stub().upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
            fixture.stub().open(OpenRequest.newBuilder().setId("c1").setUrgency(Urgency.HIGH).setImpact(1).build());
            fixture.stub().nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
            fixture.stub().stats(StatsRequest.getDefaultInstance());
            final String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + fixture.server.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            final List<String> missing = new ArrayList<>();
            for (final String name : queried)
            {
                if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(exposition).find())
                {
                    missing.add(name);
                }
            }
            assertEquals(List.of(), missing, "queried by ops/ but not exported by the server");
        }
    }

    @Test
    void shouldPassTheRulesOwnUnitTests() throws Exception
    {
        dev.triage.engine.fixture.Needs.tool(onPath("promtool"),
            "promtool is not installed (Debian's prometheus package; .ci/run installs it): the rule tests did not run");
        final Path rules = OPS.resolve("prometheus");
        assertEquals("", run(rules, "promtool", "check", "rules", "alerts.yml"));
        assertEquals("", run(rules, "promtool", "test", "rules", "alerts-test.yml"));
    }

    /**
     * End to end: a real Prometheus scrapes a real Triage server every 100 ms with the shipped rules (their "for"
     * waits set to 0 s, so the test does not wait minutes); a conversation opened past its SLA makes
     * TriageSlaBreachesRising fire, seen through Prometheus' HTTP API.
     */
    @Test
    void shouldFireTheSlaAlertInARealPrometheus(@TempDir final Path work) throws Exception
    {
        dev.triage.engine.fixture.Needs.tool(onPath("prometheus"),
            "prometheus is not installed (Debian's prometheus package; .ci/run installs it): the end-to-end alert test did not run");
        try (ServerFixture fixture = new ServerFixture(new ServerContext().engineContext(new EngineContext().journalDir(journal))))
        {
            Files.writeString(work.resolve("alerts.yml"),
                Files.readString(OPS.resolve("prometheus/alerts.yml")).replaceAll("(?m)^(\\s+)for: .*$", "$1for: 0s"));
            Files.writeString(work.resolve("prometheus.yml"), String.join("\n",
                "global: { scrape_interval: 100ms, evaluation_interval: 100ms }",
                "rule_files: [alerts.yml]",
                "scrape_configs:",
                "  - job_name: triage",
                "    static_configs: [{ targets: ['127.0.0.1:" + fixture.server.metricsPort() + "'] }]", ""));
            final int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0))
            {
                port = free.getLocalPort();
            }
            final Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
            try
            {
                final String api = "http://127.0.0.1:" + port + "/api/v1/";
                // A healthy sample first (no breach), so the breach is a rise.
                awaitBody(api + "query?query=triage_sla_breached_conversations", "\"value\":[", work);
                final long now = System.currentTimeMillis();
                fixture.stub().open(OpenRequest.newBuilder().setId("late").setUrgency(Urgency.HIGH).setImpact(1)
                    .setRespondByMs(now - 60_000).setWaitingSinceMs(now - 120_000).build());
                final String alerts = awaitBody(api + "alerts", "\"alertname\":\"TriageSlaBreachesRising\"", work);
                assertTrue(alerts.contains("\"state\":\"firing\""), alerts);
            }
            finally
            {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Poll a URL until its body contains {@code wanted} (bounded), and return the body. */
    private static String awaitBody(final String url, final String wanted, final Path work) throws Exception
    {
        final HttpClient http = HttpClient.newHttpClient();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String body = "";
        while (System.nanoTime() < deadline)
        {
            try
            {
                body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains(wanted))
                {
                    return body;
                }
            }
            catch (final IOException notYetListening)
            {
                body = notYetListening.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + wanted + " at " + url + " within 60 s; last: " + body + "\nprometheus log:\n" +
            Files.readString(work.resolve("prometheus.log")));
    }

    private static Set<String> metricsIn(final Path file) throws IOException
    {
        final Set<String> names = new TreeSet<>();
        final Matcher m = METRIC.matcher(Files.readString(file));
        while (m.find())
        {
            names.add(m.group());
        }
        return names;
    }

    private static boolean onPath(final String command)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        {
            if (Files.isExecutable(Path.of(dir, command)))
            {
                return true;
            }
        }
        return false;
    }

    /** @return "" on success, else the command's output. */
    private static String run(final Path dir, final String... command) throws Exception
    {
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        return p.exitValue() == 0 ? "" : String.join(" ", command) + " failed:\n" + output;
    }
}
