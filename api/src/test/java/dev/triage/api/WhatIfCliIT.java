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
            assertTrue(run.out().contains("baseline vs recording: 100.0% of "), run.out());
            assertTrue(run.out().contains("overrides 1 field (high_points 300 -> 5000) of the recorded policy"), run.out());
        }
    }

    /**
     * A journal a real server wrote on an injected clock: ann asks again at once after her first three ends and ten
     * seconds after the fourth; bob takes x5, opened in between, four seconds after it came. Followed on the trace the
     * baseline is the recording; the model of agents alone (ann back after her mean turnaround) gives x5 to ann, and
     * the report says loudly that such a baseline is not the recording. A policy set midway stays in both runs: a
     * candidate that sets a field to the value it had all along is "no change" and changes nothing (the candidate
     * once dropped the recorded change), and the start's whole policy as a file says it pins the field changed midway.
     */
    @Test
    void shouldSayHowFarTheBaselineIsFromTheRecordingAndWarnWhenItIsFar() throws Exception
    {
        final Path live = dir.resolve("scripted");
        final java.util.concurrent.atomic.AtomicLong nowMs = new java.util.concurrent.atomic.AtomicLong(1_790_000_000_000L);
        final Path startPolicy = dir.resolve("start-policy.json");
        try (ServerFixture f = new ServerFixture(new dev.triage.engine.EngineContext().journalDir(live).clock(nowMs::get), null))
        {
            final dev.triage.proto.v1.TriageGrpc.TriageBlockingStub stub = f.stub();
            final CliRun get = execute("policy", "get", "--json", "--server", "127.0.0.1:" + f.server.port());
            assertEquals(0, get.exit(), get.err());
            Files.writeString(startPolicy, get.out());
            for (final String agent : new String[] { "ann", "bob" })
            {
                stub.upsertAgent(dev.triage.proto.v1.UpsertAgentRequest.newBuilder().setAgentId(agent).setCapacity(1).build());
            }
            for (int i = 1; i <= 4; i++)
            {
                stub.open(TriageServiceIT.open("x" + i, dev.triage.proto.v1.Urgency.HIGH, 1, ""));
            }
            for (int i = 1; i <= 4; i++)
            {
                assertEquals("x" + i, stub.nextBest(dev.triage.proto.v1.NextBestRequest.newBuilder().setAgentId("ann").build())
                    .getConversationId());
                nowMs.addAndGet(1_000);
                if (i == 2)
                {
                    final dev.triage.proto.v1.Policy p = stub.getPolicy(dev.triage.proto.v1.GetPolicyRequest.getDefaultInstance()).getPolicy();
                    stub.setPolicy(dev.triage.proto.v1.SetPolicyRequest.newBuilder().setPolicy(p.toBuilder().setLowPoints(p.getLowPoints() + 1)).build());
                }
                stub.resolve(dev.triage.proto.v1.ConversationRef.newBuilder().setId("x" + i).build());
            }
            nowMs.addAndGet(1_000);
            stub.open(TriageServiceIT.open("x5", dev.triage.proto.v1.Urgency.HIGH, 1, ""));
            nowMs.addAndGet(4_000);
            assertEquals("x5", stub.nextBest(dev.triage.proto.v1.NextBestRequest.newBuilder().setAgentId("bob").build()).getConversationId());
            nowMs.addAndGet(1_000);
            stub.resolve(dev.triage.proto.v1.ConversationRef.newBuilder().setId("x5").build());
            nowMs.addAndGet(4_000);
            assertEquals("", stub.nextBest(dev.triage.proto.v1.NextBestRequest.newBuilder().setAgentId("ann").build()).getConversationId());
        }
        final CliRun pinned = execute("whatif", "--journal", live.toString(), "--policy", startPolicy.toString());
        assertEquals(0, pinned.exit(), pinned.err());
        assertTrue(pinned.out().contains("candidate: overrides 1 field (low_points 1 -> 0) of each of the 2 recorded policies"),
            pinned.out());
        final CliRun traced = execute("whatif", "--journal", live.toString(), "--set", "high_points=300", "--json");
        assertEquals(0, traced.exit(), traced.err());
        final com.google.gson.JsonObject report = com.google.gson.JsonParser.parseString(traced.out()).getAsJsonObject();
        final com.google.gson.JsonObject agreement = report.getAsJsonObject("baselineAgreement");
        assertEquals(5, agreement.get("recordedAssignments").getAsLong(), traced.out());
        assertEquals(5, agreement.get("identicalAssignments").getAsLong(), traced.out());
        assertTrue(agreement.get("warning").isJsonNull(), traced.out());
        assertEquals("the recorded policy (no change)", report.get("candidateLabel").getAsString());
        assertEquals(2, report.get("recordedPoliciesInWindow").getAsInt(), "the start's policy and the one set midway");
        assertEquals(report.get("baseline").toString(), report.get("candidate").toString(), "no change changes nothing");

        final CliRun model = execute("whatif", "--journal", live.toString(), "--set", "high_points=300", "--agents-off-trace");
        assertEquals(0, model.exit(), model.err());
        assertTrue(model.out().contains("baseline vs recording: 80.0% of 5 assignments identical"), model.out());
        assertTrue(model.out().contains("WARNING: the baseline is NOT the recording: 80.0% of its assignments identical"), model.out());
        final CliRun html = execute("whatif", "--journal", live.toString(), "--set", "high_points=300", "--agents-off-trace",
            "--out", dir.resolve("warned").toString());
        assertEquals(0, html.exit(), html.err());
        assertTrue(Files.readString(dir.resolve("warned/whatif.html")).contains("<p class=\"warning\">WARNING: the baseline is NOT"),
            "the HTML says it first, in red");
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
