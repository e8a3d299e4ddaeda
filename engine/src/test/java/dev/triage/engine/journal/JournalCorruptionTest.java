package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.book.Urgency;
import dev.triage.engine.command.Command;
import dev.triage.engine.fixture.JournalFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flipped bytes in a real journal: in the last record, it is quarantined and the engine starts with everything
 * before it (and keeps skipping it); in the middle, the engine refuses to start, naming the record.
 */
@Timeout(60)
class JournalCorruptionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldQuarantineACorruptLastRecordAndStartWithEverythingBeforeIt() throws Exception
    {
        write("first", "second", "TAILMARKER");
        flipByteIn("TAILMARKER");
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
    void shouldRefuseToStartOnACorruptRecordInTheMiddle() throws Exception
    {
        write("first", "MIDMARKER", "third");
        flipByteIn("MIDMARKER");
        final JournalFormatException e = assertThrows(JournalFormatException.class, this::start);
        assertTrue(e.getMessage().contains("record 1 at index 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("records after it exist"), e.getMessage());
    }

    @Test
    void shouldStartWithEverythingBeforeARecordCutShortByATruncatedFile() throws Exception
    {
        write("first", "second", "TAILMARKER");
        JournalFiles.truncate(dir, "TAILMARKER", 3);
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
        return TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(0));
    }

    private void flipByteIn(final String marker) throws Exception
    {
        JournalFiles.corrupt(dir, marker, 2, 0x01);
    }
}
