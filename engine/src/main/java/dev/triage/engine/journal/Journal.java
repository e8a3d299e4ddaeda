package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The command journal: a Chronicle Queue directory, one file per roll cycle (hourly unless configured). Appends come
 * from the {@link JournalHandler} stage; {@link #replay} reads every record back in order, {@link #replayAfter} seeks
 * to a snapshot's index first.
 */
public final class Journal implements AutoCloseable
{
    static
    {
        ChronicleDefaults.apply();
    }

    /**
     * What a replay found.
     *
     * @param commands commands applied.
     * @param lastSequence the last sequence in the journal (or the snapshot's, if higher).
     * @param nanos time taken.
     * @param quarantined quarantined records skipped.
     * @param read records read and checked (from the seek point on).
     */
    public record ReplayResult(long commands, long lastSequence, long nanos, long quarantined, long read)
    {
        /**
         * @return an empty result (no journal).
         */
        public static ReplayResult none()
        {
            return new ReplayResult(0, -1, 0, 0, 0);
        }

        /**
         * @return commands per second.
         */
        public double rate()
        {
            return nanos == 0 ? 0 : commands * 1e9 / nanos;
        }
    }

    private static final System.Logger LOG = System.getLogger(Journal.class.getName());

    private final Path directory;
    private final SingleChronicleQueue queue;

    private final boolean forced;

    /**
     * Open a journal with the roll recorded beside it (tools; appends reach the page cache only).
     *
     * @param directory created if missing.
     * @throws java.io.UncheckedIOException if the recorded settings cannot be read.
     */
    public Journal(final Path directory)
    {
        this(directory, false, recordedRoll(directory), System::currentTimeMillis);
    }

    /**
     * @param directory created if missing.
     * @param forced true to allow {@link JournalHandler} to msync appends to disk (Chronicle's SyncMode.SYNC).
     * @param roll how often a new file starts.
     * @param time the clock that decides which file an append goes to (the engine's clock).
     */
    public Journal(final Path directory, final boolean forced, final JournalRoll roll, final TimeProvider time)
    {
        this.directory = directory;
        this.forced = forced;
        queue = SingleChronicleQueueBuilder.binary(directory).rollCycle(roll.rollCycle()).timeProvider(time)
            .syncMode(forced ? SyncMode.SYNC : SyncMode.NONE).build();
    }

    private static JournalRoll recordedRoll(final Path directory)
    {
        try
        {
            return JournalSettings.rollOf(directory);
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    boolean forced()
    {
        return forced;
    }

    /**
     * Read every record from the start, in order.
     *
     * @param apply receives each command (reused between calls; reply null).
     * @return counts and the last sequence, or -1 when empty.
     * @throws JournalFormatException naming the record index that cannot be read.
     */
    public ReplayResult replay(final Consumer<Command> apply)
    {
        return replayAfter(-1, -1, apply);
    }

    /**
     * Read the records from a snapshot's journal index on, applying those after its sequence.
     *
     * @param afterSequence records with this sequence or lower are read and checked but not applied.
     * @param seekIndex the index of a record whose sequence is at most {@code afterSequence} to start reading at, or
     * -1 to read from the first record.
     * @param apply receives each later command (reused between calls; reply null).
     * @return how many were applied, and the last sequence in the journal (or {@code afterSequence}).
     * @throws JournalFormatException naming the record index that cannot be read, or a seek index not in the journal.
     */
    public ReplayResult replayAfter(final long afterSequence, final long seekIndex, final Consumer<Command> apply)
    {
        final long start = System.nanoTime();
        final Command command = new Command();
        final Quarantine quarantine = Quarantine.load(directory);
        long count = 0;
        long read = 0;
        long skipped = 0;
        long lastSequence = -1;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            if (seekIndex >= 0 && !tailer.moveToIndex(seekIndex))
            {
                throw new JournalFormatException("journal " + directory + " has no record at index 0x" + Long.toHexString(seekIndex) +
                    ", where the snapshot says its sequence " + afterSequence + " is; its files are missing or were replaced");
            }
            while (true)
            {
                long corruptIndex = -1;
                String problem = null;
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    if (quarantine.contains(dc.index()))
                    {
                        skipped++;
                        continue;
                    }
                    try
                    {
                        CommandCodec.decode(dc.wire().bytes(), command);
                    }
                    catch (final RuntimeException e)
                    {
                        corruptIndex = dc.index();
                        problem = e.getMessage();
                    }
                    if (problem == null)
                    {
                    if (command.sequence <= lastSequence)
                    {
                        throw new JournalFormatException("journal " + directory + ": sequence " + command.sequence +
                            " after " + lastSequence + " at index 0x" + Long.toHexString(dc.index()));
                    }
                        lastSequence = command.sequence;
                        read++;
                        if (command.sequence > afterSequence)
                        {
                            apply.accept(command);
                            count++;
                        }
                    }
                }
                if (problem != null)
                {
                    final String where = "journal " + directory + ": record " + read + " at index 0x" + Long.toHexString(corruptIndex);
                    if (hasRecordAfter(tailer))
                    {
                        // In the middle, later records were decided with it applied: only a person can judge.
                        throw new JournalFormatException(where + " cannot be read (" + problem + "); records before it are intact, " +
                            "records after it exist, so nothing is started on a guess");
                    }
                    // The tail: it was never answered after a crash mid-write, or rotted since; start with all before it.
                    quarantine.add(corruptIndex, problem);
                    LOG.log(System.Logger.Level.WARNING, where + " cannot be read (" + problem + "): it is the last record, so it " +
                        "is quarantined in " + Quarantine.FILE + " and recovery continues with every record before it");
                    skipped++;
                    break;
                }
            }
        }
        return new ReplayResult(count, Math.max(lastSequence, afterSequence), System.nanoTime() - start, skipped, read);
    }

    /**
     * Where a snapshot's replay can start: the index of the last record whose sequence is at most {@code sequence}.
     * A search over files and indices (a few dozen reads), so a snapshot can record it while the processor waits.
     *
     * @param sequence a sequence the journal has passed.
     * @return the index, or -1 if no record is at or before it (or the journal cannot be searched: replay reads all).
     */
    public long indexAtOrBefore(final long sequence)
    {
        final Command scratch = new Command();
        final RollCycle rollCycle = queue.rollCycle();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            final int first = queue.firstCycle();
            final int last = queue.lastCycle();
            if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE)
            {
                return -1;
            }
            // The last file whose first record is at or before the sequence: bisect the files (each probe maps one).
            final long[] cycles = queue.listCyclesBetween(first, last).stream().mapToLong(Long::longValue).toArray();
            final int file = (int)lastHolding(-1, cycles.length,
                i -> atOrBefore(sequenceAt(tailer, rollCycle.toIndex((int)cycles[(int)i], 0), scratch), sequence));
            if (file >= 0)
            {
                final long base = rollCycle.toIndex((int)cycles[file], 0);
                final java.util.function.LongPredicate holds = i -> atOrBefore(sequenceAt(tailer, base + i, scratch), sequence);
                // Sequences rise with the index inside a file: gallop to a record past it (or the file's end), then bisect.
                long good = 0;
                long step = 1;
                while (holds.test(good + step))
                {
                    good += step;
                    step <<= 1;
                }
                return base + lastHolding(good, good + step, holds);
            }
            return -1;
        }
        catch (final RuntimeException e)
        {
            LOG.log(System.Logger.Level.WARNING, "journal " + directory + " could not be searched for sequence " + sequence +
                " (" + e.getMessage() + "); a replay from this snapshot will read the journal from its start");
            return -1;
        }
    }

    /**
     * Bisection: the last position in [good, bad) where {@code holds} is true, given it holds at {@code good} (or good
     * is -1, before the range) and not at {@code bad}, and holds at most up to some point.
     */
    private static long lastHolding(final long good, final long bad, final java.util.function.LongPredicate holds)
    {
        long lo = good;
        long hi = bad;
        while (hi - lo > 1)
        {
            final long mid = (lo + hi) >>> 1;
            if (holds.test(mid))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /** A record's sequence is at or before the one sought (a missing or undecodable record is not). */
    private static boolean atOrBefore(final long recordSequence, final long sequence)
    {
        return recordSequence != Long.MIN_VALUE && recordSequence <= sequence;
    }

    /** The sequence of the record at an index, or Long.MIN_VALUE when there is none (or it does not decode). */
    private static long sequenceAt(final ExcerptTailer tailer, final long index, final Command scratch)
    {
        if (!tailer.moveToIndex(index))
        {
            return Long.MIN_VALUE;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent() || dc.index() != index)
            {
                return Long.MIN_VALUE;
            }
            CommandCodec.decode(dc.wire().bytes(), scratch);
            return scratch.sequence;
        }
        catch (final RuntimeException e)
        {
            return Long.MIN_VALUE;
        }
    }

    private static boolean hasRecordAfter(final ExcerptTailer tailer)
    {
        try (DocumentContext next = tailer.readingDocument())
        {
            return next.isPresent();
        }
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    public Path directory()
    {
        return directory;
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
