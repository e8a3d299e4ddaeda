package dev.triage.engine.snapshot;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery from the newest valid snapshot plus the journal after it.
 */
@Timeout(60)
class EngineSnapshotTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRemoveSnapshotFilesACrashLeftUnfinishedAtStartAndAfterEachSnapshot() throws Exception
    {
        final Path snapshots = Files.createDirectories(dir.resolve("snapshots"));
        final Path leftBefore = Files.write(snapshots.resolve("snapshot-00000000000000000007.bin.tmp"), new byte[4096]);
        final Path unrelated = Files.write(snapshots.resolve("notes.txt"), new byte[1]);
        try (TriageEngine engine = start(0))
        {
            assertTrue(Files.notExists(leftBefore), "removed at start");
            final Path leftDuring = Files.write(snapshots.resolve("snapshot-00000000000000000009.bin.tmp"), new byte[4096]);
            call(engine, Command.open("C-1", Urgency.NORMAL, 1));
            call(engine, Command.of(CommandType.SNAPSHOT));
            assertTrue(Files.notExists(leftDuring), "removed after a successful snapshot");
        }
        assertTrue(Files.exists(unrelated), "only unfinished snapshot files are removed");
    }

    @Test
    void shouldRecoverFromTheSnapshotAndOnlyTheJournalAfterIt() throws Exception
    {
        final long hash;
        final Reply snapshot;
        try (TriageEngine engine = start(0))
        {
            call(engine, Command.upsertAgent("ann", 3));
            for (int i = 0; i < 10; i++)
            {
                call(engine, Command.open("C-" + i, Urgency.ofLevel(i % 5), 1 + i));
            }
            call(engine, Command.nextBest("ann", 0));
            snapshot = call(engine, Command.of(CommandType.SNAPSHOT));
            assertTrue(Files.exists(Path.of(snapshot.snapshotPath)), snapshot.snapshotPath);
            call(engine, Command.nextBest("ann", 0));
            call(engine, Command.onConversation(CommandType.RESOLVE, "C-3"));
            engine.close();
            hash = engine.book().stateHash();
        }
        try (TriageEngine engine = start(0))
        {
            assertNotNull(engine.snapshotLoaded());
            assertEquals(snapshot.sequence, engine.snapshotLoaded().sequence());
            assertEquals(2, engine.recovered().commands(), "only the journal after the snapshot is replayed");
            assertEquals(3, engine.recovered().read(), "the replay seeks to the snapshot's own last record, not the journal's start");
            engine.close();
            assertEquals(hash, engine.book().stateHash());
        }
    }

    @Test
    void shouldFallBackWhenTheNewestSnapshotIsCorrupt() throws Exception
    {
        final long hash;
        try (TriageEngine engine = start(0))
        {
            call(engine, Command.upsertAgent("ann", 3));
            call(engine, Command.open("C-1", Urgency.HIGH, 5));
            call(engine, Command.of(CommandType.SNAPSHOT));
            call(engine, Command.open("C-2", Urgency.LOW, 1));
            final Reply newest = call(engine, Command.of(CommandType.SNAPSHOT));
            call(engine, Command.nextBest("ann", 0));
            engine.close();
            hash = engine.book().stateHash();
            final byte[] bytes = Files.readAllBytes(Path.of(newest.snapshotPath));
            bytes[bytes.length / 2] ^= 0x5A;
            Files.write(Path.of(newest.snapshotPath), bytes);
        }
        try (TriageEngine engine = start(0))
        {
            assertNotNull(engine.snapshotLoaded());
            assertTrue(engine.snapshotLoaded().file().getFileName().toString().compareTo(
                new SnapshotStore(dir.resolve("snapshots")).snapshotsNewestFirst().get(0).getFileName().toString()) < 0,
                "the older snapshot was used");
            assertEquals(2, engine.recovered().commands(), "OPEN C-2 and NEXT_BEST follow the older snapshot");
            engine.close();
            assertEquals(hash, engine.book().stateHash());
        }
    }

    @Test
    void shouldKeepAnsweringWhileASnapshotIsBeingWritten() throws Exception
    {
        final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final Runnable hold = () ->
        {
            held.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        };
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotHook(hold)))
        {
            call(engine, Command.upsertAgent("ann", 3));
            call(engine, Command.open("C-1", Urgency.NORMAL, 1));
            final java.util.concurrent.CompletableFuture<Reply> snapshot = engine.submit(Command.of(CommandType.SNAPSHOT));
            assertTrue(held.await(10, TimeUnit.SECONDS), "the snapshot is being written");
            // With the snapshot held mid-write, the engine answers as if nothing were happening.
            call(engine, Command.open("C-2", Urgency.HIGH, 1));
            assertEquals("C-2", call(engine, Command.nextBest("ann", 0)).conversationId);
            assertTrue(!snapshot.isDone(), "answered before it was written");
            release.countDown();
            final Reply written = snapshot.get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, written.result);
            assertEquals(1, written.sequence, "it covers what was journaled before the SNAPSHOT: the agent (0) and C-1 (1)");
            engine.close();
        }
        try (TriageEngine engine = start(0))
        {
            assertEquals(1, engine.snapshotLoaded().sequence());
            assertEquals(2, engine.recovered().commands(), "C-2 and the NEXT_BEST come from the journal after it");
            engine.close();
            assertEquals("ann", engine.book().conversation("C-2").agentId());
        }
    }

    @Test
    void shouldWriteSnapshotsPeriodicallyAndKeepTheNewestThree() throws Exception
    {
        try (TriageEngine engine = start(4))
        {
            call(engine, Command.upsertAgent("ann", 3));
            for (int round = 0; round < 5; round++)
            {
                for (int i = 0; i < 4; i++)
                {
                    call(engine, Command.open("C-" + (round * 4 + i), Urgency.NORMAL, 1));
                }
                // Every 4th journaled command (the agent is sequence 0) asks for one covering it, at sequences 3, 7,
                // 11, ...; a snapshot may cover more, if more was journaled by the time it was built.
                final long covering = 4L * (round + 1) - 1;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (newestSnapshotSequence() < covering && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                assertTrue(newestSnapshotSequence() >= covering, "a snapshot covering sequence " + covering);
            }
            engine.close();
        }
        final List<Path> snapshots = new SnapshotStore(dir.resolve("snapshots")).snapshotsNewestFirst();
        assertEquals(3, snapshots.size(), snapshots.toString());
        try (TriageEngine engine = start(4))
        {
            assertTrue(engine.recovered().commands() <= 1, "21 commands, the last snapshot covers the 20th or the 21st");
            engine.close();
            assertEquals(20, engine.book().openCount());
        }
    }

    @Test
    void shouldRefuseASnapshotWithoutAJournal() throws Exception
    {
        try (TriageEngine engine = TriageEngine.start(new EngineContext().tickIntervalMs(0)))
        {
            final Reply reply = engine.submit(Command.of(CommandType.SNAPSHOT)).get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.INVALID_ARGUMENT, reply.result);
            assertNull(reply.snapshotPath);
        }
    }

    private TriageEngine start(final long snapshotEvery)
    {
        return TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(snapshotEvery));
    }

    private static Reply call(final TriageEngine engine, final Command command) throws Exception
    {
        final Reply reply = engine.submit(command).get(10, TimeUnit.SECONDS);
        if (reply.result != ResultCode.OK)
        {
            throw new AssertionError(command + " -> " + reply);
        }
        return reply;
    }

    private long newestSnapshotSequence()
    {
        final List<Path> files = new SnapshotStore(dir.resolve("snapshots")).snapshotsNewestFirst();
        if (files.isEmpty())
        {
            return -1;
        }
        final String name = files.get(0).getFileName().toString();
        return Long.parseLong(name.replaceAll("[^0-9]", ""));
    }
}
