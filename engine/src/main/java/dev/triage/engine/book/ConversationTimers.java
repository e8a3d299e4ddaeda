package dev.triage.engine.book;

import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.policy.Policy;

/**
 * The book's timers. Each conversation has at most one armed, at its next deadline: while OPEN, its next SLA band
 * change, the relaxation of its preferred skills, or the end of its urgency's wait bound (when it escalates); while ASSIGNED and not acknowledged, its lease expiry. Each
 * parked agent has its long-poll time-out (kept by {@link ParkedAgents}). A TICK fires what is due, at most
 * {@code limitPerTick} of each kind, through a {@link TimerHandler}: the timers know when, the handler decides what.
 * Ties fire in the order the conversations were opened, so the same journal always fires the same timers.
 */
final class ConversationTimers
{
    /** What firing a timer does; implemented by the assignment desk. */
    interface TimerHandler
    {
        /**
         * @param conversationHandle a conversation whose deadline passed (its timer is already disarmed).
         */
        void onConversationDue(int conversationHandle);

        /**
         * @param agentHandle a parked agent whose long-poll timed out (still parked).
         */
        void onLongPollTimedOut(int agentHandle);
    }

    private final IntrusiveHeap heap;
    private final ParkedAgents parked;
    private final int limitPerTick;
    private boolean backlog;

    /**
     * @param expectedConversations initial sizing.
     * @param parked the parked agents, whose time-outs fire here too.
     * @param limitPerTick timers of each kind one TICK may fire.
     */
    ConversationTimers(final int expectedConversations, final ParkedAgents parked, final int limitPerTick)
    {
        heap = new IntrusiveHeap(new IntrusiveHeap.Positions(expectedConversations), expectedConversations);
        this.parked = parked;
        this.limitPerTick = limitPerTick;
    }

    /**
     * @return when the conversation's timer should fire as things stand, or Long.MAX_VALUE for none.
     */
    static long nextDeadlineMs(final Policy policy, final Conversation c)
    {
        if (c.state == ConversationState.OPEN)
        {
            long deadline = policy.nextSlaChangeMs(c.respondByMs, c.slaBand);
            if (c.preferredSet != SkillRegistry.EMPTY && !c.relaxed)
            {
                deadline = Math.min(deadline, c.waitingSinceMs + policy.relaxPreferredAfterMs());
            }
            final long maxWaitMs = policy.maxWaitMs(c.urgency());
            if (maxWaitMs > 0 && !c.escalated)
            {
                deadline = Math.min(deadline, c.waitingSinceMs + maxWaitMs);
            }
            return deadline;
        }
        return c.state == ConversationState.ASSIGNED && !c.acked ? c.leaseDeadlineMs : Long.MAX_VALUE;
    }

    /** Arm, move or disarm the conversation's timer to match its state. */
    void schedule(final Policy policy, final Conversation c)
    {
        final long deadline = nextDeadlineMs(policy, c);
        final boolean armed = heap.contains(c.handle);
        if (deadline == Long.MAX_VALUE)
        {
            if (armed)
            {
                heap.remove(c.handle);
            }
        }
        else if (armed)
        {
            heap.update(c.handle, deadline, c.openSeq);
        }
        else
        {
            heap.add(c.handle, deadline, c.openSeq);
        }
    }

    /** Disarm the conversation's timer, if armed. */
    void cancel(final Conversation c)
    {
        if (heap.contains(c.handle))
        {
            heap.remove(c.handle);
        }
    }

    boolean isArmed(final int conversationHandle)
    {
        return heap.contains(conversationHandle);
    }

    /**
     * Fire what is due at {@code nowMs}: conversations first, then long-polls, each up to the limit.
     */
    void fire(final long nowMs, final TimerHandler handler)
    {
        int fired = 0;
        while (fired < limitPerTick && !heap.isEmpty() && heap.primaryAt(0) <= nowMs)
        {
            final int handle = heap.idAt(0);
            heap.remove(handle);
            handler.onConversationDue(handle);
            fired++;
        }
        final boolean conversationsLeft = !heap.isEmpty() && heap.primaryAt(0) <= nowMs;
        fired = 0;
        while (fired < limitPerTick && parked.earliestTimeoutMs() <= nowMs)
        {
            handler.onLongPollTimedOut(parked.earliestTimeoutHandle());
            fired++;
        }
        backlog = conversationsLeft || parked.earliestTimeoutMs() <= nowMs;
    }

    /**
     * @return the earliest deadline of any armed timer, long-polls included, or Long.MAX_VALUE.
     */
    long nextDeadlineMs()
    {
        return Math.min(heap.isEmpty() ? Long.MAX_VALUE : heap.primaryAt(0), parked.earliestTimeoutMs());
    }

    /**
     * @return true if the last firing left due timers behind (another TICK is wanted at once).
     */
    boolean backlog()
    {
        return backlog;
    }

    /**
     * @return null when the heap is consistent, else the problem.
     */
    String validate()
    {
        return heap.validate();
    }
}
