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
        // A product must not phone home; set before Chronicle's classes initialise.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    /** What a replay found. */
    public record ReplayResult(long commands, long lastSequence, long nanos)
    {
        /**
         * @return commands per second.
         */
        public double rate()
        {
            return nanos == 0 ? 0 : commands * 1e9 / nanos;
        }
    }

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
        long count = 0;
        long read = 0;
        long lastSequence = -1;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    try
                    {
                        CommandCodec.decode(dc.wire().bytes(), command);
                    }
                    catch (final RuntimeException e)
                    {
                        throw new JournalFormatException("journal " + directory + ": record " + read + " at index 0x" +
                            Long.toHexString(dc.index()) + " cannot be read (" + e.getMessage() + "); records before it are intact");
                    }
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
        }
        return new ReplayResult(count, Math.max(lastSequence, afterSequence), System.nanoTime() - start);
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
