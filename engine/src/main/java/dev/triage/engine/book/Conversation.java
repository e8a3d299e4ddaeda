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
     * @return the effective impact: the incident's reach for members, else the conversation's own impact.
     */
    long effectiveImpact()
    {
        return incident != null ? incident.reach : impact;
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
