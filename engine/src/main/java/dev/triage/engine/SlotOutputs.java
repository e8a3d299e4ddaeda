package dev.triage.engine;

import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.book.QueueEventSink;
import dev.triage.engine.command.Reply;
import dev.triage.engine.journal.DecisionRecord;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * What the processor decided while applying one command, kept beside its ring slot (one per slot, preallocated)
 * until the reply stage hands it on: decisions to the decision log, queue events to the watchers. The reply stage
 * runs after the journal (and its force, with fsync durability), so neither the log nor a watcher ever sees
 * anything of a command the journal does not hold, and the ring is the only back-pressure. A slot's records are
 * reused; a slot grows, once, only for a command that decides more than it has room for.
 */
final class SlotOutputs
{
    /** One queue event as primitives and existing strings. */
    private static final class Event
    {
        int kind;
        long sequence;
        long nowMs;
        String conversationId;
        String agentId;
        long scoreUnits;
    }

    private DecisionRecord[] decisions = new DecisionRecord[0];
    private int decisionCount;
    private Event[] events = new Event[0];
    private int eventCount;

    /**
     * Hand everything on, in the order it was decided, and forget it.
     *
     * @param decisionSink receives each decision, or null.
     * @param eventSink receives each queue event, or null.
     */
    void drainTo(final Consumer<DecisionRecord> decisionSink, final QueueEventSink eventSink)
    {
        for (int i = 0; i < decisionCount; i++)
        {
            if (decisionSink != null)
            {
                decisionSink.accept(decisions[i]);
            }
            decisions[i].clear();
        }
        decisionCount = 0;
        for (int i = 0; i < eventCount; i++)
        {
            final Event e = events[i];
            if (eventSink != null)
            {
                eventSink.onQueueEvent(e.kind, e.sequence, e.nowMs, e.conversationId, e.agentId, e.scoreUnits);
            }
            e.conversationId = null;
            e.agentId = null;
        }
        eventCount = 0;
    }

    private DecisionRecord nextDecision()
    {
        if (decisionCount == decisions.length)
        {
            decisions = Arrays.copyOf(decisions, Math.max(2, decisionCount * 2));
            for (int i = decisionCount; i < decisions.length; i++)
            {
                decisions[i] = new DecisionRecord();
            }
        }
        return decisions[decisionCount++];
    }

    private Event nextEvent()
    {
        if (eventCount == events.length)
        {
            events = Arrays.copyOf(events, Math.max(4, eventCount * 2));
            for (int i = eventCount; i < events.length; i++)
            {
                events[i] = new Event();
            }
        }
        return events[eventCount++];
    }

    /**
     * The book's listener on the processor thread: records into the outputs of the command being applied.
     */
    static final class Collector implements DecisionListener, QueueEventSink
    {
        private final SlotOutputs[] slots;
        private final int mask;
        private final boolean decisions;
        private final QueueEventSink watchers;
        private SlotOutputs current;

        /**
         * @param ringSize slots, a power of two.
         * @param decisions whether decisions are wanted (a decision log or observer exists).
         * @param watchers the event sink, asked whether anyone watches before an event is recorded; or null.
         */
        Collector(final int ringSize, final boolean decisions, final QueueEventSink watchers)
        {
            slots = new SlotOutputs[ringSize];
            for (int i = 0; i < ringSize; i++)
            {
                slots[i] = new SlotOutputs();
            }
            mask = ringSize - 1;
            this.decisions = decisions;
            this.watchers = watchers;
        }

        /**
         * @param ringSequence the slot the processor applies next.
         */
        void applying(final long ringSequence)
        {
            current = slots[(int)(ringSequence & mask)];
        }

        /**
         * @param ringSequence a slot the journal and the processor have passed.
         * @return its outputs.
         */
        SlotOutputs of(final long ringSequence)
        {
            return slots[(int)(ringSequence & mask)];
        }

        @Override
        public void onAssigned(final Cause cause, final long sequence, final long nowMs, final Reply assignment)
        {
            if (decisions)
            {
                current.nextDecision().assigned(cause, sequence, nowMs, assignment);
            }
        }

        @Override
        public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
        {
            if (decisions)
            {
                current.nextDecision().returned(cause, sequence, nowMs, conversationId, agentId);
            }
        }

        @Override
        public void onQueueEvent(final int kind, final long sequence, final long nowMs, final String conversationId, final String agentId,
            final long scoreUnits)
        {
            if (watchers != null && watchers.active())
            {
                final Event e = current.nextEvent();
                e.kind = kind;
                e.sequence = sequence;
                e.nowMs = nowMs;
                e.conversationId = conversationId;
                e.agentId = agentId;
                e.scoreUnits = scoreUnits;
            }
        }
    }
}
