package dev.triage.engine.command;

import dev.triage.engine.ground.Limits;

/**
 * Business outcomes of commands. The engine never throws for these; the API maps each to one gRPC status.
 */
public enum ResultCode
{
    /** Done; for NEXT_BEST, a conversation was assigned. */
    OK("ok"),
    /** NEXT_BEST without a wait found nothing the agent may take. */
    NO_CONVERSATION("no eligible conversation is waiting"),
    /** NEXT_BEST with a wait found nothing and was parked; the answer comes later (never delivered as such). */
    PARKED("answered later: a long-poll waiting for an eligible conversation, or a snapshot being written"),
    /** A parked NEXT_BEST reached its wait without an eligible conversation. */
    TIMED_OUT("no eligible conversation arrived within the wait"),
    /** A parked NEXT_BEST was cancelled because the agent left AVAILABLE or lost capacity. */
    CANCELLED("the wait was cancelled by a change of the agent"),
    /** A parked NEXT_BEST was replaced by a newer NEXT_BEST of the same agent. */
    SUPERSEDED("replaced by a newer request of the same agent"),
    CONVERSATION_NOT_FOUND("no such conversation"),
    AGENT_NOT_FOUND("no such agent"),
    /** OPEN with an existing id and different content. */
    ALREADY_EXISTS("a conversation with this id exists with different content"),
    /** The conversation is in a state that does not allow the command. */
    INVALID_STATE("the conversation's state does not allow this"),
    AGENT_NOT_AVAILABLE("the agent is not AVAILABLE"),
    AGENT_AT_CAPACITY("the agent holds as many conversations as its capacity"),
    /** ACK or RELEASE of a conversation the agent does not hold. */
    NOT_HELD_BY_AGENT("the conversation is not assigned to this agent"),
    /** No unresolved conversation has this incident key. */
    INCIDENT_NOT_FOUND("no such incident (no unresolved conversation has this incident key)"),
    /** An agent may act on a whole incident only while it works one of its leads. */
    NOT_AN_INCIDENT_LEAD("the agent holds none of this incident's leads: a supervisor or an agent working a lead acts for the whole incident"),
    INVALID_ARGUMENT("invalid argument"),
    /**
     * More distinct skill names held than the engine can index ({@link Limits#MAX_SKILL_NAMES}); conversations may
     * not bring new names into the last {@link Limits#SKILL_NAMES_KEPT_FOR_AGENTS}.
     */
    SKILL_LIMIT_REACHED("too many distinct skills in use (conversations may bring new names into " +
        (Limits.MAX_SKILL_NAMES - Limits.SKILL_NAMES_KEPT_FOR_AGENTS) + " of the " + Limits.MAX_SKILL_NAMES +
        " slots; names nothing holds any more are reused)"),
    /** More agents than the engine is configured for. */
    AGENT_LIMIT_REACHED("too many agents"),
    /** A snapshot could not be written (the state is untouched; the detail says why). */
    SNAPSHOT_FAILED("the snapshot could not be written"),
    /** The engine stopped after a fatal error and takes no commands. Set by the publisher. */
    HALTED("the engine has halted"),
    /** The journal's disk is below its reserve: state-changing commands are refused until space is freed. Set by the publisher. */
    JOURNAL_SPACE_LOW("the journal's disk is almost full; changes are refused until space is freed"),
    /** The ring is full: back-pressure, try again later. Set by the publisher, never by the processor. */
    REJECTED("the engine is saturated"),
    /** Cluster mode: no leader is reachable now (an election, or most members down), so the command was not sent. */
    NO_LEADER("no cluster leader is reachable (an election is under way, or most members are down); the command was not applied"),
    /**
     * Cluster mode: sent, but not seen committed within the commit timeout (the leader was lost with it, or most members
     * are down). It may still be applied: check (e.g. the conversation's state) before retrying.
     */
    NOT_COMMITTED("the cluster did not commit the command in time; it may still be applied, so check before retrying");

    private final String description;

    ResultCode(final String description)
    {
        this.description = description;
    }

    /**
     * @return a short human-readable description.
     */
    public String description()
    {
        return description;
    }
}
