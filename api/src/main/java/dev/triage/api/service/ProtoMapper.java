package dev.triage.api.service;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.ScoreBreakdown;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.TopEntry;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.UpdateRequest;

/**
 * Proto <-> engine: the only place that knows both.
 */
public final class ProtoMapper
{
    private static final String[] NO_SKILLS = new String[0];

    private ProtoMapper()
    {
    }

    public static Urgency urgency(final dev.triage.proto.v1.Urgency urgency)
    {
        return Urgency.ofLevel(urgency.getNumber() - 1);
    }

    public static dev.triage.proto.v1.Urgency urgency(final Urgency urgency)
    {
        return dev.triage.proto.v1.Urgency.forNumber(urgency.ordinal() + 1);
    }

    public static dev.triage.proto.v1.ConversationState state(final ConversationState state)
    {
        return state == null ? dev.triage.proto.v1.ConversationState.CONVERSATION_STATE_UNSPECIFIED :
            dev.triage.proto.v1.ConversationState.forNumber(state.ordinal() + 1);
    }

    public static AgentStatus status(final dev.triage.proto.v1.AgentStatus status)
    {
        return AgentStatus.values()[status.getNumber() - 1];
    }

    static Command open(final OpenRequest r)
    {
        final Command c = Command.open(r.getId(), urgency(r.getUrgency()), r.getImpact(), r.getSkillsList().toArray(NO_SKILLS));
        c.preferredSkills = r.getPreferredSkillsList().toArray(NO_SKILLS);
        c.incidentKey = r.getIncident().isEmpty() ? null : r.getIncident();
        c.waitingSinceMs = r.getWaitingSinceMs();
        c.respondByMs = r.getRespondByMs();
        return c;
    }

    static Command update(final UpdateRequest r)
    {
        final Command c = Command.onConversation(CommandType.UPDATE, r.getId());
        if (r.hasUrgency())
        {
            c.updateFlags |= Command.UPDATE_URGENCY;
            c.urgency = urgency(r.getUrgency());
        }
        if (r.hasImpact())
        {
            c.updateFlags |= Command.UPDATE_IMPACT;
            c.impact = r.getImpact();
        }
        if (r.hasSkills())
        {
            c.updateFlags |= Command.UPDATE_SKILLS;
            c.requiredSkills = r.getSkills().getRequiredList().toArray(NO_SKILLS);
            c.preferredSkills = r.getSkills().getPreferredList().toArray(NO_SKILLS);
        }
        if (r.hasIncident())
        {
            c.updateFlags |= Command.UPDATE_INCIDENT;
            c.incidentKey = r.getIncident().isEmpty() ? null : r.getIncident();
        }
        if (r.hasRespondByMs())
        {
            c.updateFlags |= Command.UPDATE_RESPOND_BY;
            c.respondByMs = r.getRespondByMs();
        }
        return c;
    }

    static NextBestReply nextBest(final Reply r)
    {
        if (r.conversationId == null || r.result != dev.triage.engine.command.ResultCode.OK)
        {
            return NextBestReply.newBuilder().setAssigned(false).setPolicyVersion(r.policyVersion).build();
        }
        final NextBestReply.Builder b = NextBestReply.newBuilder()
            .setAssigned(true)
            .setConversationId(r.conversationId)
            .setScore(ScoreBreakdown.newBuilder()
                .setTotal(points(r.scoreUnits))
                .setUrgency(points(r.urgencyUnits))
                .setImpact(points(r.impactUnits))
                .setAge(points(r.ageUnits))
                .setSla(points(r.slaUnits))
                .setWaitBound(points(r.boundUnits)))
            .setLeaseDeadlineMs(r.leaseDeadlineMs)
            .setWaitedMs(r.waitedMs)
            .setCandidates(r.candidates)
            .setPolicyVersion(r.policyVersion);
        if (r.runnerUpId != null)
        {
            b.setRunnerUpId(r.runnerUpId).setRunnerUpScore(points(r.runnerUpScoreUnits));
        }
        return b.build();
    }

    static TopReply top(final Reply r)
    {
        final TopReply.Builder b = TopReply.newBuilder();
        for (int i = 0; i < r.topCount; i++)
        {
            b.addEntries(TopEntry.newBuilder()
                .setId(r.topIds[i])
                .setScore(points(r.topScoreUnits[i]))
                .setUrgency(urgency(r.topUrgency[i]))
                .setWaitedMs(r.topWaitedMs[i]));
        }
        return b.build();
    }

