package dev.triage.engine.book;

/**
 * Told of every change a queue watcher cares about. Called on the processor thread with primitives and existing
 * strings only: implementations copy what they need and return at once, never block.
 */
@FunctionalInterface
public interface QueueEventSink
{
    int OPENED = 1;
    int ASSIGNED = 2;
    /** Back in the queue: released, lease expired or agent offline. */
    int RETURNED = 3;
    /** An agent replied; waiting on the customer. */
    int PENDING = 4;
    int RESOLVED = 5;
    /** Back in the queue after a customer reply or a reopen. */
    int REOPENED = 6;
    int SLA_AT_RISK = 7;
    int SLA_BREACHED = 8;

    /**
     * @param kind one of the constants above.
     * @param sequence the command that caused it.
     * @param nowMs engine time.
     * @param conversationId the conversation.
     * @param agentId the agent involved, or null.
     * @param scoreUnits the score for ASSIGNED, else 0.
     */
    void onQueueEvent(int kind, long sequence, long nowMs, String conversationId, String agentId, long scoreUnits);

    /**
     * @return false when nobody would receive events now: the engine then records none (a server without watchers
     *         pays nothing for them).
     */
    default boolean active()
    {
        return true;
    }

    /** Called after each batch of commands whose events were handed over: the moment to wake a consumer, once. */
    default void endOfBatch()
    {
    }
}
