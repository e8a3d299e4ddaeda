package dev.triage.api.service;

import dev.triage.engine.ground.Limits;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.AgentStatus;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.CustomerRepliedRequest;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.UpdateRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.StatusRuntimeException;

/**
 * Field-by-field validation of every request before anything reaches the ring, against the bounds in {@link Limits}.
 */
final class RequestValidator
{
    private static final int MAX_IMPACT = Limits.MAX_IMPACT;
    private static final int MAX_WAIT_MS = Limits.MAX_WAIT_MS;
    private static final int MAX_TOP = Limits.MAX_TOP;
    private static final int MAX_CAPACITY = Limits.MAX_CAPACITY;
    private static final long FUTURE_TOLERANCE_MS = Limits.FUTURE_TOLERANCE_MS;

    private RequestValidator()
    {
    }

    /**
     * How far an ingest token may backdate a conversation's waiting_since (a day of email backlog): older would let any
     * integration move its conversations ahead of everyone's by age. Supervisors and admins (migrations) may go further.
     */
    static final long MAX_INGEST_BACKDATE_MS = 86_400_000L;

    /**
     * @param r the request.
     * @param nowMs the server's time.
     * @param mayBackdateFreely true for supervisors and admins: waiting_since may be any time in the past.
     * @return the violations, or null.
     */
    static StatusRuntimeException open(final OpenRequest r, final long nowMs, final boolean mayBackdateFreely)
    {
        final long since = r.getWaitingSinceMs();
        final boolean backdatedTooFar = !mayBackdateFreely && since != 0 && since < nowMs - MAX_INGEST_BACKDATE_MS;
        final Violations v = new Violations()
            .id(r.getId(), "id")
            .require(urgencyIsSet(r.getUrgency()), "urgency", "must be LOW, NORMAL, HIGH, URGENT or CRITICAL")
            .require(r.getImpact() >= 1 && r.getImpact() <= MAX_IMPACT, "impact", "must be 1.." + MAX_IMPACT)
            .skills(r.getSkillsList(), "skills")
            .skills(r.getPreferredSkillsList(), "preferred_skills")
            .require(r.getWaitingSinceMs() >= 0 && r.getWaitingSinceMs() <= nowMs + FUTURE_TOLERANCE_MS,
                "waiting_since_ms", "must be >= 0 and not in the future")
            .require(!backdatedTooFar, "waiting_since_ms", "may be at most " + MAX_INGEST_BACKDATE_MS / 3_600_000 +
                " h in the past with an ingest token (a supervisor or admin token may backdate further), was " +
                (nowMs - since) / 3_600_000 + " h")
            .require(r.getRespondByMs() >= 0, "respond_by_ms", "must be >= 0");
        if (!r.getIncident().isEmpty())
        {
            v.id(r.getIncident(), "incident");
        }
        return v.toException();
    }

    static StatusRuntimeException update(final UpdateRequest r)
    {
        final Violations v = new Violations().id(r.getId(), "id");
        if (r.hasUrgency())
        {
            v.require(urgencyIsSet(r.getUrgency()), "urgency", "must be LOW, NORMAL, HIGH, URGENT or CRITICAL");
        }
        if (r.hasImpact())
        {
            v.require(r.getImpact() >= 1 && r.getImpact() <= MAX_IMPACT, "impact", "must be 1.." + MAX_IMPACT);
        }
        if (r.hasSkills())
        {
            v.skills(r.getSkills().getRequiredList(), "skills.required").skills(r.getSkills().getPreferredList(), "skills.preferred");
        }
        if (r.hasIncident() && !r.getIncident().isEmpty())
        {
            v.id(r.getIncident(), "incident");
        }
        if (r.hasRespondByMs())
        {
            v.require(r.getRespondByMs() >= 0, "respond_by_ms", "must be >= 0");
        }
        v.require(r.hasUrgency() || r.hasImpact() || r.hasSkills() || r.hasIncident() || r.hasRespondByMs(),
            "update", "sets no field");
        return v.toException();
    }

    static StatusRuntimeException ref(final ConversationRef r)
    {
        return new Violations().id(r.getId(), "id").toException();
    }

    static StatusRuntimeException customerReplied(final CustomerRepliedRequest r, final long nowMs)
    {
        return new Violations().id(r.getId(), "id")
            .require(r.getAtMs() >= 0 && r.getAtMs() <= nowMs + FUTURE_TOLERANCE_MS, "at_ms", "must be >= 0 and not in the future")
            .toException();
    }

    static StatusRuntimeException upsertAgent(final UpsertAgentRequest r)
    {
        return new Violations().id(r.getAgentId(), "agent_id")
            .skills(r.getSkillsList(), "skills")
            .require(r.getCapacity() >= 1 && r.getCapacity() <= MAX_CAPACITY, "capacity", "must be 1.." + MAX_CAPACITY)
            .toException();
    }

    static StatusRuntimeException agentStatus(final SetAgentStatusRequest r)
    {
        return new Violations().id(r.getAgentId(), "agent_id")
            .require(r.getStatus() != AgentStatus.AGENT_STATUS_UNSPECIFIED && r.getStatus() != AgentStatus.UNRECOGNIZED,
                "status", "must be AVAILABLE, AWAY or OFFLINE")
            .toException();
    }

    static StatusRuntimeException nextBest(final NextBestRequest r)
    {
        return new Violations().id(r.getAgentId(), "agent_id")
            .require(Integer.toUnsignedLong(r.getWaitMs()) <= MAX_WAIT_MS, "wait_ms", "must be 0.." + MAX_WAIT_MS)
            .toException();
    }

    static StatusRuntimeException agentConversation(final AgentConversationRequest r)
    {
        return new Violations().id(r.getAgentId(), "agent_id").id(r.getConversationId(), "conversation_id").toException();
    }

    /** What an incident's reference may be at most (a URL or a message id, not a message). */
    static final int MAX_REFERENCE_LENGTH = 256;

    static StatusRuntimeException incidentAction(final dev.triage.proto.v1.IncidentActionRequest r)
    {
        final Violations v = new Violations().id(r.getIncident(), "incident")
            .require(r.getReference().length() <= MAX_REFERENCE_LENGTH, "reference", "must be at most " + MAX_REFERENCE_LENGTH +
                " characters (a status page's address, a broadcast's id), was " + r.getReference().length());
        if (!r.getAgentId().isEmpty())
        {
            v.id(r.getAgentId(), "agent_id");
        }
        return v.toException();
    }

    static StatusRuntimeException incident(final dev.triage.proto.v1.IncidentRequest r)
    {
        return new Violations().id(r.getIncident(), "incident").toException();
    }

    static StatusRuntimeException top(final TopRequest r)
    {
        final Violations v = new Violations().require(Integer.toUnsignedLong(r.getN()) <= MAX_TOP, "n", "must be 0.." + MAX_TOP + " (0 = 10)");
        if (!r.getAgentId().isEmpty())
        {
            v.id(r.getAgentId(), "agent_id");
        }
        return v.toException();
    }

    private static boolean urgencyIsSet(final Urgency urgency)
    {
        return urgency != Urgency.URGENCY_UNSPECIFIED && urgency != Urgency.UNRECOGNIZED;
    }
}
