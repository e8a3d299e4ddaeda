package dev.triage.engine.command;

import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.Urgency;

import java.util.ArrayList;
import java.util.List;

/**
 * What a VIEW returns: the queue's best entries with their score broken into parts, the agents and what they hold,
 * the incidents, and the queue's history over the last 15 minutes, all as of one command's time (one consistent view).
 * Every list is bounded ({@link #MAX_AGENTS}, {@link #MAX_INCIDENTS}, {@link #MAX_HELD_SHOWN} per agent) and the totals
 * say how many there were. Scores are in {@link dev.triage.engine.policy.Policy#UNITS_PER_POINT units}.
 * <p>
 * Threading: the caller creates it and attaches it to the reply; the processor fills it once; the caller reads it
 * after the reply completes. Filling allocates (records and lists): a console read, not a hot-path command.
 */
public final class BookView
{
    /** Agents listed at most (the busiest first). */
    public static final int MAX_AGENTS = 500;
    /** Incidents listed at most (the widest reach first). */
    public static final int MAX_INCIDENTS = 100;
    /** Held conversations listed per agent at most. */
    public static final int MAX_HELD_SHOWN = 20;

    /**
     * A queued conversation.
     *
     * @param id conversation id.
     * @param urgency its urgency.
     * @param impact customers it reports affected.
     * @param incident its incident key, or null.
     * @param incidentReach the incident's reach (customers affected across members), or 0 without an incident.
     * @param waitedMs how long the customer has waited.
     * @param sla its SLA band as last keyed: "none", "at_risk" or "breached".
     * @param respondByMs its SLA deadline, or 0.
     * @param skills skill names it needs now, comma-joined ("" for anyone).
     * @param scoreUnits the score: the sum of the four parts.
     * @param urgencyUnits urgency part.
     * @param impactUnits impact part (from the incident's reach when larger).
     * @param ageUnits age part (negative for newest-first classes).
     * @param slaUnits SLA part.
     * @param boundUnits wait-bound part (its urgency's bound passed), else 0.
     * @param lead whether it holds one of its incident's lead slots (so takes the incident's reach).
     */
    public record Queued(
        String id, Urgency urgency, int impact, String incident, long incidentReach, long waitedMs, String sla,
        long respondByMs, String skills, long scoreUnits, long urgencyUnits, long impactUnits, long ageUnits, long slaUnits,
        long boundUnits, boolean lead)
    {
    }

    /**
     * A conversation an agent holds.
     *
     * @param conversationId the conversation.
     * @param assignedAtMs when it was assigned (0 if restored from a snapshot older than format 3).
     * @param acked whether the agent acknowledged it.
     * @param leaseDeadlineMs when an unacknowledged lease runs out (0 once acknowledged).
     */
    public record Held(String conversationId, long assignedAtMs, boolean acked, long leaseDeadlineMs)
    {
    }

    /**
     * An agent.
     *
     * @param id agent id.
     * @param status its status.
     * @param held conversations it holds.
     * @param capacity how many it may hold.
     * @param waiting whether it waits in a long-poll NEXT_BEST now.
     * @param assignments conversations assigned to it since the journal began.
     * @param skills skill names it holds, comma-joined.
     * @param holding the held conversations, oldest assignment first (at most {@link #MAX_HELD_SHOWN}).
     */
    public record AgentRow(
        String id, AgentStatus status, int held, int capacity, boolean waiting, long assignments, String skills, List<Held> holding)
    {
    }

    /**
     * An incident with unresolved members.
     *
     * @param key incident key.
     * @param reach customers affected across its members.
     * @param members unresolved members.
     * @param open members waiting in the queue.
     * @param assigned members held by agents.
     * @param pending members answered and waiting on the customer.
     * @param leads its lead members' ids (queued or held), empty without lead slots.
     * @param oldestWaitingId the queued member that has waited longest, or null when none waits.
     * @param oldestWaitedMs how long that member has waited, or 0.
     * @param firstReportMs when its first member was reported (0 if restored from a snapshot older than format 3).
     */
    public record IncidentRow(String key, long reach, int members, int open, int assigned, int pending, List<String> leads,
        String oldestWaitingId, long oldestWaitedMs, long firstReportMs)
    {
    }

    /**
     * The queue at the start of one history bucket (state changes only through commands, so this is exact).
     *
     * @param atMs the bucket's start, engine time.
     * @param openByUrgency open conversations per urgency level, LOW..CRITICAL.
     * @param oldestWaitByUrgencyMs the longest wait per urgency level at {@code atMs} (0 where none is open).
     * @param slaAtRisk open conversations in the at-risk band.
     * @param slaBreached open conversations past their deadline.
     * @param assignments assignments made during the bucket.
     */
    public record Point(long atMs, long[] openByUrgency, long[] oldestWaitByUrgencyMs, long slaAtRisk, long slaBreached, long assignments)
    {
    }

    /** The best queued conversations, best first, each incident once (at its best queued member). */
    public final List<Queued> queue = new ArrayList<>();
    /** Members of incidents already listed that the listing passed over. */
    public int queuePassedOver;
    /** Whether the listing stopped at its bound on members passed over (so {@link #queue} may be short). */
    public boolean queueStoppedShort;
    /** Agents, busiest first; {@link #agentTotal} is how many exist. */
    public final List<AgentRow> agents = new ArrayList<>();
    public int agentTotal;
    /** Incidents, widest first; {@link #incidentTotal} is how many have unresolved members. */
    public final List<IncidentRow> incidents = new ArrayList<>();
    public int incidentTotal;
    /** History buckets, oldest first, the last one still filling. */
    public final List<Point> history = new ArrayList<>();
    /** Length of one history bucket, ms. */
    public long historyBucketMs;
}
