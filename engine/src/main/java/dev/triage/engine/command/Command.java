package dev.triage.engine.command;

import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;

/**
 * One command: the ring's preallocated slot, and also the caller's request that is copied into a slot
 * on publish (so callers may reuse their own instance).
 * <p>
 * Field ownership in the ring: the publisher writes every input field and {@link #timestampMs};
 * the processor writes {@link #sequence} and {@link #replyDeferred}; the reply stage reads them and
 * finally calls {@link #clear()} to drop references.
 */
public final class Command
{
    /** UPDATE sets the urgency. */
    public static final int UPDATE_URGENCY = 1;
    /** UPDATE sets the impact. */
    public static final int UPDATE_IMPACT = 2;
    /** UPDATE replaces required and preferred skills. */
    public static final int UPDATE_SKILLS = 4;
    /** UPDATE sets the incident key (null leaves any incident). */
    public static final int UPDATE_INCIDENT = 8;
    /** UPDATE sets the SLA deadline (0 clears it). */
    public static final int UPDATE_RESPOND_BY = 16;

    private static final String[] NO_SKILLS = new String[0];

    public CommandType type;
    /** Stamped when the command enters the ring; the processor's only notion of "now". */
    public long timestampMs;
    public long sequence;
    /**
     * Read back from a journal record only: the sequence of the record before it (-1 for the first), or
     * {@code CommandCodec.UNLINKED} for a record that carries no link.
     */
    public long previousSequence;

    public String conversationId;
    public String agentId;
    public String incidentKey;
    public Urgency urgency;
    public int impact;
    public String[] requiredSkills = NO_SKILLS;
    public String[] preferredSkills = NO_SKILLS;
    /** 0 means "now" (the command's timestamp). */
    public long waitingSinceMs;
    /** 0 means no SLA deadline. */
    public long respondByMs;
    public long maxWaitMs;
    public int capacity;
    public AgentStatus agentStatus;
    public int updateFlags;
    public Policy policy;
    public int topN;
    /** CANCEL_WAIT: the sequence of the NEXT_BEST whose wait ends. */
    public long targetSequence;
    /** INCIDENT_REPLY: what answered the incident's members (a status page, a broadcast message's id), or null. */
    public String reference;

    /** Where the answer goes; null for commands nobody waits on (TICK). */
    public Reply reply;
    /** Set by the processor when the answer is given later (a parked NEXT_BEST). */
    public boolean replyDeferred;

    /**
     * Copy every input from {@code source}; used by the publishing translator.
     *
     * @param source the caller's command.
     */
    public void copyFrom(final Command source)
    {
        type = source.type;
        conversationId = source.conversationId;
        agentId = source.agentId;
        incidentKey = source.incidentKey;
        urgency = source.urgency;
        impact = source.impact;
        requiredSkills = source.requiredSkills;
        preferredSkills = source.preferredSkills;
        waitingSinceMs = source.waitingSinceMs;
        respondByMs = source.respondByMs;
        maxWaitMs = source.maxWaitMs;
        capacity = source.capacity;
        agentStatus = source.agentStatus;
        updateFlags = source.updateFlags;
        policy = source.policy;
        topN = source.topN;
        targetSequence = source.targetSequence;
        reference = source.reference;
        reply = source.reply;
        replyDeferred = false;
        timestampMs = source.timestampMs;
    }

    /**
     * Drop references so that a slot does not keep garbage alive; called by the last stage.
     */
    public void clear()
    {
        type = null;
        conversationId = null;
        agentId = null;
        incidentKey = null;
        urgency = null;
        impact = 0;
        requiredSkills = NO_SKILLS;
        preferredSkills = NO_SKILLS;
        waitingSinceMs = 0;
        respondByMs = 0;
        maxWaitMs = 0;
        capacity = 0;
        agentStatus = null;
        updateFlags = 0;
        policy = null;
        topN = 0;
        targetSequence = 0;
        reference = null;
        reply = null;
        replyDeferred = false;
    }

    /**
     * @param id client id.
     * @param urgency urgency.
     * @param impact customers affected, >= 1.
     * @param requiredSkills skills an agent must hold.
     * @return a new OPEN command; other fields (incident, preferred skills, SLA, waiting since) may be set after.
     */
    public static Command open(final String id, final Urgency urgency, final int impact, final String... requiredSkills)
    {
        final Command command = of(CommandType.OPEN);
        command.conversationId = id;
        command.urgency = urgency;
        command.impact = impact;
        command.requiredSkills = requiredSkills;
        return command;
    }

    /**
     * @param type type.
     * @param conversationId conversation id.
     * @return a command on one conversation (CUSTOMER_REPLIED, AGENT_REPLIED, RESOLVE, REOPEN, UPDATE).
     */
    public static Command onConversation(final CommandType type, final String conversationId)
    {
        final Command command = of(type);
        command.conversationId = conversationId;
        return command;
    }

    /**
     * @param agentId agent.
     * @param maxWaitMs how long to park when nothing is eligible; 0 answers at once.
     * @return a NEXT_BEST command.
     */
    public static Command nextBest(final String agentId, final long maxWaitMs)
    {
        final Command command = of(CommandType.NEXT_BEST);
        command.agentId = agentId;
        command.maxWaitMs = maxWaitMs;
        return command;
    }

    /**
     * @param type ACK or RELEASE.
     * @param agentId agent.
     * @param conversationId conversation.
     * @return the command.
     */
    public static Command byAgent(final CommandType type, final String agentId, final String conversationId)
    {
        final Command command = of(type);
        command.agentId = agentId;
        command.conversationId = conversationId;
        return command;
    }

