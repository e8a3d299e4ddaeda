package dev.triage.engine.command;

import com.lmax.disruptor.EventTranslatorTwoArg;
import org.agrona.concurrent.EpochClock;

/**
 * Copies a caller's command into a ring slot and stamps its sequence and time (on the slot, and on the caller's
 * reply). One per engine, immutable: no capturing lambda, no allocation per publish. Sequences continue those of the journal, so they grow across
 * restarts.
 */
public final class CommandTranslator implements EventTranslatorTwoArg<Command, Command, EpochClock>
{
    private final long sequenceBase;

    /**
     * @param sequenceBase the sequence of the ring's first slot (one past the journal's last).
     */
    public CommandTranslator(final long sequenceBase)
    {
        this.sequenceBase = sequenceBase;
    }

    /**
     * @return the sequence of the ring's first slot.
     */
    public long sequenceBase()
    {
        return sequenceBase;
    }

    @Override
    public void translateTo(final Command slot, final long sequence, final Command source, final EpochClock clock)
    {
        slot.copyFrom(source);
        slot.sequence = sequenceBase + sequence;
        slot.timestampMs = clock.time();
        if (slot.reply != null)
        {
            // Before the slot is visible to any stage: the publisher learns its call's sequence, which a later
            // CANCEL_WAIT names when the caller of a long-poll goes away.
            slot.reply.sequence = slot.sequence;
        }
    }
}
