package dev.triage.engine.book;

import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Urgency;

/**
 * One support conversation. Pooled: the object at a handle is reused after the conversation is evicted.
 * Processor thread only; package-private state, read through the book.
 */
public final class Conversation
{
    final int handle;
    String id;
    /** Sequence of the OPEN: the tie-break between equal scores (first come, first served). */
    long openSeq;
    /** Urgency level (ordinal): a byte rather than a reference keeps the object at 112 bytes. */
    byte urgencyLevel;
    int impact;
    String incidentKey;
    /** Non-null while the conversation counts towards its incident (not resolved). */
    Incident incident;
    /** Skill sets ({@link SkillRegistry} ids): required, preferred (without the required ones), and both. */
    int requiredSet;
    int preferredSet;
    int unionSet;
    long waitingSinceMs;
    long respondByMs;
    ConversationState state;

    /** Derived when (re)keyed: SLA band and whether preferred skills are relaxed, both as of that time. */
    byte slaBand;
    boolean relaxed;
    /** Derived as the SLA band is: it has waited its urgency's bound, and so has the wait-bound points on top. */
    boolean escalated;
    /** One of its incident's leads, which take the incident's reach as their impact (queued members only). */
    boolean lead;
    /** Its rank among its incident's queued members, as of when it was queued ({@link Scorer#memberRank}). */
    long memberRank;
    /** Class heap it is in, or -1. */
    int classId = -1;

    Agent agent;
    boolean acked;
    long leaseDeadlineMs;
    /** When the holding agent was given it (engine time); display only, not in the state hash. */
    long assignedAtMs;

    /** Links in the holding agent's list, or in the resolved-retention list. */
    Conversation prev;
    Conversation next;
    /** Links in the incident's member list. */
    Conversation incidentPrev;
    Conversation incidentNext;

    Conversation(final int handle)
    {
        this.handle = handle;
    }

    /** Change state, keeping the incident's count of members per state. */
    void moveTo(final ConversationState next)
    {
        if (incident != null)
        {
            incident.moved(state, next);
        }
        state = next;
    }

    void reset()
    {
        id = null;
        openSeq = 0;
        urgencyLevel = 0;
        impact = 0;
        incidentKey = null;
        incident = null;
        requiredSet = SkillRegistry.EMPTY;
        preferredSet = SkillRegistry.EMPTY;
        unionSet = SkillRegistry.EMPTY;
        waitingSinceMs = 0;
        respondByMs = 0;
        state = null;
        slaBand = 0;
        relaxed = false;
        escalated = false;
        lead = false;
        memberRank = 0;
        classId = -1;
        agent = null;
        acked = false;
        leaseDeadlineMs = 0;
        assignedAtMs = 0;
        prev = null;
        next = null;
        incidentPrev = null;
        incidentNext = null;
    }

    /**
     * @param leadSlots the policy's incident lead slots (0: every member takes the reach).
     * @return the effective impact: the incident's reach for its leads (every member when the slots are 0), else the
     * conversation's own impact.
     */
    long effectiveImpact(final int leadSlots)
    {
        return incident != null && (lead || leadSlots == 0) ? incident.reach : impact;
    }

    /**
     * @return the skills an agent needs now: required plus preferred until relaxed.
     */
    int effectiveSet()
    {
        return relaxed ? requiredSet : unionSet;
    }

    public int handle()
    {
        return handle;
    }

    public String id()
    {
        return id;
    }

    public ConversationState state()
    {
        return state;
    }

    public Urgency urgency()
    {
        return Urgency.ofLevel(urgencyLevel);
    }

    public int impact()
    {
        return impact;
    }

    public long waitingSinceMs()
    {
        return waitingSinceMs;
    }

    public long respondByMs()
    {
        return respondByMs;
    }

    public int slaBand()
    {
        return slaBand;
    }

    public boolean relaxed()
    {
        return relaxed;
    }

    public String incidentKey()
    {
        return incidentKey;
    }

    /**
     * @return true while it holds one of its incident's lead slots (it scores with the incident's reach).
     */
    public boolean isLead()
    {
        return lead;
    }

    /**
     * @return true once it has waited its urgency's bound (it has the wait-bound points on top).
     */
    public boolean isEscalated()
    {
        return escalated;
    }

    public boolean acked()
    {
        return acked;
    }

    public long leaseDeadlineMs()
    {
        return leaseDeadlineMs;
    }

    /**
     * @return the holding agent's id, or null.
     */
    public String agentId()
    {
        return agent == null ? null : agent.id;
    }
}
