package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.fixture.JournalFiles;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole journal files, or a file's tail, that vanish: a gap is refused naming both sides, and a journal that ends
 * before its watermark, its decision log or its newest snapshot is refused unless an operator accepts the loss. Also
 * the one writer per directory, and sequences that never step back across a restart.
 */
@Timeout(60)
class JournalContinuityTest
{
    private static final long FILE_MS = 300_000;

    @TempDir
    Path dir;

    private final long[] now = { 1_700_000_000_000L };

    @Test
    void shouldRefuseToStartWhenAMiddleFileIsDeleted() throws Exception
    {
        writeThreeFiles();
        Files.delete(JournalFiles.cycleFiles(dir).get(1));
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("has a gap: the record with sequence 6"), e.getMessage());
        assertTrue(e.getMessage().contains("follows sequence 5, but the record read before it is sequence 2"), e.getMessage());
        // An offline replay reads the same way.
        try (Journal journal = Journal.readOnly(dir))
        {
            assertThrows(JournalFormatException.class, () -> journal.replay(c -> { }));
        }
    }

    @Test
    void shouldRefuseToStartWhenTheFirstFileIsDeleted() throws Exception
    {
        writeThreeFiles();
        Files.delete(JournalFiles.cycleFiles(dir).get(0));
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("starts with the record with sequence 3"), e.getMessage());
        assertTrue(e.getMessage().contains("retention deleted nothing"), e.getMessage());
    }

    @Test
    void shouldRefuseToStartWhenTheNewestFileIsDeletedUnlessTheLossIsAccepted() throws Exception
    {
        writeThreeFiles();
        Files.delete(JournalFiles.cycleFiles(dir).get(2));
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("ends at sequence 5, but its watermark says sequence 8 was journaled"), e.getMessage());
        try (Journal journal = Journal.readOnly(dir))
        {
            assertThrows(JournalFormatException.class, () -> Recovery.rebuild(journal, new dev.triage.engine.snapshot.SnapshotStore(
                dir.resolve("snapshots")), () -> context().newBook(r -> { }), Recovery.Start.OLDEST, b -> b::apply),
                "offline tools refuse it too");
        }
        try (TriageEngine engine = TriageEngine.start(context().acceptJournalLoss(true)))
        {
            assertEquals(new Recovery.Loss(5, 8, engine.acceptedLoss().reason()), engine.acceptedLoss());
            assertOk(engine.submit(Command.open("after-loss", Urgency.NORMAL, 1)));
        }
        try (TriageEngine engine = start())
        {
            engine.close();
            assertNull(engine.acceptedLoss());
            assertNotNull(engine.book().conversation("after-loss"));
            assertNull(engine.book().conversation("c6"), "what the deleted file held is gone, as accepted");
        }
    }

    @Test
    void shouldRefuseAJournalEndingBeforeTheDecisionLogEvenWithoutAWatermark() throws Exception
    {
        try (TriageEngine engine = start())
        {
            assertOk(engine.submit(Command.upsertAgent("ann", 2)));
            assertOk(engine.submit(Command.open("c1", Urgency.HIGH, 1)));
            assertOk(engine.submit(Command.nextBest("ann", 0)));
        }
        Files.delete(dir.resolve(JournalWatermark.FILE));
        JournalFiles.truncate(dir, "c1", 0);
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("the decision log holds decisions through sequence 2"), e.getMessage());
    }

    @Test
    void shouldRefuseAJournalEndingBeforeItsNewestSnapshotAndStartFromTheJournalWhenAccepted() throws Exception
    {
        try (TriageEngine engine = start())
        {
            assertOk(engine.submit(Command.open("c0", Urgency.HIGH, 1)));
            assertOk(engine.submit(Command.open("c1", Urgency.HIGH, 1)));
            final Reply snapshot = engine.submit(Command.of(CommandType.SNAPSHOT)).get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, snapshot.result);
        }
        Files.delete(dir.resolve(JournalWatermark.FILE));
        JournalFiles.truncate(dir, "c1", 0);
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("covers sequence 1"), e.getMessage());
        try (TriageEngine engine = TriageEngine.start(context().acceptJournalLoss(true)))
        {
            engine.close();
            assertNull(engine.snapshotLoaded(), "the snapshot holds what the journal lost: the journal is the truth");
            assertNotNull(engine.book().conversation("c0"));
            assertNull(engine.book().conversation("c1"));
        }
    }

    @Test
    void shouldRefuseASecondEngineOnTheSameDirectoryAndLetToolsRead() throws Exception
    {
        try (TriageEngine first = start())
        {
            assertOk(first.submit(Command.open("c0", Urgency.HIGH, 1)));
            final IllegalStateException e = assertThrows(IllegalStateException.class, this::start);
            assertTrue(e.getMessage().contains("is in use by another server (pid " + ProcessHandle.current().pid()), e.getMessage());
            try (Journal journal = Journal.readOnly(dir))
            {
                assertEquals(1, journal.replay(c -> { }).commands(), "a read-only tool works beside the server");
            }
            assertOk(first.submit(Command.open("c1", Urgency.HIGH, 1)));
        }
        try (TriageEngine again = start())
        {
            again.close();
            assertNotNull(again.book().conversation("c1"), "the refused engine touched nothing, and the lock was let go");
        }
    }

    @Test
    void shouldNeverHandOutASequenceAgainAfterARestart() throws Exception
    {
        final long lastRead;
        try (TriageEngine engine = start())
        {
            assertOk(engine.submit(Command.open("c0", Urgency.HIGH, 1)));
            engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS);
            lastRead = engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS).sequence;
        }
        try (TriageEngine engine = start())
        {
            final long next = engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS).sequence;
            assertTrue(next > lastRead, "sequence " + next + " after a restart, " + lastRead + " was already read before it");
        }
    }

    @Test
    void shouldLinkEveryRecordToTheOneBeforeIt() throws Exception
    {
        writeThreeFiles();
        try (Journal journal = Journal.readOnly(dir))
        {
            final Journal.ReplayResult result = journal.replay(c -> { });
            assertEquals(9, result.read());
            assertEquals(8, result.linked(), "each record but the first is checked against the one before it");
        }
    }

    /** Three files of three opens each (c0..c8), with reads between them taking sequences of their own. */
    private void writeThreeFiles() throws Exception
    {
        try (TriageEngine engine = start())
        {
            for (int file = 0; file < 3; file++)
            {
                for (int i = 0; i < 3; i++)
                {
                    assertOk(engine.submit(Command.open("c" + (file * 3 + i), Urgency.NORMAL, 1)));
                }
                now[0] += FILE_MS;
            }
        }
        final List<Path> files = JournalFiles.cycleFiles(dir);
        assertEquals(3, files.size(), files.toString());
    }

    private TriageEngine start()
    {
        return TriageEngine.start(context());
    }

    private EngineContext context()
    {
        return new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(0).journalRoll(JournalRoll.FIVE_MINUTES)
            .clock(() -> now[0]);
    }

    private static void assertOk(final java.util.concurrent.CompletableFuture<Reply> reply) throws Exception
    {
        assertEquals(ResultCode.OK, reply.get(10, TimeUnit.SECONDS).result);
    }
}
