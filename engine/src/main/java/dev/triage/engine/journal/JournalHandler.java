package dev.triage.engine.journal;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.command.Command;
import net.openhft.chronicle.queue.ExcerptAppender;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Stage 1, beside the processor: appends every state-changing command to the journal before its reply may go
 * out, each record linked to the one before it. Reads the command's inputs, writes nothing to the event. The appender
 * is created on this stage's thread, as Chronicle requires. A failure to append is thrown, and the engine halts.
 * <p>
 * Durability: an append lands in the memory-mapped file (the page cache), so it survives a killed process. With a
 * forced journal, the end of each batch msyncs what the batch appended before the stage reports progress, so no
 * reply of the batch leaves before its command is on disk: group commit, one force per batch. Then the batch end
 * advances the {@link JournalWatermark}, so the watermark never claims a record the journal may lack.
 */
public final class JournalHandler implements EventHandler<Command>
{
    private final Journal journal;
    private final JournalSpace space;
    private final JournalWatermark watermark;
    private final SpaceAhead ahead = new SpaceAhead();
    private ExcerptAppender appender;
    private MethodHandle sync;
    private boolean unforced;
    /** The sequence of the last record journaled, which the next one links to; unknown until the first append. */
    private long previous;
    private boolean previousKnown;
    private long highest = -1;

    /**
     * For tools and tests: appends after the journal's last record, found on the first append.
     *
     * @param journal the journal to append to.
     */
    public JournalHandler(final Journal journal)
    {
        this(journal, null, null, -1);
        previousKnown = false;
    }

    /**
     * @param journal the journal to append to.
     * @param space the journal disk's monitor, refreshed at batch ends (at most every 100 ms), or null.
     * @param watermark advanced at every batch end, or null.
     * @param lastJournaled the sequence of the journal's last readable record as recovery found it (-1 for none): the
     * first append links to it.
     */
    public JournalHandler(final Journal journal, final JournalSpace space, final JournalWatermark watermark, final long lastJournaled)
    {
        this.journal = journal;
        this.space = space;
        this.watermark = watermark;
        previous = lastJournaled;
        previousKnown = true;
    }

    @Override
    public void onStart()
    {
        appender = journal.queue().createAppender();
        if (journal.forced())
        {
            sync = syncOf(appender);
        }
    }

    /**
     * Chronicle declares sync() (msync up to the write position) only on its package-private appender class, so it is
     * bound once here; a version without it fails at start rather than run with weaker durability than configured.
     */
    private static MethodHandle syncOf(final ExcerptAppender appender)
    {
        try
        {
            final Method method = appender.getClass().getMethod("sync");
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method);
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new IllegalStateException("fsync durability needs Chronicle's appender sync(), not found in " +
                appender.getClass().getName(), e);
        }
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
    {
        if (command.type.changesState())
        {
            append(command);
            unforced = journal.forced();
        }
        highest = Math.max(highest, command.sequence);
        if (endOfBatch)
        {
            if (unforced)
            {
                force();
                unforced = false;
            }
            if (watermark != null)
            {
                watermark.advance(previous, highest);
            }
            if (space != null)
            {
                if (ahead.ensure())
                {
                    space.aheadHeld(JournalSpace.JOURNAL);
                }
                else
                {
                    space.aheadFailed(JournalSpace.JOURNAL);
                }
                space.checkAtMostEveryInterval(System.nanoTime());
            }
        }
    }

    /**
     * @return the sequence of the last record this stage journaled (or recovery found), -1 for none.
     */
    public long lastJournaled()
    {
        return previous;
    }

    private void force()
    {
        try
        {
            sync.invoke(appender);
        }
        catch (final Throwable t)
        {
            // A journal that cannot be forced is a journal failure: fatal, the engine halts.
            throw new IllegalStateException("journal force failed", t);
        }
    }

    /**
     * Append one command on the calling thread (tests and tools; the live engine appends in {@link #onEvent}).
     *
     * @param command the command.
     */
    public void append(final Command command)
    {
        if (appender == null)
        {
            appender = journal.queue().createAppender();
        }
        if (!previousKnown)
        {
            previous = journal.lastRecordSequence();
            previousKnown = true;
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            CommandCodec.encode(command, previous, dc.wire().bytes());
            ahead.appended(dc.wire().bytes());
        }
        previous = command.sequence;
    }

    @Override
    public void onShutdown()
    {
        ahead.close();
        if (appender != null)
        {
            appender.close();
        }
    }
}
