package dev.triage.engine.time;

import org.agrona.concurrent.EpochClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Publishes a TICK into the ring at most every interval when a timer is due, and again at once when the last
 * tick left due timers behind; an engine with nothing due sees no ticks at all. The engine's timers fire only
 * from these ticks. Between ticks its thread sleeps until the next timer is due, or for good while none is armed;
 * the processor wakes it ({@link #wake()}) when it arms an earlier timer, so an idle engine's ticker never wakes.
 */
public final class TickerAgent implements AutoCloseable
{
    private final EpochClock clock;
    private final long intervalMs;
    private final BooleanSupplier publishTick;
    private final BooleanSupplier backlog;
    private final LongSupplier nextDeadlineMs;
    private final Consumer<Throwable> onError;
    private final Thread thread;
    private volatile boolean running = true;
    private long nextTickMs;

    /**
     * @param clock the engine's clock.
     * @param intervalMs tick interval.
     * @param publishTick publishes one TICK, false when the ring refused it.
     * @param backlog true once when another tick is wanted now.
     * @param nextDeadlineMs the earliest timer deadline the engine holds (Long.MAX_VALUE for none).
     * @param onError told of a failure in one duty cycle; the ticker carries on.
     */
    public TickerAgent(
        final EpochClock clock,
        final long intervalMs,
        final BooleanSupplier publishTick,
        final BooleanSupplier backlog,
        final LongSupplier nextDeadlineMs,
        final Consumer<Throwable> onError)
    {
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.publishTick = publishTick;
        this.backlog = backlog;
        this.nextDeadlineMs = nextDeadlineMs;
        this.onError = onError;
        thread = new Thread(this::run, "triage-ticker");
        thread.setDaemon(true);
    }

    /**
     * Start the ticker's thread.
     */
    public void start()
    {
        thread.start();
    }

    /**
     * One duty cycle: publish a TICK if one is due.
     *
     * @return 1 if a tick was published, else 0.
     */
    public int doWork()
    {
        final long nowMs = clock.time();
        final boolean due = nowMs >= nextTickMs && nowMs >= nextDeadlineMs.getAsLong();
        if (due || backlog.getAsBoolean())
        {
            // A full ring refuses the tick: try again after one interval rather than spin.
            nextTickMs = nowMs + intervalMs;
            return publishTick.getAsBoolean() ? 1 : 0;
        }
        return 0;
    }

    /**
     * Wake the ticker to look again at the next deadline: called by the processor when it armed a timer earlier
     * than any before, or left due timers behind. Any thread.
     */
    public void wake()
    {
        LockSupport.unpark(thread);
    }

    /**
     * Stop the thread and wait for it.
     */
    @Override
    public void close()
    {
        running = false;
        wake();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        while (running)
        {
            try
            {
                if (doWork() == 0)
                {
                    sleepUntilDue();
                }
            }
            catch (final Throwable t)
            {
                onError.accept(t);
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(Math.max(1, intervalMs)));
            }
        }
    }

    /** Parked until the next tick may be due, or for good while no timer is armed; {@link #wake()} ends either. */
    private void sleepUntilDue()
    {
        final long deadlineMs = nextDeadlineMs.getAsLong();
        if (deadlineMs == Long.MAX_VALUE)
        {
            LockSupport.park(this);
            return;
        }
        final long waitMs = Math.max(deadlineMs, nextTickMs) - clock.time();
        if (waitMs > 0)
        {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(waitMs));
        }
    }
}
