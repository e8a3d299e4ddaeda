package dev.triage.engine.ground;

/**
 * Lifecycle: OPEN (in the queue) -> ASSIGNED -> PENDING (waiting on the customer, out of the queue)
 * -> OPEN again on a customer reply ... -> RESOLVED (may be reopened).
 */
public enum ConversationState
{
    OPEN, ASSIGNED, PENDING, RESOLVED
}