    static StatsReply stats(final Reply r)
    {
        final java.util.Map<String, Long> bySkills = new java.util.TreeMap<>();
        for (int i = 0; i < r.skillSetCount; i++)
        {
            bySkills.put(r.skillSetNames[i], r.skillSetOpen[i]);
        }
        final StatsReply.Builder b = StatsReply.newBuilder();
        for (int u = Urgency.count() - 1; u >= 0; u--)
        {
            b.addWaitingByUrgency(dev.triage.proto.v1.UrgencyWait.newBuilder()
                .setUrgency(urgency(Urgency.ofLevel(u)))
                .setWaiting(r.openByUrgency[u])
                .setOldestWaitMs(r.oldestWaitByUrgencyMs[u])
                .setOldestId(r.oldestIdByUrgency[u] == null ? "" : r.oldestIdByUrgency[u]));
        }
        return b
            .putAllOpenBySkills(bySkills)
            .setWaitP50Ms(r.waitP50Ms)
            .setWaitP90Ms(r.waitP90Ms)
            .setWaitP99Ms(r.waitP99Ms)
            .setAssignmentsLastMinute(r.assignmentsLastMinute)
            .setOpen(r.open)
            .setAssigned(r.assigned)
            .setPending(r.pending)
            .setOpenLow(r.openByUrgency[0])
            .setOpenNormal(r.openByUrgency[1])
            .setOpenHigh(r.openByUrgency[2])
            .setOpenUrgent(r.openByUrgency[3])
            .setOpenCritical(r.openByUrgency[4])
            .setSlaAtRisk(r.slaAtRisk)
            .setSlaBreached(r.slaBreached)
            .setAgents(r.agents)
            .setWaitingAgents(r.parkedAgents)
            .setAvailableAgents(r.availableAgents)
            .setAssignmentsTotal(r.assignmentsTotal)
            .setPolicyVersion(r.policyVersion)
            .setOldestWaitMs(r.oldestWaitMs)
            .build();
    }

    /**
     * @param p proto policy.
     * @return the engine policy.
     * @throws IllegalArgumentException naming the field out of range.
     */
    public static Policy policy(final dev.triage.proto.v1.Policy p)
    {
        final dev.triage.proto.v1.Urgency newestFirst = p.getNewestFirstMaxUrgency();
        return Policy.builder()
            .urgencyPoints(Urgency.LOW, p.getLowPoints())
            .urgencyPoints(Urgency.NORMAL, p.getNormalPoints())
            .urgencyPoints(Urgency.HIGH, p.getHighPoints())
            .urgencyPoints(Urgency.URGENT, p.getUrgentPoints())
            .urgencyPoints(Urgency.CRITICAL, p.getCriticalPoints())
            .impactPointsPerDoubling(p.getImpactPointsPerDoubling())
            .agePointsPerMinute(p.getAgePointsPerMinute())
            .newestFirst(newestFirst == dev.triage.proto.v1.Urgency.URGENCY_UNSPECIFIED ||
                newestFirst == dev.triage.proto.v1.Urgency.UNRECOGNIZED ? null : urgency(newestFirst),
                Math.max(1, p.getNewestFirstMinImpact()))
            .slaAtRiskWindowMs(p.getSlaAtRiskWindowMs())
            .slaPoints(p.getSlaAtRiskPoints(), p.getSlaBreachedPoints())
            .leaseMs(p.getLeaseMs())
            .relaxPreferredAfterMs(p.getRelaxPreferredAfterMs())
            .incidentLeadSlots(p.hasIncidentLeadSlots() ? p.getIncidentLeadSlots() : DEFAULTS.incidentLeadSlots())
            .maxWaitMs(Urgency.LOW, p.hasLowMaxWaitMs() ? p.getLowMaxWaitMs() : DEFAULTS.maxWaitMs(Urgency.LOW))
            .maxWaitMs(Urgency.NORMAL, p.hasNormalMaxWaitMs() ? p.getNormalMaxWaitMs() : DEFAULTS.maxWaitMs(Urgency.NORMAL))
            .maxWaitMs(Urgency.HIGH, p.hasHighMaxWaitMs() ? p.getHighMaxWaitMs() : DEFAULTS.maxWaitMs(Urgency.HIGH))
            .maxWaitMs(Urgency.URGENT, p.hasUrgentMaxWaitMs() ? p.getUrgentMaxWaitMs() : DEFAULTS.maxWaitMs(Urgency.URGENT))
            .maxWaitMs(Urgency.CRITICAL, p.hasCriticalMaxWaitMs() ? p.getCriticalMaxWaitMs() : DEFAULTS.maxWaitMs(Urgency.CRITICAL))
            .waitBoundPoints(p.hasWaitBoundPoints() ? p.getWaitBoundPoints() : DEFAULTS.waitBoundPoints())
            .build();
    }

