package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;

/**
 * Stage 2, the single writer: applies each command to the {@link TriageBook}. Writes the command's
 * {@code replyDeferred} and its reply's outcome; runs on the processor thread only.
 */
final class ProcessorHandler implements EventHandler<Command>
{
    private final TriageBook book;
    private volatile boolean timersBacklog;

    ProcessorHandler(final TriageBook book)
    {
        this.book = book;
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
    {
        book.apply(command);
        if (command.type == CommandType.TICK && book.timersBacklog())
        {
            timersBacklog = true;
        }
    }

    /**
     * Called by the ticker: true once after a TICK left due timers behind.
     *
     * @return whether another TICK is wanted now.
     */
    boolean takeTimersBacklog()
    {
        if (timersBacklog)
        {
            timersBacklog = false;
            return true;
        }
        return false;
    }
}
