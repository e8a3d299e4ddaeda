package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.snapshot.SnapshotStore;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention on a real journal rolled every five minutes, under an injected clock: old files go only once the oldest
 * kept snapshot covers them; the engine and the offline tools then start from a snapshot, and with no snapshot covering
 * the deleted records the engine refuses to start rather than serve a partial state.
 */
@Timeout(60)
class RetentionTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    @Test
    void shouldDeleteOnlyOldFilesTheOldestSnapshotCoversAndRecoverFromIt() throws Exception
    {
        clock.update(T0);
        final long hash;
        final long firstSnapshot;
        final long secondSnapshot;
        try (TriageEngine engine = start(1))
        {
            for (int i = 0; i < 6; i++)
            {
                call(engine, Command.open("early-" + i, Urgency.NORMAL, 1));
                clock.advance(10 * 60_000L); // a new file for each
            }
            firstSnapshot = call(engine, Command.of(CommandType.SNAPSHOT)).sequence;
            call(engine, Command.open("after-first-snapshot", Urgency.HIGH, 1));
            final int filesBefore = journalFiles().size();
            assertTrue(filesBefore >= 7, "one file per ten minutes: " + journalFiles());

            clock.advance(2 * DAY_MS);
            call(engine, Command.open("two-days-later", Urgency.LOW, 1));
            secondSnapshot = call(engine, Command.of(CommandType.SNAPSHOT)).sequence;

            // The oldest kept snapshot is the first: the files wholly before its last record are gone, the rest stay.
            assertEquals(filesBefore + 1 - 5, journalFiles().size(), "the five files before the snapshot's record went: " + journalFiles());
            assertEquals(firstSnapshot, Retention.deletedThrough(dir));
            engine.close();
            hash = engine.book().stateHash();
        }

        try (TriageEngine engine = start(1))
        {
            assertEquals(secondSnapshot, engine.snapshotLoaded().sequence(), "the newest snapshot");
            engine.close();
            assertEquals(hash, engine.book().stateHash());
            assertNotNull(engine.book().conversation("early-0"), "kept in the snapshot though its journal file is gone");
        }

        // Tools start from the oldest snapshot covering what was deleted, and replay all after it.
        try (Journal journal = new Journal(dir))
        {
            final Recovery.Result rebuilt = Recovery.rebuild(journal, new SnapshotStore(dir.resolve("snapshots")),
                () -> new EngineContext().newBook(r -> { }), Recovery.Start.OLDEST, b -> b::apply);
            assertEquals(firstSnapshot, rebuilt.startSequence());
            assertEquals(hash, rebuilt.book().stateHash());
        }
        final List<AuditTrail.Entry> audit = AuditTrail.ofConversation(dir, JournalSettings.contextFor(dir), "after-first-snapshot");
        assertEquals(AuditTrail.HISTORY_STARTS, audit.get(0).kind());
        assertEquals("OPEN", audit.get(1).kind());

        // Without a snapshot covering the deleted records, nothing is started on a partial journal.
        try (Stream<Path> snapshots = Files.list(dir.resolve("snapshots")))
        {
            for (final Path s : snapshots.toList())
            {
                Files.delete(s);
            }
        }
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> start(1));
        assertTrue(refused.getMessage().contains("retention deleted the records through sequence " + firstSnapshot), refused.getMessage());
    }

    @Test
    void shouldKeepEverythingWithoutRetentionOrWithoutACoveringSnapshot() throws Exception
    {
        clock.update(T0);
        try (TriageEngine engine = start(0))
        {
            call(engine, Command.open("a", Urgency.NORMAL, 1));
            clock.advance(10 * 60_000L);
            call(engine, Command.open("a2", Urgency.NORMAL, 1));
            call(engine, Command.of(CommandType.SNAPSHOT));
            clock.advance(30 * DAY_MS);
            call(engine, Command.open("b", Urgency.NORMAL, 1));
            call(engine, Command.of(CommandType.SNAPSHOT));
        }
        assertEquals(3, journalFiles().size(), "retention 0 keeps every file");
        assertEquals(-1, Retention.deletedThrough(dir));

        try (TriageEngine engine = start(1))
        {
            engine.close();
        }
        assertEquals(2, journalFiles().size(), "on start, the file before the oldest snapshot's record goes, its own stays");
    }

    private TriageEngine start(final int retentionDays)
    {
        return TriageEngine.start(new EngineContext().journalDir(dir).clock(clock).tickIntervalMs(0).snapshotEveryCommands(0)
            .journalRoll(JournalRoll.FIVE_MINUTES).retentionDays(retentionDays));
    }

    private List<Path> journalFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static Reply call(final TriageEngine engine, final Command command) throws Exception
    {
        final Reply reply = engine.submit(command).get(10, TimeUnit.SECONDS);
        assertEquals(ResultCode.OK, reply.result, command.type + ": " + reply.detail);
        return reply;
    }
}
