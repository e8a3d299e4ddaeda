package dev.triage.engine.book;

import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timers room on its own: which deadline a conversation's state arms, firing in deadline then opening order, at
 * most the limit per tick with the backlog reported, and cancelling; the handler is a recorder.
 */
class ConversationTimersTest
{
    private static final long T0 = 1_767_225_600_000L;
    private final Policy policy = Policy.builder().leaseMs(30_000).relaxPreferredAfterMs(300_000).build();
    private final List<Integer> fired = new ArrayList<>();
    private final ConversationTimers.TimerHandler recorder = new ConversationTimers.TimerHandler()
    {
        @Override
        public void onConversationDue(final int conversationHandle)
        {
            fired.add(conversationHandle);
        }

        @Override
        public void onLongPollTimedOut(final int agentHandle)
        {
            throw new AssertionError("no agent is parked");
        }
    };

    @Test
    void shouldArmTheDeadlineTheStateCallsFor()
    {
        final Conversation open = conversation(0, 1, ConversationState.OPEN);
        assertEquals(Long.MAX_VALUE, ConversationTimers.nextDeadlineMs(policy, open), "no SLA, no preferred skills: no timer");
        open.preferredSet = 1;
        assertEquals(T0 + 300_000, ConversationTimers.nextDeadlineMs(policy, open), "preferred skills relax after 5 min");
        final Conversation assigned = conversation(1, 2, ConversationState.ASSIGNED);
        assigned.leaseDeadlineMs = T0 + 30_000;
        assertEquals(T0 + 30_000, ConversationTimers.nextDeadlineMs(policy, assigned), "the lease");
        assigned.acked = true;
        assertEquals(Long.MAX_VALUE, ConversationTimers.nextDeadlineMs(policy, assigned), "acknowledged: no lease");
        assertEquals(Long.MAX_VALUE, ConversationTimers.nextDeadlineMs(policy, conversation(2, 3, ConversationState.PENDING)));
    }

    @Test
    void shouldFireByDeadlineThenOpeningOrderAtMostTheLimitPerTick()
    {
        final ConversationTimers timers = new ConversationTimers(16, new ParkedAgents(16), 2);
        final Conversation late = leased(0, 10, T0 + 2_000);
        final Conversation tieSecond = leased(1, 30, T0 + 1_000);
        final Conversation tieFirst = leased(2, 20, T0 + 1_000);
        final Conversation cancelled = leased(3, 5, T0 + 500);
        for (final Conversation c : new Conversation[]{ late, tieSecond, tieFirst, cancelled })
        {
            timers.schedule(policy, c);
        }
        timers.cancel(cancelled);
        assertFalse(timers.isArmed(cancelled.handle));
        assertEquals(T0 + 1_000, timers.nextDeadlineMs());

        timers.fire(T0 + 999, recorder);
        assertTrue(fired.isEmpty(), "nothing is due yet");
        timers.fire(T0 + 5_000, recorder);
        assertEquals(List.of(2, 1), fired, "the tie goes to the earlier-opened conversation; the limit is 2");
        assertTrue(timers.backlog(), "one due timer was left for the next tick");
        timers.fire(T0 + 5_000, recorder);
        assertEquals(List.of(2, 1, 0), fired);
        assertFalse(timers.backlog());
        assertEquals(Long.MAX_VALUE, timers.nextDeadlineMs());
        assertNull(timers.validate());
    }

    private Conversation leased(final int handle, final long openSeq, final long leaseDeadlineMs)
    {
        final Conversation c = conversation(handle, openSeq, ConversationState.ASSIGNED);
        c.leaseDeadlineMs = leaseDeadlineMs;
        return c;
    }

    private static Conversation conversation(final int handle, final long openSeq, final ConversationState state)
    {
        final Conversation c = new Conversation(handle);
        c.id = "c" + handle;
        c.openSeq = openSeq;
        c.waitingSinceMs = T0;
        c.state = state;
        return c;
    }
}
