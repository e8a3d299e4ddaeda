package dev.triage.engine.command;

import com.lmax.disruptor.EventTranslatorTwoArg;
import org.agrona.concurrent.EpochClock;

/**
 * Copies a caller's command into a ring slot and stamps its sequence and time. Stateless and shared: no
 * capturing lambda, no allocation per publish.
 */
public final class CommandTranslator implements EventTranslatorTwoArg<Command, Command, EpochClock>
{
    /** The one instance. */
    public static final CommandTranslator INSTANCE = new CommandTranslator();

    private CommandTranslator()
    {
    }

    @Override
    public void translateTo(final Command slot, final long sequence, final Command source, final EpochClock clock)
    {
        slot.copyFrom(source);
        slot.sequence = sequence;
        slot.timestampMs = clock.time();
    }
}
