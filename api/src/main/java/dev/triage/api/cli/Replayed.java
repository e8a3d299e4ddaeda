package dev.triage.api.cli;

import dev.triage.engine.journal.Journal;

import java.util.Locale;

/**
 * How a replay is reported: a rate only where it means something (a few commands replay in a time that is mostly
 * start-up, and "2 commands/s" misleads).
 */
final class Replayed
{
    /** Below this many commands no rate is printed. */
    static final long RATE_FROM_COMMANDS = 100_000;

    private Replayed()
    {
    }

    /**
     * @param result a replay.
     * @return " (N commands/s)" for a large replay, else "".
     */
    static String rate(final Journal.ReplayResult result)
    {
        return result.commands() < RATE_FROM_COMMANDS ? "" : String.format(Locale.ROOT, " (%,.0f commands/s)", result.rate());
    }
}
