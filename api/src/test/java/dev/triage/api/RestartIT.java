package dev.triage.api;

import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.triage.api.TriageServiceIT.byAgent;
import static dev.triage.api.TriageServiceIT.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open and assign over gRPC, stop the server, start it on the same journal: the same state, over real netty.
 */
@Timeout(60)
class RestartIT
{
    @TempDir
    Path journal;

    @Test
    void shouldComeBackWithTheSameStateAfterARestart() throws Exception
    {
        final StatsReply before;
        final TopReply topBefore;
        final long snapshotSequence;
        try (ServerFixture first = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = first.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(3).build());
            stub.open(open("C-1", Urgency.NORMAL, 1, ""));
            stub.open(open("C-2", Urgency.CRITICAL, 10, ""));
            stub.open(open("C-3", Urgency.LOW, 1, ""));
            final NextBestReply next = stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
            assertEquals("C-2", next.getConversationId());
            stub.ack(byAgent("ann", "C-2"));
            final dev.triage.proto.v1.SnapshotReply snapshot = stub.snapshot(dev.triage.proto.v1.SnapshotRequest.getDefaultInstance());
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(snapshot.getFile())), snapshot.getFile());
            snapshotSequence = snapshot.getSequence();
            stub.open(open("C-4", Urgency.HIGH, 2, ""));
            before = stub.stats(StatsRequest.getDefaultInstance());
            topBefore = stub.top(TopRequest.getDefaultInstance());
            final dev.triage.proto.v1.InfoReply info = stub.info(dev.triage.proto.v1.InfoRequest.getDefaultInstance());
            assertTrue(info.getJournalFreeBytes() > info.getJournalReserveBytes() && info.getJournalReserveBytes() > 0, info.toString());
            final String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + first.server.metricsPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("triage_journal_free_bytes ") && metrics.contains("triage_journal_reserve_bytes "), metrics);
        }
        final String audit = runCli("audit", "--journal", journal.toString(), "--conversation", "C-2");
        assertTrue(audit.contains("#2  OPEN C-2 -> OK"), audit);
        assertTrue(audit.contains("C-2 ASSIGNED to ann (NEXT_BEST)"), audit);
        assertTrue(audit.contains("= urgency 1000 + impact 180 + age "), audit);
        assertTrue(audit.contains("; 3 eligible; runner-up C-1 ("), audit);
        assertTrue(audit.contains("ACK C-2 by ann -> OK"), audit);
        final String stats = runCli("journal", "stats", "--journal", journal.toString());
        assertTrue(stats.contains("7 commands, last sequence"), stats);
        assertTrue(stats.contains("OPEN             4"), stats);
        final String tail = runCli("journal", "tail", "-n", "2", "--journal", journal.toString());
        assertTrue(tail.contains("ACK conv=C-2 agent=ann") && tail.contains("OPEN conv=C-4 HIGH impact=2"), tail);
        final String replay = runCli("replay", "--journal", journal.toString());
        assertTrue(replay.contains("replayed 7 commands"), replay);
        assertTrue(replay.contains("open 3, assigned 1, pending 0"), replay);
        assertTrue(replay.contains("invariants hold"), replay);

        try (ServerFixture second = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            assertEquals(snapshotSequence, ((dev.triage.engine.TriageEngine)second.server.engine()).snapshotLoaded().sequence());
            assertEquals(1, second.server.engine().recovered().commands(), "only C-4 follows the snapshot");
            final var stub = second.stub();
            final dev.triage.proto.v1.InfoReply info = stub.info(dev.triage.proto.v1.InfoRequest.getDefaultInstance());
            assertEquals(1, info.getRecoveredCommands());
            assertTrue(info.getSequence() >= 7, "the journal position continues: " + info.getSequence());
            assertEquals(journal.toAbsolutePath().toString(), info.getJournalDir());
            final StatsReply after = stub.stats(StatsRequest.getDefaultInstance());
            // The oldest wait keeps growing across the restart; everything else is the same.
            assertEquals(withoutWaits(before), withoutWaits(after));
            assertTrue(after.getOldestWaitMs() >= before.getOldestWaitMs());
            final TopReply topAfter = stub.top(TopRequest.getDefaultInstance());
            assertEquals(topBefore.getEntriesList().stream().map(e -> e.getId()).toList(),
                topAfter.getEntriesList().stream().map(e -> e.getId()).toList());
            final NextBestReply next = stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
            assertTrue(next.getAssigned());
            assertEquals("C-4", next.getConversationId(), "HIGH C-4 before NORMAL C-1");
        }
    }

    /** The stats without how long the oldest have waited (those grow across a restart). */
    private static StatsReply withoutWaits(final StatsReply stats)
    {
        final StatsReply.Builder b = stats.toBuilder().clearOldestWaitMs();
        b.getWaitingByUrgencyBuilderList().forEach(w -> w.clearOldestWaitMs());
        return b.build();
    }

    private static String runCli(final String... args)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream old = System.out;
        try
        {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, dev.triage.api.cli.TriageCli.commandLine().execute(args));
        }
        finally
        {
            System.setOut(old);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
