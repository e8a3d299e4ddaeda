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
    private static final Command SNAPSHOT = Command.of(CommandType.SNAPSHOT);

    private final TriageBook book;
    private final long snapshotEvery;
    private final Command snapshot = new Command();
    private long sinceSnapshot;
    private volatile boolean timersBacklog;
    private volatile long nextTimerDeadlineMs;
    private Runnable wakeTicker = () -> { };
    private final SlotOutputs.Collector outputs;

    /**
     * @param book the recovered book: timers that fell due while the engine was down are due at once.
     * @param snapshotEvery commands between periodic snapshots, 0 for none.
     * @param outputs where the book's decisions and queue events of each command go, or null.
     */
    ProcessorHandler(final TriageBook book, final long snapshotEvery, final SlotOutputs.Collector outputs)
    {
        this.outputs = outputs;
        this.book = book;
        this.snapshotEvery = snapshotEvery;
        nextTimerDeadlineMs = book.nextTimerDeadlineMs();
    }

    /**
     * @param wakeTicker called when an earlier timer is armed or due timers are left behind; set before start.
     */
    void wakeTicker(final Runnable wakeTicker)
    {
        this.wakeTicker = wakeTicker;
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
    {
        if (outputs != null)
        {
            outputs.applying(sequence);
        }
        book.apply(command);
        if (snapshotEvery > 0 && command.type.changesState() && ++sinceSnapshot >= snapshotEvery)
        {
            sinceSnapshot = 0;
            takePeriodicSnapshot(command);
        }
        if (command.type == CommandType.TICK && book.timersBacklog())
        {
            timersBacklog = true;
            wakeTicker.run();
        }
        if (endOfBatch)
        {
            final long next = book.nextTimerDeadlineMs();
            final long before = nextTimerDeadlineMs;
            if (next != before)
            {
                nextTimerDeadlineMs = next;
                if (next < before)
                {
                    // The ticker sleeps until the deadline it last saw: only an earlier one needs it awake.
                    wakeTicker.run();
                }
            }
        }
    }

    private void takePeriodicSnapshot(final Command after)
    {
        snapshot.copyFrom(SNAPSHOT);
        snapshot.sequence = after.sequence;
        snapshot.timestampMs = after.timestampMs;
        snapshot.reply = null;
        // Only asks: the snapshot is built and written off this thread, which logs it.
        book.apply(snapshot);
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
