package dev.triage.engine.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * How often the journal starts a new file (a Chronicle Queue roll cycle). Retention deletes whole files, so the roll
 * is also the granularity of retention. Recorded in {@code engine.properties}: a journal is always reopened with the
 * roll that wrote it.
 */
public enum JournalRoll
{
    FIVE_MINUTES(RollCycles.FIVE_MINUTELY),
    TEN_MINUTES(RollCycles.TEN_MINUTELY),
    HALF_HOUR(RollCycles.HALF_HOURLY),
    HOUR(RollCycles.FAST_HOURLY),
    TWO_HOURS(RollCycles.TWO_HOURLY),
    SIX_HOURS(RollCycles.SIX_HOURLY),
    DAY(RollCycles.FAST_DAILY),
    WEEK(RollCycles.WEEKLY);

    private final RollCycle cycle;

    JournalRoll(final RollCycle cycle)
    {
        this.cycle = cycle;
    }

    /**
     * @return Chronicle's roll cycle.
     */
    public RollCycle rollCycle()
    {
        return cycle;
    }
}
