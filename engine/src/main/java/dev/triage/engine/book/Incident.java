package dev.triage.engine.book;

/**
 * Conversations sharing an incident key (one outage). Its reach, the customers reported as affected, only
 * grows while the incident has unresolved members; it is forgotten when the last member resolves.
 * Processor thread only.
 */
final class Incident
{
    final String key;
    long reach;
    /** Engine time of its first report (0 when restored from a version 1 or 2 snapshot); display only. */
    long firstReportMs;
    int members;
    /** Members by {@link dev.triage.engine.ground.ConversationState} ordinal, kept as they move (for the console). */
    private final int[] membersIn = new int[dev.triage.engine.ground.ConversationState.values().length];
    Conversation head;
    /** Its leads ({@link IncidentLeads}): at most the policy's slots, the best of its queued members. */
    Conversation[] leads = new Conversation[2];
    int leadCount;
    /** Its other queued members, best first: the next lead is the top one. Made at the first one. */
    IntrusiveHeap others;
    /** The number of the listing ({@link PriorityIndex#topOnePerIncident}) that last listed one of its members. */
    long listedIn;

    Incident(final String key)
    {
        this.key = key;
    }

    void add(final Conversation c)
    {
        c.incident = this;
        c.incidentPrev = null;
        c.incidentNext = head;
        if (head != null)
        {
            head.incidentPrev = c;
        }
        head = c;
        members++;
        membersIn[c.state.ordinal()]++;
    }

    void remove(final Conversation c)
    {
        if (c.incidentPrev != null)
        {
            c.incidentPrev.incidentNext = c.incidentNext;
        }
        else
        {
            head = c.incidentNext;
        }
        if (c.incidentNext != null)
        {
            c.incidentNext.incidentPrev = c.incidentPrev;
        }
        c.incidentPrev = null;
        c.incidentNext = null;
        c.incident = null;
        members--;
        membersIn[c.state.ordinal()]--;
    }

    /** A member moves from one state to another. */
    void moved(final dev.triage.engine.ground.ConversationState from, final dev.triage.engine.ground.ConversationState to)
    {
        membersIn[from.ordinal()]--;
        membersIn[to.ordinal()]++;
    }

    /**
     * @return its leads' ids, in slot order (empty when the policy has no lead slots).
     */
    String[] leadIds()
    {
        final String[] ids = new String[leadCount];
        for (int i = 0; i < leadCount; i++)
        {
            ids[i] = leads[i].id;
        }
        return ids;
    }

    /**
     * O(members): for the reads that show an incident (INCIDENT_SHOW, VIEW), never for a decision.
     *
     * @return the queued member that has waited longest (ties: the first opened), or null when none waits.
     */
    Conversation oldestWaiting()
    {
        Conversation oldest = null;
        for (Conversation m = head; m != null; m = m.incidentNext)
        {
            if (m.state == dev.triage.engine.ground.ConversationState.OPEN && (oldest == null ||
                m.waitingSinceMs < oldest.waitingSinceMs || m.waitingSinceMs == oldest.waitingSinceMs && m.openSeq < oldest.openSeq))
            {
                oldest = m;
            }
        }
        return oldest;
    }

    /**
     * @return members in that state now.
     */
    int membersIn(final dev.triage.engine.ground.ConversationState state)
    {
        return membersIn[state.ordinal()];
    }
}
