package dev.triage.engine.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restart's VOID line: written only when the log ran past the journal, and told apart from a decision about a
 * conversation whose id happens to be VOID. Damage in the middle of the log is an error, never a short log.
 */
class DecisionLogTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteAVoidLineOnlyWhenTheLogRanPastTheJournal()
    {
        try (DecisionLog log = new DecisionLog(dir))
        {
            assertEquals(-1, log.voidBeyond(-1), "an empty log is behind any journal");
        }
        try (DecisionLog log = new DecisionLog(dir))
        {
            log.accept(new DecisionRecord().returned(dev.triage.engine.book.DecisionListener.Cause.RELEASED, 7, 1_000, "VOID", "ann"));
        }
        try (DecisionLog log = new DecisionLog(dir))
        {
            assertEquals(-1, log.voidBeyond(7), "the log is not past a journal ending at 7");
            assertEquals(7, log.voidBeyond(5));
        }
        final List<String> lines = DecisionLog.read(dir);
        assertEquals(2, lines.size(), lines.toString());
        assertFalse(DecisionLog.isVoid(lines.get(0)), "a decision about conversation VOID: " + lines.get(0));
        assertTrue(DecisionLog.isVoid(lines.get(1)), lines.get(1));
        assertEquals(5, DecisionLog.sequenceOf(lines.get(1)));
    }

    @Test
    void shouldReadTextRecordsFromBeforeTheLogWentBinaryBesideBinaryOnes()
    {
        final String old = "3 1000 NEXT_BEST C-1 -> ann score 100 [100 0 0 0] candidates 1 runner-up null 0 waited 5 policy 1";
        try (net.openhft.chronicle.queue.ChronicleQueue q = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder
                 .binary(dir.resolve("decisions")).rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_HOURLY).build();
             net.openhft.chronicle.queue.ExcerptAppender appender = q.createAppender();
             net.openhft.chronicle.wire.DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().writeUtf8(old);
        }
        final dev.triage.engine.command.Reply r = new dev.triage.engine.command.Reply(x -> { });
        r.conversationId = "C-2";
        r.agentId = "bob";
        r.scoreUnits = 6_000_000;
        r.urgencyUnits = 6_000_000;
        r.candidates = 2;
        r.runnerUpId = "C-3";
        r.runnerUpScoreUnits = 60_000;
        r.waitedMs = 7;
        r.policyVersion = 2;
        final DecisionRecord assigned = new DecisionRecord().assigned(dev.triage.engine.book.DecisionListener.Cause.LONG_POLL, 4, 2_000, r);
        try (DecisionLog log = new DecisionLog(dir))
        {
            log.accept(assigned);
            assertEquals(4, log.voidBeyond(3));
        }
        final List<String> lines = DecisionLog.read(dir);
        assertEquals(List.of(old, assigned.text(new StringBuilder())), lines.subList(0, 2));
        assertTrue(DecisionLog.isVoid(lines.get(2)), lines.get(2));
        assertEquals(3, DecisionLog.sequenceOf(lines.get(2)));
    }

    @Test
    void shouldRefuseToReadALogWhoseRecordHeaderInTheMiddleIsZeroed() throws Exception
    {
        writeThree();
        // header (4), marker byte, kind, cause, sequence (8), time (8), the id's length byte, then the id.
        dev.triage.engine.fixture.JournalFiles.zero(dir.resolve("decisions"), "MIDDLE-DECISION", -24, 4);
        final JournalFormatException e = org.junit.jupiter.api.Assertions.assertThrows(JournalFormatException.class,
            () -> DecisionLog.read(dir));
        assertTrue(e.getMessage().contains("reading stopped after 1 records"), e.getMessage());
        assertTrue(e.getMessage().contains("with sequence 3"), e.getMessage());
    }

    @Test
    void shouldRefuseToReadALogWithAFlippedByte() throws Exception
    {
        writeThree();
        dev.triage.engine.fixture.JournalFiles.corrupt(dir.resolve("decisions"), "MIDDLE-DECISION", 3, 0x01);
        final JournalFormatException e = org.junit.jupiter.api.Assertions.assertThrows(JournalFormatException.class,
            () -> DecisionLog.read(dir));
        assertTrue(e.getMessage().contains("record 1 at index") && e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    private void writeThree()
    {
        try (DecisionLog log = new DecisionLog(dir))
        {
            log.accept(new DecisionRecord().returned(dev.triage.engine.book.DecisionListener.Cause.RELEASED, 1, 1_000, "FIRST", "ann"));
            log.accept(new DecisionRecord().returned(dev.triage.engine.book.DecisionListener.Cause.RELEASED, 2, 1_000,
                "MIDDLE-DECISION", "ann"));
            log.accept(new DecisionRecord().returned(dev.triage.engine.book.DecisionListener.Cause.RELEASED, 3, 1_000, "LAST", "ann"));
        }
        assertEquals(3, DecisionLog.read(dir).size());
    }
}
