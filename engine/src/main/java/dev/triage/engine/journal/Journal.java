package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The command journal: a Chronicle Queue directory rolled hourly. Appends come from the {@link JournalHandler}
 * stage; {@link #replay} reads every record back in order.
 */
public final class Journal implements AutoCloseable
{
    static
    {
        ChronicleDefaults.apply();
    }

    /** What a replay found: commands applied, the last sequence, time taken, quarantined records skipped. */
    public record ReplayResult(long commands, long lastSequence, long nanos, long quarantined)
    {
        /**
         * @return an empty result (no journal).
         */
        public static ReplayResult none()
        {
            return new ReplayResult(0, -1, 0, 0);
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
    private final ChronicleQueue queue;

    private final boolean forced;

    /**
     * @param directory created if missing; appends reach the page cache only.
     */
    public Journal(final Path directory)
    {
        this(directory, false);
    }

    /**
     * @param directory created if missing.
     * @param forced true to allow {@link JournalHandler} to msync appends to disk (Chronicle's SyncMode.SYNC).
     */
    public Journal(final Path directory, final boolean forced)
    {
        this.directory = directory;
        this.forced = forced;
        queue = SingleChronicleQueueBuilder.binary(directory).rollCycle(RollCycles.FAST_HOURLY)
            .syncMode(forced ? SyncMode.SYNC : SyncMode.NONE).build();
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
        return replayAfter(-1, apply);
    }

    /**
     * Read every record, applying those after a snapshot's sequence.
     *
     * @param afterSequence records with this sequence or lower are read and checked but not applied.
     * @param apply receives each later command (reused between calls; reply null).
     * @return how many were applied, and the last sequence in the journal (or {@code afterSequence}).
     * @throws JournalFormatException naming the record index that cannot be read.
     */
    public ReplayResult replayAfter(final long afterSequence, final Consumer<Command> apply)
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
        return new ReplayResult(count, Math.max(lastSequence, afterSequence), System.nanoTime() - start, skipped);
    }

    private static boolean hasRecordAfter(final ExcerptTailer tailer)
    {
        try (DocumentContext next = tailer.readingDocument())
        {
            return next.isPresent();
        }
    }

    ChronicleQueue queue()
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
