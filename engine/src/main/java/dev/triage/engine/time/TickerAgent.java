package dev.triage.engine.time;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Publishes a TICK into the ring at most every interval when a timer is due, and again at once when the last
 * tick left due timers behind; an engine with nothing due sees no ticks at all. The engine's timers fire only
 * from these ticks. Runs on a {@link WakeableAgentThread} that sleeps until the next timer is due
 * ({@link #sleepNanos()}), or for good while none is armed; the processor wakes it when it arms an earlier timer, so
 * an idle engine's ticker never wakes.
 */
public final class TickerAgent implements Agent
{
    private final EpochClock clock;
    private final long intervalMs;
    private final BooleanSupplier publishTick;
    private final BooleanSupplier backlog;
    private final LongSupplier nextDeadlineMs;
    private long nextTickMs;

    /**
     * @param clock the engine's clock.
     * @param intervalMs tick interval.
     * @param publishTick publishes one TICK, false when the ring refused it.
     * @param backlog true once when another tick is wanted now.
     * @param nextDeadlineMs the earliest timer deadline the engine holds (Long.MAX_VALUE for none).
     */
    public TickerAgent(
        final EpochClock clock,
        final long intervalMs,
        final BooleanSupplier publishTick,
        final BooleanSupplier backlog,
        final LongSupplier nextDeadlineMs)
    {
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.publishTick = publishTick;
        this.backlog = backlog;
        this.nextDeadlineMs = nextDeadlineMs;
    }

    /**
     * One duty cycle: publish a TICK if one is due.
     *
     * @return 1 if a tick was published, else 0.
     */
    @Override
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
     * On the ticker's thread, after a cycle without work.
     *
     * @return how long it may sleep: until the next tick may be due, or Long.MAX_VALUE while no timer is armed.
     */
    public long sleepNanos()
    {
        final long deadlineMs = nextDeadlineMs.getAsLong();
        if (deadlineMs == Long.MAX_VALUE)
        {
            return Long.MAX_VALUE;
        }
        return Math.max(0, TimeUnit.MILLISECONDS.toNanos(Math.max(deadlineMs, nextTickMs) - clock.time()));
    }

    @Override
    public String roleName()
    {
        return "triage-ticker";
    }
}