    /** What a policy field a client left out (it predates the field) means: the default, never off. */
    private static final Policy DEFAULTS = Policy.defaults();

    /**
     * @param p engine policy.
     * @return proto policy.
     */
    public static dev.triage.proto.v1.Policy policy(final Policy p)
    {
        return dev.triage.proto.v1.Policy.newBuilder()
            .setLowPoints(p.urgencyPoints(Urgency.LOW))
            .setNormalPoints(p.urgencyPoints(Urgency.NORMAL))
            .setHighPoints(p.urgencyPoints(Urgency.HIGH))
            .setUrgentPoints(p.urgencyPoints(Urgency.URGENT))
            .setCriticalPoints(p.urgencyPoints(Urgency.CRITICAL))
            .setImpactPointsPerDoubling(p.impactPointsPerDoubling())
            .setAgePointsPerMinute(p.agePointsPerMinute())
            .setNewestFirstMaxUrgency(p.newestFirstMaxUrgency() == null ?
                dev.triage.proto.v1.Urgency.URGENCY_UNSPECIFIED : urgency(p.newestFirstMaxUrgency()))
            .setNewestFirstMinImpact(p.newestFirstMinImpact())
            .setSlaAtRiskWindowMs(p.slaAtRiskWindowMs())
            .setSlaAtRiskPoints(p.slaAtRiskPoints())
            .setSlaBreachedPoints(p.slaBreachedPoints())
            .setLeaseMs(p.leaseMs())
            .setRelaxPreferredAfterMs(p.relaxPreferredAfterMs())
            .setIncidentLeadSlots(p.incidentLeadSlots())
            .setLowMaxWaitMs(p.maxWaitMs(Urgency.LOW))
            .setNormalMaxWaitMs(p.maxWaitMs(Urgency.NORMAL))
            .setHighMaxWaitMs(p.maxWaitMs(Urgency.HIGH))
            .setUrgentMaxWaitMs(p.maxWaitMs(Urgency.URGENT))
            .setCriticalMaxWaitMs(p.maxWaitMs(Urgency.CRITICAL))
            .setWaitBoundPoints(p.waitBoundPoints())
            .build();
    }

    /**
     * @param type INCIDENT_REPLY or INCIDENT_RESOLVE.
     * @param r the request (validated).
     * @return the command.
     */
    static Command incidentAction(final dev.triage.engine.command.CommandType type, final dev.triage.proto.v1.IncidentActionRequest r)
    {
        return Command.incident(type, r.getIncident(), r.getAgentId().isEmpty() ? null : r.getAgentId(),
            r.getReference().isEmpty() ? null : r.getReference());
    }

    static dev.triage.proto.v1.IncidentActionReply incidentActionReply(final String incident, final Reply r)
    {
        return dev.triage.proto.v1.IncidentActionReply.newBuilder().setIncident(incident).setMembers(r.affectedCount).build();
    }

    static dev.triage.proto.v1.IncidentInfo incidentInfo(final String incident, final Reply r)
    {
        final dev.triage.proto.v1.IncidentInfo.Builder b = dev.triage.proto.v1.IncidentInfo.newBuilder()
            .setIncident(incident)
            .setReach(r.incidentReach)
            .setWaiting(r.incidentMembersIn[dev.triage.engine.ground.ConversationState.OPEN.ordinal()])
            .setAssigned(r.incidentMembersIn[dev.triage.engine.ground.ConversationState.ASSIGNED.ordinal()])
            .setPending(r.incidentMembersIn[dev.triage.engine.ground.ConversationState.PENDING.ordinal()])
            .setOldestWaitedMs(r.oldestWaitedMs)
            .setFirstReportMs(r.firstReportMs);
        if (r.oldestWaitingId != null)
        {
            b.setOldestWaitingId(r.oldestWaitingId);
        }
        for (final String lead : r.leadIds)
        {
            b.addLeads(lead);
        }
        return b.build();
    }

    static double points(final long units)
    {
        return units / (double)Policy.UNITS_PER_POINT;
    }
}
