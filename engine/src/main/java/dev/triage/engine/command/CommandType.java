package dev.triage.engine.command;

/**
 * Every command the engine understands. Codes are stable: they are what the journal stores, so a code
 * is never renumbered or reused.
 */
public enum CommandType
{
    OPEN(1, true),
    UPDATE(2, true),
    CUSTOMER_REPLIED(3, true),
    AGENT_REPLIED(4, true),
    RESOLVE(5, true),
    REOPEN(6, true),
    NEXT_BEST(7, true),
    ACK(8, true),
    RELEASE(9, true),
    UPSERT_AGENT(10, true),
    AGENT_STATUS(11, true),
    SET_POLICY(12, true),
    TICK(13, true),
    TOP(14, false),
    STATS(15, false),
    /** The server restarted: long-polls of the previous run have no caller any more and are dropped. */
    RESTART(16, true),
    /** Write a snapshot of the state (read-only: not journaled). */
    SNAPSHOT(17, false),
    /** One consistent, bounded view of the queue, agents, incidents and recent history for the console (read-only). */
    VIEW(18, false),
    /**
     * A long-poll's caller went away (a cancelled call, a closed session): the agent's wait ends if it is still the one
     * that NEXT_BEST at the command's target sequence parked. Journaled, so a replay frees the agent at the same point.
     */
    CANCEL_WAIT(19, true),
    /**
     * One answer to a whole incident (a status page, a broadcast): every member waiting or being worked goes to PENDING,
     * journaled once, audited per member.
     */
    INCIDENT_REPLY(20, true),
    /** The fix shipped: every unresolved member of an incident is resolved, journaled once, audited per member. */
    INCIDENT_RESOLVE(21, true),
    /** One incident as it stands: reach, members by state, leads, its oldest waiting member (read-only). */
    INCIDENT_SHOW(22, false);

    private static final CommandType[] BY_CODE = new CommandType[23];

    static
    {
        for (final CommandType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final boolean changesState;

    CommandType(final int code, final boolean changesState)
    {
        this.code = code;
        this.changesState = changesState;
    }

    /**
     * @return the stable code written to the journal.
     */
    public int code()
    {
        return code;
    }

    /**
     * @return true if the command may change engine state and so must be journaled; false for read-only queries.
     */
    public boolean changesState()
    {
        return changesState;
    }

    /**
     * @param code a stable code.
     * @return the type, or null if the code is unknown.
     */
    public static CommandType ofCode(final int code)
    {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
