package dev.triage.engine.journal;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.command.Command;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Stage 1, beside the processor: appends every state-changing command to the journal before its reply may go
 * out. Reads the command's inputs, writes nothing to the event. The appender is created on this stage's thread,
 * as Chronicle requires. A failure to append is thrown, and the engine halts.
 * <p>
 * Durability: the append lands in the memory-mapped file (the page cache), so it survives a killed process but
 * not a power loss.
 */
public final class JournalHandler implements EventHandler<Command>
{
    private final Journal journal;
    private ExcerptAppender appender;

    /**
     * @param journal the journal to append to.
     */
    public JournalHandler(final Journal journal)
    {
        this.journal = journal;
    }

    @Override
    public void onStart()
    {
        appender = journal.queue().createAppender();
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
    {
        if (command.type.changesState())
        {
            append(command);
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
        try (DocumentContext dc = appender.writingDocument())
        {
            CommandCodec.encode(command, dc.wire().bytes());
        }
    }

    @Override
    public void onShutdown()
    {
        if (appender != null)
        {
            appender.close();
        }
    }
}
