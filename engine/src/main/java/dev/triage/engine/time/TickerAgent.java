package dev.triage.engine.time;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Publishes a TICK into the ring at most every interval when a timer is due, and again at once when the last
 * tick left due timers behind; an engine with nothing due sees no ticks at all. A duty-cycle agent on its own
 * thread; the engine's timers fire only from these ticks.
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
     * @param nextDeadlineMs the earliest timer deadline the engine holds.
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

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        final boolean due = nowMs >= nextTickMs && nowMs >= nextDeadlineMs.getAsLong();
        if ((due || backlog.getAsBoolean()) && publishTick.getAsBoolean())
        {
            nextTickMs = nowMs + intervalMs;
            return 1;
        }
        return 0;
    }

    @Override
    public String roleName()
    {
        return "triage-ticker";
    }
}
