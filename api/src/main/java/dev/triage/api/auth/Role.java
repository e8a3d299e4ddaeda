package dev.triage.api.auth;

/**
 * What a bearer token may do.
 */
public enum Role
{
    /** Conversation writes and bulk ingest. */
    INGEST,
    /** NextBest, Ack, Release and status for its own agent only. */
    AGENT,
    /** Views (Top, Stats, GetPolicy) and Release for any agent. */
    SUPERVISOR,
    /** Everything. */
    ADMIN
}