    /**
     * @param agentId agent.
     * @param capacity concurrent conversations, >= 1.
     * @param skills skills held.
     * @return an UPSERT_AGENT command.
     */
    /**
     * @param agentId the agent whose long-poll's caller went away.
     * @param waitSequence the sequence of the NEXT_BEST that parked it (its reply's sequence once published).
     * @return a CANCEL_WAIT command.
     */
    public static Command cancelWait(final String agentId, final long waitSequence)
    {
        final Command command = of(CommandType.CANCEL_WAIT);
        command.agentId = agentId;
        command.targetSequence = waitSequence;
        return command;
    }

    /**
     * @param type INCIDENT_REPLY, INCIDENT_RESOLVE or INCIDENT_SHOW.
     * @param incidentKey the incident.
     * @param agentId the agent acting (it must hold one of the incident's leads), or null for a supervisor.
     * @param reference what answered the members (INCIDENT_REPLY), or null.
     * @return the command.
     */
    public static Command incident(final CommandType type, final String incidentKey, final String agentId, final String reference)
    {
        final Command command = of(type);
        command.incidentKey = incidentKey;
        command.agentId = agentId;
        command.reference = reference;
        return command;
    }

    public static Command upsertAgent(final String agentId, final int capacity, final String... skills)
    {
        final Command command = of(CommandType.UPSERT_AGENT);
        command.agentId = agentId;
        command.capacity = capacity;
        command.requiredSkills = skills;
        return command;
    }

    /**
     * @param agentId agent.
     * @param status new status.
     * @return an AGENT_STATUS command.
     */
    public static Command agentStatus(final String agentId, final AgentStatus status)
    {
        final Command command = of(CommandType.AGENT_STATUS);
        command.agentId = agentId;
        command.agentStatus = status;
        return command;
    }

    /**
     * @param policy the new policy.
     * @return a SET_POLICY command.
     */
    public static Command setPolicy(final Policy policy)
    {
        final Command command = of(CommandType.SET_POLICY);
        command.policy = policy;
        return command;
    }

    /**
     * @param n how many.
     * @param agentIdOrNull as this agent would see them, or all when null.
     * @return a TOP command.
     */
    public static Command top(final int n, final String agentIdOrNull)
    {
        final Command command = of(CommandType.TOP);
        command.topN = n;
        command.agentId = agentIdOrNull;
        return command;
    }

    /**
     * @param n queue entries wanted, 1..{@link dev.triage.engine.ground.Limits#MAX_TOP}.
     * @param agentIdOrNull the queue as this agent would see it, or null for everyone's.
     * @param skillOrNull only conversations that need this skill now, or null for all.
     * @return a VIEW command; its reply needs a {@link Reply#view} and room for {@code n} TOP entries.
     */
    public static Command view(final int n, final String agentIdOrNull, final String skillOrNull)
    {
        final Command command = top(n, agentIdOrNull);
        command.type = CommandType.VIEW;
        command.requiredSkills = skillOrNull == null ? NO_SKILLS : new String[]{ skillOrNull };
        return command;
    }

    /**
     * @param type any type.
     * @return an empty command of that type.
     */
    public static Command of(final CommandType type)
    {
        final Command command = new Command();
        command.type = type;
        return command;
    }

    /**
     * @param timestampMs the stamp.
     * @return this, stamped; used by tests and replay where no ring stamps the command.
     */
    public Command at(final long timestampMs)
    {
        this.timestampMs = timestampMs;
        return this;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(64).append(type);
        if (conversationId != null)
        {
            sb.append(" conv=").append(conversationId);
        }
        if (agentId != null)
        {
            sb.append(" agent=").append(agentId);
        }
        if (type == CommandType.OPEN || (updateFlags & UPDATE_URGENCY) != 0)
        {
            sb.append(' ').append(urgency);
        }
        if (type == CommandType.OPEN || (updateFlags & UPDATE_IMPACT) != 0)
        {
            sb.append(" impact=").append(impact);
        }
        if (requiredSkills.length > 0)
        {
            sb.append(" skills=").append(String.join(",", requiredSkills));
        }
        if (preferredSkills.length > 0)
        {
            sb.append(" preferred=").append(String.join(",", preferredSkills));
        }
        if (incidentKey != null)
        {
            sb.append(" incident=").append(incidentKey);
        }
        if (respondByMs != 0)
        {
            sb.append(" respondBy=").append(respondByMs);
        }
        if (waitingSinceMs != 0)
        {
            sb.append(" waitingSince=").append(waitingSinceMs);
        }
        if (type == CommandType.NEXT_BEST)
        {
            sb.append(" wait=").append(maxWaitMs);
        }
        if (type == CommandType.CANCEL_WAIT)
        {
            sb.append(" of=").append(targetSequence);
        }
        if (reference != null)
        {
            sb.append(" ref=").append(reference);
        }
        if (type == CommandType.UPSERT_AGENT)
        {
            sb.append(" capacity=").append(capacity);
        }
        if (agentStatus != null)
        {
            sb.append(' ').append(agentStatus);
        }
        if (type == CommandType.TOP || type == CommandType.VIEW)
        {
            sb.append(" n=").append(topN);
        }
        if (policy != null)
        {
            sb.append(' ').append(policy);
        }
        if (timestampMs != 0)
        {
            sb.append(" @").append(timestampMs);
        }
        return sb.toString();
    }
}
