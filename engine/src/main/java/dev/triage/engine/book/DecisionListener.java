package dev.triage.engine.book;

import dev.triage.engine.command.Reply;

/**
 * Told of every assignment the book makes and every assignment that goes back to the queue, with the reasons.
 * Called on the processor thread, in sequence order; must not block or keep the reply.
 */
public interface DecisionListener
{
    /** Why a decision happened. */
    enum Cause
    {
        /** An agent asked and got its best eligible conversation. */
        NEXT_BEST,
        /** A waiting (long-poll) agent was served by a conversation becoming eligible. */
        LONG_POLL,
        /** The assignment was not acknowledged within its lease. */
        LEASE_EXPIRED,
        /** The agent gave it back. */
        RELEASED,
        /** The agent went offline holding it unacknowledged. */
        AGENT_OFFLINE
    }

    /**
     * @param cause NEXT_BEST or LONG_POLL.
     * @param sequence the command that caused it.
     * @param nowMs engine time.
     * @param assignment conversation, agent, score breakdown, candidates, runner-up, lease and wait.
     */
    void onAssigned(Cause cause, long sequence, long nowMs, Reply assignment);

    /**
     * @param cause LEASE_EXPIRED, RELEASED or AGENT_OFFLINE.
     * @param sequence the command that caused it.
     * @param nowMs engine time.
     * @param conversationId the conversation back in the queue.
     * @param agentId the agent that held it.
     */
    void onReturned(Cause cause, long sequence, long nowMs, String conversationId, String agentId);
}
