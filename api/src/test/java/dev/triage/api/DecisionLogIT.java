package dev.triage.api;

import dev.triage.api.cli.TriageCli;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.triage.api.TriageServiceIT.byAgent;
import static dev.triage.api.TriageServiceIT.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decisions recorded live match what the journal recomputes; an altered record is caught by replay --verify.
 */
@Timeout(60)
class DecisionLogIT
{
    @TempDir
    Path journal;

    @Test
    void shouldVerifyTheRecordedDecisionsAndCatchAnAlteredOne() throws Exception
    {
        try (ServerFixture server = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = server.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("zed").setCapacity(2).build());
            stub.open(open("C-1", Urgency.HIGH, 3, ""));
            stub.open(open("C-2", Urgency.LOW, 1, ""));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("zed").build());
            stub.release(byAgent("zed", "C-1"));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
        }
        final Run good = run("replay", "--verify", "--journal", journal.toString());
        assertEquals(0, good.exit, good.out);
        assertTrue(good.out.contains("decisions: 3 recomputed, 3 recorded, all recorded ones match"), good.out);

        // A well-formed record that says something else: "zed" -> "Zed" in the first decision, the others as they were.
        final java.util.List<String> lines = dev.triage.engine.journal.DecisionLog.read(journal);
        final Path decisions = journal.resolve("decisions");
        deleteTree(decisions);
        try (net.openhft.chronicle.queue.ChronicleQueue q = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder
            .binary(decisions).rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_HOURLY).build();
             net.openhft.chronicle.queue.ExcerptAppender appender = q.createAppender())
        {
            for (int i = 0; i < lines.size(); i++)
            {
                try (net.openhft.chronicle.wire.DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().writeUtf8(i == 0 ? lines.get(i).replace("zed", "Zed") : lines.get(i));
                }
            }
        }
        final Run bad = run("replay", "--verify", "--journal", journal.toString());
        assertEquals(1, bad.exit, bad.out);
        assertTrue(bad.out.contains("MISMATCH at sequence 4"), bad.out);
    }

    @Test
    void shouldRefuseADecisionLogWithAFlippedByte() throws Exception
    {
        try (ServerFixture server = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = server.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("zed").setCapacity(2).build());
            stub.open(open("C-1", Urgency.HIGH, 3, ""));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("zed").build());
        }
        dev.triage.engine.fixture.JournalFiles.corrupt(journal.resolve("decisions"), "zed", 0, 'z' ^ 'Z');
        final CliRun bad = CliRun.execute("replay", "--verify", "--journal", journal.toString());
        assertEquals(1, bad.exit(), bad.out() + bad.err());
        assertTrue(bad.err().contains("cannot be read") && bad.err().contains("checksum mismatch"), bad.err());
    }

    /**
     * The two ways the log can be out of step with the journal, made deterministic: a log that lagged (the decisions
     * of journaled commands never written, as a kill leaves it; here an older copy of the log stands in for it), and a
     * log that ran ahead (a decision of a command the journal lacks: answered, then lost with the journal's tail, as
     * a power loss with process durability can leave it). The first is reported and recomputed; the second is a loss,
     * refused until an operator accepts it, then voided by the restart.
     */
    @Test
    void shouldReportDecisionsALaggingOrLeadingLogMissedAfterACrashWithoutAMismatch() throws Exception
    {
        final Path decisions = journal.resolve("decisions");
        final Path lagging = journal.resolveSibling(journal.getFileName() + "-lagging-decisions");
        try (ServerFixture server = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = server.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(10).build());
            stub.open(open("C-1", Urgency.HIGH, 3, ""));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
        }
        copy(decisions, lagging);
        try (ServerFixture server = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = server.stub();
            stub.open(open("C-2", Urgency.HIGH, 3, ""));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
        }
        // The log lost its last decision (C-2's), as a kill before its writer ran would.
        deleteTree(decisions);
        copy(lagging, decisions);
        // And it logged one for a command past the journal's end, as a processor ahead of the journal would.
        try (net.openhft.chronicle.queue.ChronicleQueue q = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder
            .binary(decisions).rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_HOURLY).build();
             net.openhft.chronicle.queue.ExcerptAppender appender = q.createAppender();
             net.openhft.chronicle.wire.DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().writeUtf8("6 1700000000000 NEXT_BEST C-9 -> ann score 1 [1 0 0 0] candidates 1 runner-up null 0 waited 0 policy 1");
        }
        final CliRun refused = CliRun.execute("replay", "--verify", "--journal", journal.toString());
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().contains("the decision log holds decisions through sequence 6"), refused.err());
        final Run beforeRestart = run("replay", "--verify", "--accept-journal-loss", "--journal", journal.toString());
        assertEquals(1, beforeRestart.exit, "a loss is never exit 0: " + beforeRestart.out);
        assertTrue(beforeRestart.out.contains("last sequence 4"), beforeRestart.out);
        assertTrue(beforeRestart.out.contains("1 decisions were never logged"), beforeRestart.out);
        assertTrue(beforeRestart.out.contains("1 logged decisions belong to commands the journal never held"), beforeRestart.out);
        assertTrue(beforeRestart.out.contains("LOSS: journal"), beforeRestart.out);

        // A restart that accepts the loss voids the decision past the journal.
        try (ServerFixture server = new ServerFixture(new EngineContext().journalDir(journal).acceptJournalLoss(true), null))
        {
            final var stub = server.stub();
            for (int i = 3; i < 8; i++)
            {
                stub.open(open("C-" + i, Urgency.HIGH, 3, ""));
                stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
            }
        }
        final Run afterRestart = run("replay", "--verify", "--journal", journal.toString());
        assertEquals(0, afterRestart.exit, afterRestart.out);
        assertTrue(afterRestart.out.contains("1 decisions were never logged"), afterRestart.out);
        assertTrue(afterRestart.out.contains("1 logged decisions belong to commands the journal never held"), afterRestart.out);
    }

    private static void copy(final Path from, final Path to) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                java.nio.file.Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static void deleteTree(final Path dir) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)files.sorted(java.util.Comparator.reverseOrder())::iterator)
            {
                java.nio.file.Files.delete(p);
            }
        }
    }

    private record Run(int exit, String out)
    {
    }

    private static Run run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream old = System.out;
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            final int exit = TriageCli.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(old);
        }
    }
}
