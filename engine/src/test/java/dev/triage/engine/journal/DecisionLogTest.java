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
 * conversation whose id happens to be VOID.
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
}
