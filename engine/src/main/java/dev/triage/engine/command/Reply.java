package dev.triage.engine.command;

import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;

/**
 * The answer to one command, owned by the caller and filled in by the processor.
 * <p>
 * Threading: the processor writes it (once per command, or later for a parked NEXT_BEST); the reply stage
 * hands it to {@link #listener} after the command is journaled and applied. A caller must not reuse a reply
 * before it was completed. Scores are exact integers in {@link Policy#UNITS_PER_POINT units}; the
 * {@code *Points()} views divide for display.
 */
public final class Reply
{
    public ReplyListener listener;

    public ResultCode result;
    /** For INVALID_ARGUMENT: which field is wrong and why. */
    public String detail;
    public CommandType type;
    /** The command's sequence. */
    public long sequence;
    /** The sequence of the command whose processing completed this reply (later than {@link #sequence} when parked). */
    public long completedAtSequence;
    public long timestampMs;
    public int policyVersion;

    /** The conversation assigned (NEXT_BEST) or acted on. */
    public String conversationId;
    public ConversationState conversationState;
    public String agentId;
    public long leaseDeadlineMs;
    /** How long the assigned conversation had waited, ms. */
    public long waitedMs;
    public long scoreUnits;
    public long urgencyUnits;
    public long impactUnits;
    public long ageUnits;
    public long slaUnits;
    /** The wait-bound part: the policy's bound points once the conversation waited its urgency's max wait, else 0. */
    public long boundUnits;

    /** INCIDENT_REPLY and INCIDENT_RESOLVE: the members it moved, in the order it moved them (the audit's lines). */
    public String[] affectedIds;
    public int affectedCount;
    /** INCIDENT_SHOW: the incident's reach, members by state ordinal, leads, first report, oldest waiting member. */
    public long incidentReach;
    public final int[] incidentMembersIn = new int[dev.triage.engine.ground.ConversationState.values().length];
    public String[] leadIds;
    public long firstReportMs;
    public String oldestWaitingId;
    public long oldestWaitedMs;
    /** Eligible conversations considered for the assignment. */
    public long candidates;
    /** The second-best eligible conversation, or null. */
    public String runnerUpId;
    public long runnerUpScoreUnits;

    /** TOP: up to {@code topIds.length} entries, best first. */
    public String[] topIds;
    public long[] topScoreUnits;
    public Urgency[] topUrgency;
    public long[] topWaitedMs;
    public int topCount;

    /** STATS. */
    public final long[] openByUrgency = new long[Urgency.count()];
    public long open;
    public long assigned;
    public long pending;
    public long resolvedRetained;
    public long slaAtRisk;
    public long slaBreached;
    /** How long the longest-waiting open conversation has waited, ms; 0 when the queue is empty. */
    public long oldestWaitMs;
    /** STATS: the same per urgency level (0 where none is open). */
    public final long[] oldestWaitByUrgencyMs = new long[Urgency.count()];
    /** STATS: the id of the conversation behind each of those waits (null where none is open). */
    public final String[] oldestIdByUrgency = new String[Urgency.count()];
    public long agents;
    public long parkedAgents;
    /** STATS: agents who could take work now (AVAILABLE and below capacity). */
    public long availableAgents;
    public long assignmentsTotal;
    /** Assignments in the last 60 seconds of engine time (STATS). */
    public long assignmentsLastMinute;
    public long skillSets;
    /** STATS: customer wait before assignment, percentile upper bounds since the journal began, ms. */
    public long waitP50Ms;
    public long waitP90Ms;
    public long waitP99Ms;
    /** STATS: open conversations by the skills they need now (names sorted, comma-joined); {@code skillSetCount} entries. */
    public String[] skillSetNames = new String[0];
    public long[] skillSetOpen = new long[0];
    public int skillSetCount;
    /** The policy in force (STATS). */
    public Policy policy;
    /** VIEW: filled by the processor; the caller supplies it. */
    public BookView view;
    /** SNAPSHOT: the file written. */
    public String snapshotPath;

    /**
     * @param listener where the completed reply goes.
     */
    public Reply(final ReplyListener listener)
    {
        this.listener = listener;
    }

    /**
     * @param listener where the completed reply goes.
     * @param topCapacity how many TOP entries this reply can carry.
     */
    public Reply(final ReplyListener listener, final int topCapacity)
    {
        this(listener);
        topIds = new String[topCapacity];
        topScoreUnits = new long[topCapacity];
        topUrgency = new Urgency[topCapacity];
        topWaitedMs = new long[topCapacity];
    }

    /**
     * Forget the previous answer before the reply is reused for another command.
     */
    public void reset()
    {
        result = null;
        detail = null;
        type = null;
        sequence = 0;
        completedAtSequence = 0;
        timestampMs = 0;
        conversationId = null;
        conversationState = null;
        agentId = null;
        leaseDeadlineMs = 0;
        waitedMs = 0;
        scoreUnits = 0;
        urgencyUnits = 0;
        impactUnits = 0;
        ageUnits = 0;
        slaUnits = 0;
        boundUnits = 0;
        affectedIds = null;
        affectedCount = 0;
        incidentReach = 0;
        java.util.Arrays.fill(incidentMembersIn, 0);
        leadIds = null;
        firstReportMs = 0;
        oldestWaitingId = null;
        oldestWaitedMs = 0;
        candidates = 0;
        runnerUpId = null;
        runnerUpScoreUnits = 0;
        topCount = 0;
    }

    /**
     * @return the assignment's score in points.
     */
    public double scorePoints()
    {
        return scoreUnits / (double)Policy.UNITS_PER_POINT;
    }

    /**
     * @return the runner-up's score in points.
     */
    public double runnerUpScorePoints()
    {
        return runnerUpScoreUnits / (double)Policy.UNITS_PER_POINT;
    }

    private static double tenths(final long units)
    {
        return Math.round(units * 10.0 / Policy.UNITS_PER_POINT) / 10.0;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(96).append(type).append(' ').append(result);
        if (detail != null)
        {
            sb.append(" (").append(detail).append(')');
        }
        if (conversationId != null)
        {
            sb.append(" conv=").append(conversationId);
        }
        if (agentId != null)
        {
            sb.append(" agent=").append(agentId);
        }
        if (type == CommandType.NEXT_BEST && result == ResultCode.OK)
        {
            sb.append(" score=").append(tenths(scoreUnits))
                .append(" [urgency=").append(urgencyUnits / Policy.UNITS_PER_POINT)
                .append(" impact=").append(impactUnits / Policy.UNITS_PER_POINT)
                .append(" age=").append(tenths(ageUnits))
                .append(" sla=").append(slaUnits / Policy.UNITS_PER_POINT)
                .append(boundUnits == 0 ? "" : " bound=" + boundUnits / Policy.UNITS_PER_POINT)
                .append("] candidates=").append(candidates);
            if (runnerUpId != null)
            {
                sb.append(" runnerUp=").append(runnerUpId).append('@').append(tenths(runnerUpScoreUnits));
            }
        }
        return sb.toString();
    }
}
