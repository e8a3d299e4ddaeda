package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.fixture.JournalFiles;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flipped bytes in a real journal: in a last record that was never answered (past the watermark, as a crash mid-batch
 * leaves it), it is quarantined and the engine starts with everything before it (and keeps skipping it); in a last
 * record the watermark says was journaled, the start is refused unless the loss is accepted; in the middle, the
 * engine refuses to start, naming the record.
 */
@Timeout(60)
class JournalCorruptionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldQuarantineACorruptLastRecordThatWasNeverAnsweredAndStartWithEverythingBeforeIt() throws Exception
    {
        write("first", "second", "TAILMARKER");
        flipByteIn("TAILMARKER");
        JournalFiles.rewindWatermark(dir, 1);
        try (TriageEngine engine = start())
        {
            assertEquals(2, engine.recovered().commands());
            assertEquals(1, engine.recovered().quarantined());
            engine.submit(Command.open("after", Urgency.HIGH, 1)).get(10, TimeUnit.SECONDS);
            engine.close();
            assertNull(engine.book().conversation("TAILMARKER"));
            assertNotNull(engine.book().conversation("second"));
        }
        assertTrue(Files.readString(dir.resolve(Quarantine.FILE)).contains("checksum mismatch"));
        try (TriageEngine engine = start())
        {
            assertEquals(3, engine.recovered().commands(), "the quarantined record stays skipped; the new one is replayed");
            assertEquals(1, engine.recovered().quarantined());
            engine.close();
            assertNotNull(engine.book().conversation("after"));
        }
    }

    @Test
    void shouldRefuseToStartOnACorruptLastRecordTheWatermarkSaysWasJournaledUnlessTheLossIsAccepted() throws Exception
    {
        write("first", "second", "TAILMARKER");
        flipByteIn("TAILMARKER");
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("ends at sequence 1, but its watermark says sequence 2 was journaled when the " +
            "server last stopped cleanly"), e.getMessage());
        assertTrue(e.getMessage().contains("--accept-journal-loss"), e.getMessage());
        try (TriageEngine engine = TriageEngine.start(context().acceptJournalLoss(true)))
        {
            assertEquals(2, engine.recovered().commands());
            assertEquals(1, engine.acceptedLoss().sequences());
        }
        try (TriageEngine engine = start())
        {
            assertNull(engine.acceptedLoss(), "once accepted, the watermark is the journal's end again");
        }
    }

    @Test
    void shouldRefuseToStartOnACorruptRecordInTheMiddle() throws Exception
    {
        write("first", "MIDMARKER", "third");
        flipByteIn("MIDMARKER");
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("record 1 at index 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("records after it exist"), e.getMessage());
    }

    @Test
    void shouldRefuseAFileTruncatedAfterACleanStop() throws Exception
    {
        write("first", "second", "TAILMARKER");
        JournalFiles.truncate(dir, "TAILMARKER", 3);
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("the records after 1 through 2 are lost"), e.getMessage());
    }

    @Test
    void shouldStartWithEverythingBeforeARecordCutShortThatWasNeverAnswered() throws Exception
    {
        write("first", "second", "TAILMARKER");
        JournalFiles.truncate(dir, "TAILMARKER", 3);
        JournalFiles.rewindWatermark(dir, 1);
        try (TriageEngine engine = start())
        {
            assertEquals(2, engine.recovered().commands(), "the cut record is not applied");
            engine.submit(Command.open("after", Urgency.HIGH, 1)).get(10, TimeUnit.SECONDS);
            engine.close();
            assertNull(engine.book().conversation("TAILMARKER"));
            assertNotNull(engine.book().conversation("second"));
        }
        try (TriageEngine engine = start())
        {
            engine.close();
            assertNotNull(engine.book().conversation("after"), "appends after the cut are replayed");
            assertNotNull(engine.book().conversation("first"));
            assertNull(engine.book().conversation("TAILMARKER"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HeaderDamage.class)
    void shouldRefuseToStartWhenADamagedHeaderInTheMiddleHidesTheRecordsAfterIt(final HeaderDamage damage) throws Exception
    {
        write("first", "MIDMARKER", "third", "fourth");
        JournalFiles.rewriteHeader(dir, "MIDMARKER", damage.change);
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("sequence"), e.getMessage());
        assertTrue(e.getMessage().contains("Nothing is started on a guess") || e.getMessage().contains("nothing is started on a guess"),
            e.getMessage());
        // Offline tools read the same way, and say so too, without writing into the directory.
        final java.util.Set<Path> before = listing();
        try (Journal journal = Journal.readOnly(dir))
        {
            assertThrows(JournalFormatException.class, () -> journal.replay(c -> { }));
        }
        assertEquals(before, listing(), "a read-only replay writes nothing into the journal directory");
    }

    @Test
    void shouldRefuseToStartWhenAnEarlierFileOfTheJournalIsDamaged() throws Exception
    {
        final long[] now = { 1_700_000_000_000L };
        final EngineContext context = new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(0)
            .journalRoll(JournalRoll.FIVE_MINUTES).clock(() -> now[0]);
        try (TriageEngine engine = TriageEngine.start(context))
        {
            engine.submit(Command.open("first", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS);
            engine.submit(Command.open("EARLYMARKER", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS);
            engine.submit(Command.open("third", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS);
            now[0] += 600_000;
            engine.submit(Command.open("later-file", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS);
        }
        JournalFiles.rewriteHeader(dir, "EARLYMARKER", header -> 0);
        final JournalFormatException e = assertThrows(JournalFormatException.class, () -> TriageEngine.start(context));
        assertTrue(e.getMessage().contains("records follow it"), e.getMessage());
    }

    @Test
    void shouldStartWithEverythingBeforeALastRecordWhoseHeaderWasNeverCompleted() throws Exception
    {
        write("first", "second", "TAILMARKER");
        JournalFiles.rewriteHeader(dir, "TAILMARKER", header -> header | 0x8000_0000);
        // A crash mid-write: the record's batch never ended, so the watermark never reached it.
        JournalFiles.rewindWatermark(dir, 1);
        try (TriageEngine engine = start())
        {
            assertEquals(2, engine.recovered().commands(), "a torn tail was never answered: start with all before it");
        }
    }

    @Test
    void shouldLeaveTheJournalDirectoryUntouchedWhenAToolReadsACorruptTail() throws Exception
    {
        write("first", "second", "TAILMARKER");
        flipByteIn("TAILMARKER");
        final java.util.Map<Path, String> before = contents();
        try (Journal journal = Journal.readOnly(dir))
        {
            final Journal.ReplayResult result = journal.replay(c -> { });
            assertEquals(2, result.commands());
            assertEquals(1, result.quarantined());
        }
        assertEquals(before, contents(), "a tool writes no quarantine file and changes no byte");
    }

    @Test
    void shouldLetAToolReadTheJournalOfARunningEngineWithoutDisturbingIt() throws Exception
    {
        try (TriageEngine engine = start())
        {
            engine.submit(Command.open("before-tool", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS);
            try (Journal journal = Journal.readOnly(dir))
            {
                assertEquals(1, journal.replay(c -> { }).commands());
            }
            assertEquals(dev.triage.engine.command.ResultCode.OK,
                engine.submit(Command.open("after-tool", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS).result);
        }
        try (TriageEngine engine = start())
        {
            engine.close();
            assertNotNull(engine.book().conversation("after-tool"));
        }
    }

    private java.util.Map<Path, String> contents() throws Exception
    {
        final java.util.Map<Path, String> hashes = new java.util.TreeMap<>();
        for (final Path p : listing())
        {
            if (Files.isRegularFile(p))
            {
                hashes.put(p, java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return hashes;
    }

    /** Ways a record's 4-byte Chronicle header can be damaged. */
    enum HeaderDamage
    {
        ZEROED(header -> 0),
        MARKED_INCOMPLETE(header -> header | 0x8000_0000),
        MARKED_METADATA(header -> header | 0x4000_0000),
        HUGE_LENGTH(header -> 0x3FFF_FFF0),
        LENGTH_TOO_SHORT(header -> 3);

        final java.util.function.IntUnaryOperator change;

        HeaderDamage(final java.util.function.IntUnaryOperator change)
        {
            this.change = change;
        }
    }

    private java.util.Set<Path> listing() throws Exception
    {
        try (java.util.stream.Stream<Path> all = Files.walk(dir))
        {
            return all.collect(java.util.stream.Collectors.toSet());
        }
    }

    private void write(final String... ids) throws Exception
    {
        try (TriageEngine engine = start())
        {
            for (final String id : ids)
            {
                engine.submit(Command.open(id, Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private TriageEngine start()
    {
        return TriageEngine.start(context());
    }

    private EngineContext context()
    {
        return new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(0);
    }

    private void flipByteIn(final String marker) throws Exception
    {
        JournalFiles.corrupt(dir, marker, 2, 0x01);
    }
}
