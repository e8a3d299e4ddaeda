package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;

/**
 * Stage 2, the single writer: applies each command to the {@link TriageBook}. Writes the command's
 * {@code replyDeferred} and its reply's outcome; runs on the processor thread only. Publishes, for the ticker,
 * whether timers are left over and when the next one is due.
 */
final class ProcessorHandler implements EventHandler<Command>
{
    private final TriageBook book;
    private volatile boolean timersBacklog;
    private volatile long nextTimerDeadlineMs = Long.MAX_VALUE;

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
        if (endOfBatch)
        {
            nextTimerDeadlineMs = book.nextTimerDeadlineMs();
        }
    }

    /**
     * Read by the ticker: it publishes a TICK only when a timer is due, so an idle engine sees no events.
     *
     * @return the earliest armed timer deadline as of the last batch, or Long.MAX_VALUE.
     */
    long nextTimerDeadlineMs()
    {
        return nextTimerDeadlineMs;
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
