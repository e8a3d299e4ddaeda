package dev.triage.api;

import dev.triage.engine.fixture.RecordedScenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code triage whatif} from the command line: the golden report of a small fixed journal, the policy file that
 * {@code policy get --json} prints, the HTML report, and each bad input with exit 2 and a message naming it.
 */
class WhatIfCliIT
{
    /** Regenerate the golden file: -Dtriage.whatif.golden=write. */
    private static final Path GOLDEN = Path.of("src/test/resources/whatif/golden.json");

    @TempDir
    Path dir;

    private Path smallDay()
    {
        final Path journal = dir.resolve("journal");
        RecordedScenario.write(journal, new RecordedScenario.Settings(42, 200, 5, 0, 3, 60_000, false, null));
        return journal;
    }

    @Test
    void shouldPrintTheGoldenReportOfASmallFixedJournal() throws Exception
    {
        final Path journal = smallDay();
        final CliRun run = execute("whatif", "--journal", journal.toString(), "--set", "high_points=2000",
            "--set", "age_points_per_minute=4", "--json", "--out", dir.resolve("report").toString());
        assertEquals(0, run.exit(), run.err());
        if ("write".equals(System.getProperty("triage.whatif.golden")))
        {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, run.out(), StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), run.out(),
            "the same journal and policy give the same bytes (regenerate with -Dtriage.whatif.golden=write after a deliberate change)");
        assertEquals(run.out().strip(), Files.readString(dir.resolve("report/whatif.json")).strip());
        final String html = Files.readString(dir.resolve("report/whatif.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("Queue depth over time"), "charts inlined");
        final CliRun again = execute("whatif", "--journal", journal.toString(), "--set", "high_points=2000",
            "--set", "age_points_per_minute=4", "--json");
        assertEquals(run.out(), again.out(), "deterministic");
    }

    /** incident_lead_slots is the policy's one 32-bit field: --set once refused it ("argument type mismatch"). */
    @Test
    void shouldSetEveryKindOfPolicyField() throws Exception
    {
        final Path journal = smallDay();
        final CliRun run = execute("whatif", "--journal", journal.toString(), "--set", "incident_lead_slots=0",
            "--set", "critical_max_wait_ms=0", "--set", "newest_first_max_urgency=off", "--json");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("\"incident_lead_slots\": 0"), run.out());
    }

    @Test
    void shouldTakeWhatPolicyGetJsonPrintsAsAPolicyFile() throws Exception
    {
        final Path journal = smallDay();
        try (ServerFixture f = new ServerFixture())
        {
            final CliRun get = execute("policy", "get", "--json", "--server", "127.0.0.1:" + f.server.port());
            assertEquals(0, get.exit(), get.err());
            assertTrue(get.out().contains("\"age_points_per_minute\": \"2\""), get.out());
            final Path file = dir.resolve("policy.json");
            Files.writeString(file, get.out().replace("\"high_points\": \"300\"", "\"high_points\": \"5000\""));
            final CliRun run = execute("whatif", "--journal", journal.toString(), "--policy", file.toString());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("candidate: high_points 300 -> 5000"), run.out());
            assertTrue(run.out().contains("model error (baseline vs recorded)"), run.out());
        }
    }

    @Test
    void shouldReadARunningServersJournalWithoutDisturbingIt() throws Exception
    {
        final Path live = dir.resolve("live");
        try (ServerFixture f = new ServerFixture(new dev.triage.engine.EngineContext().journalDir(live), null))
        {
            ConsoleIT.outage(f.stub());
            final CliRun run = execute("whatif", "--journal", live.toString(), "--set", "urgent_points=0", "--json");
            assertEquals(0, run.exit(), run.err());
            final com.google.gson.JsonObject report = com.google.gson.JsonParser.parseString(run.out()).getAsJsonObject();
            assertEquals(5, report.getAsJsonObject("recorded").getAsJsonObject("waitBeforeFirstAssignment")
                .getAsJsonObject("all").get("conversations").getAsLong(), "the five conversations the server took");
            assertEquals(1, report.getAsJsonObject("recorded").getAsJsonObject("fairness").getAsJsonObject("assignmentsPerAgent")
                .get("ann").getAsLong(), "ann's claim of o1");
            f.stub().open(TriageServiceIT.open("after-whatif", dev.triage.proto.v1.Urgency.LOW, 1, ""));
            assertEquals(5, f.stub().stats(dev.triage.proto.v1.StatsRequest.getDefaultInstance()).getOpen(),
                "the server goes on: o2, o3, c1, n1 and the new one are open");
        }
    }

    @Test
    void shouldRefuseBadInputNamingTheProblem() throws Exception
    {
        final Path journal = smallDay();
        final Path unknownField = dir.resolve("unknown.json");
        Files.writeString(unknownField, "{\"hgih_points\": 5}");
        final Path outOfRange = dir.resolve("range.json");
        Files.writeString(outOfRange, "{\"age_points_per_minute\": -3}");
        assertRefused("hgih_points", "whatif", "--journal", journal.toString(), "--policy", unknownField.toString());
        assertRefused("agePointsPerMinute must be in 0..", "whatif", "--journal", journal.toString(), "--policy", outOfRange.toString());
        assertRefused("no policy field 'agepoints'", "whatif", "--journal", journal.toString(), "--set", "agepoints=3");
        assertRefused("'fast' is not a value for lease_ms", "whatif", "--journal", journal.toString(), "--set", "lease_ms=fast");
        assertRefused("must be before --to", "whatif", "--journal", journal.toString(), "--set", "lease_ms=1000",
            "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z");
        assertRefused("name a candidate policy", "whatif", "--journal", journal.toString());
        assertRefused("no journal at", "whatif", "--journal", dir.resolve("nothing").toString(), "--set", "lease_ms=1000");
        assertRefused("has no command before 2000-01-01T00:00:00Z", "whatif", "--journal", journal.toString(), "--set", "lease_ms=1000",
            "--to", "2000-01-01T00:00:00Z");
        java.nio.file.Files.createDirectories(dir.resolve("empty"));
        assertRefused("holds no command (nothing to simulate)", "whatif", "--journal", dir.resolve("empty").toString(),
            "--set", "lease_ms=1000");
        Files.writeString(journal.resolve("engine.properties"), "retainResolved=banana\n");
        assertRefused("engine.properties", "whatif", "--journal", journal.toString(), "--set", "lease_ms=1000");
    }

    private static void assertRefused(final String text, final String... args)
    {
        final CliRun run = execute(args);
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(text), run.err());
    }

    private static CliRun execute(final String... args)
    {
        return CliRun.execute(args);
    }
}
