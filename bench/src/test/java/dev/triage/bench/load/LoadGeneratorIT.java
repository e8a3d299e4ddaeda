package dev.triage.bench.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator against a real server on loopback (netty, journal on disk): a short spike run sends every
 * scheduled conversation, agents claim them, and the report holds the figures and the charts.
 */
@Timeout(120)
class LoadGeneratorIT
{
    @TempDir
    Path dir;

    @Test
    void shouldDriveARealServerThroughASpikeAndReportIt() throws Exception
    {
        final Schedule schedule = Schedule.poisson("x", 7, 4, 150, 3, 300, 1, 1);
        try (TriageServer server = TriageServer.start(new ServerContext().port(0).metricsPort(-1)
            .engineContext(new EngineContext().journalDir(dir.resolve("journal")).tickIntervalMs(100))))
        {
            final int exit = new CommandLine(new LoadCommand()).execute("--triage", "127.0.0.1:" + server.port(),
                "--profile", "spike", "--rate", "150", "--seconds", "3", "--spike-count", "300", "--spike-at", "1",
                "--spike-seconds", "1", "--agents", "4", "--handle-ms", "2", "--seed", "7", "--quiet",
                "--out", dir.resolve("report").toString());
            assertEquals(0, exit);
        }
        final JsonObject run = JsonParser.parseString(Files.readString(dir.resolve("report/report.json")))
            .getAsJsonObject().getAsJsonArray("runs").get(0).getAsJsonObject();
        assertEquals("spike", run.get("profile").getAsString());
        assertEquals(schedule.conversations.size(), run.getAsJsonObject("rpc").getAsJsonObject("Open").get("count").getAsLong(),
            "every scheduled conversation was opened, once");
        assertEquals(0, run.getAsJsonObject("errors").size(), run.getAsJsonObject("errors").toString());
        long assigned = 0;
        for (final String urgency : LoadRun.URGENCY)
        {
            assigned += run.getAsJsonObject("timeToAssignment").getAsJsonObject(urgency).get("count").getAsLong();
        }
        assertTrue(assigned > 0, "agents were given work");
        assertTrue(assigned <= schedule.conversations.size() * 2L, "no runaway claims: " + assigned);
        final JsonArray timeline = run.getAsJsonArray("timeline");
        assertTrue(timeline.size() >= 3, "a sample per second");
        assertEquals(1.0, run.getAsJsonArray("spikeWindow").get(0).getAsDouble());
        final String html = Files.readString(dir.resolve("report/report.html"));
        assertTrue(html.contains("data:image/png;base64,"), "charts are inlined");
        assertTrue(html.contains("spike"), "the spike is marked");
    }

    @Test
    void shouldGiveTheSameWorkloadForTheSameSeed()
    {
        final Schedule a = Schedule.poisson("a", 11, 8, 500, 2, 100, 1, 0.5);
        final Schedule b = Schedule.poisson("a", 11, 8, 500, 2, 100, 1, 0.5);
        assertEquals(a.conversations, b.conversations);
        assertEquals(a.agents, b.agents);
        assertTrue(a.conversations.stream().filter(c -> !c.incident().isEmpty()).count() == 100, "the spike is in the schedule");
    }
}
