package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot's seek point: for every sequence, {@link Journal#indexAtOrBefore} finds the last record at or before it,
 * across files and across the gaps read-only commands leave in the sequence.
 */
@Timeout(60)
class JournalIndexTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFindTheLastRecordAtOrBeforeEverySequenceAcrossFiles()
    {
        final AtomicLong clock = new AtomicLong(1_767_225_600_000L);
        final SplittableRandom random = new SplittableRandom(7);
        final List<Long> sequences = new ArrayList<>();
        try (Journal journal = new Journal(dir, false, JournalRoll.FIVE_MINUTES, clock::get))
        {
            final JournalHandler handler = new JournalHandler(journal);
            final Command c = Command.of(CommandType.TICK);
            long sequence = 3;
            for (int i = 0; i < 400; i++)
            {
                sequence += 1 + random.nextInt(3); // read-only commands take sequences too, and are not journaled
                c.sequence = sequence;
                c.timestampMs = clock.get();
                handler.append(c);
                sequences.add(sequence);
                // Some files hold one record, some many, and some cycles have none.
                clock.addAndGet(random.nextInt(10) == 0 ? 5 * 60_000L * (1 + random.nextInt(3)) : 1_000);
            }
            handler.onShutdown();
            final List<Long> indices = indices(journal);
            assertTrue(journal.queue().firstCycle() < journal.queue().lastCycle(), "the journal spans several files");
            assertEquals(-1, journal.indexAtOrBefore(sequences.get(0) - 1), "nothing at or before the first record");
            final List<Long> targets = new ArrayList<>(List.of(sequences.get(0), sequence, sequence + 2));
            for (int i = 0; i < 80; i++)
            {
                targets.add(sequences.get(0) + random.nextLong(sequence - sequences.get(0)));
            }
            for (final long target : targets)
            {
                int expected = 0;
                while (expected + 1 < sequences.size() && sequences.get(expected + 1) <= target)
                {
                    expected++;
                }
                assertEquals(indices.get(expected), journal.indexAtOrBefore(target), "sequence " + target);
            }
        }
    }

    private static List<Long> indices(final Journal journal)
    {
        final List<Long> indices = new ArrayList<>();
        try (ExcerptTailer tailer = journal.queue().createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return indices;
                    }
                    indices.add(dc.index());
                }
            }
        }
    }
}
