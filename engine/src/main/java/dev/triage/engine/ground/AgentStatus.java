package dev.triage.engine.ground;

/**
 * AVAILABLE agents take new work; AWAY agents keep what they hold but take nothing new;
 * going OFFLINE also returns unacknowledged assignments to the queue.
 */
public enum AgentStatus
{
    AVAILABLE, AWAY, OFFLINE
}
