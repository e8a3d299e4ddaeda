package dev.triage.engine.book;

import dev.triage.engine.policy.Policy;

/**
 * Which members of each incident are its leads: {@link Policy#incidentLeadSlots()} slots, each held by a member from the
 * moment it is queued with a slot free (or outranks the weakest queued lead, by {@link Scorer#memberRank}; ties: the first
 * opened) until it is answered (pending) or resolved: while queued and while an agent works it. A lead that comes back to
 * the queue (released, its lease expired, updated) gives its slot to a queued member that now outranks it. Leads take the
 * incident's reach as their impact; the other members keep their own and wait among everyone else. So an outage
 * draws as many agents as it has slots, not all of them, and when a lead is answered or resolved the best queued member
 * takes its slot. Each incident keeps its leads in a small array (compared when one enters: O(slots)) and its other
 * queued members in a heap (O(log s)); nothing scans the queue or an incident's members.
 * <p>
 * Called by the assignment desk as a member enters and leaves the index and as it leaves play; a member whose lead
 * status changes while indexed is re-keyed through {@link Rekey}. With 0 slots every member takes the reach and none
 * of this is kept. Processor thread only.
 */
final class IncidentLeads
{
    /** Re-key an indexed conversation whose impact just changed (it became, or stopped being, a lead). */
    interface Rekey
    {
        void rekey(Conversation c);
    }

    private final IntrusiveHeap.Positions positions;
    private final BookState s;
    private final Rekey rekey;

    IncidentLeads(final BookState state, final int expectedConversations, final Rekey rekey)
    {
        s = state;
        positions = new IntrusiveHeap.Positions(expectedConversations);
        this.rekey = rekey;
    }

    /**
     * A member enters the queue (before it is indexed): a lead if there is room, or if it outranks the weakest lead,
     * which then becomes one of the others.
     */
    void enter(final Conversation c)
    {
        final int slots = s.policy.incidentLeadSlots();
        if (slots == 0)
        {
            return;
        }
        final Incident incident = c.incident;
        c.memberRank = Scorer.memberRank(s.policy, c);
        if (c.lead)
        {
            // Back in the queue with its slot (released, lease expired, updated): it keeps it unless a queued member
            // now outranks it, which then takes it.
            if (incident.others != null && !incident.others.isEmpty())
            {
                final Conversation best = s.conversations.get(incident.others.idAt(0));
                if (outranks(best, c))
                {
                    incident.others.remove(best.handle);
                    removeLead(incident, c);
                    addOther(incident, c);
                    addLead(incident, best);
                    rekey.rekey(best);
                }
            }
            return;
        }
        if (incident.leadCount < slots)
        {
            addLead(incident, c);
            return;
        }
        final Conversation weakest = weakestQueuedLead(incident);
        if (weakest != null && outranks(c, weakest))
        {
            removeLead(incident, weakest);
            addOther(incident, weakest);
            rekey.rekey(weakest);
            addLead(incident, c);
        }
        else
        {
            addOther(incident, c);
        }
    }

    /**
     * A member leaves the queue (after it left the index): one of the others leaves their heap; a lead keeps its slot.
     */
    void leaveQueue(final Conversation c)
    {
        if (s.policy.incidentLeadSlots() > 0 && !c.lead)
        {
            c.incident.others.remove(c.handle);
        }
    }

    /**
     * A member is answered (pending), resolved, or leaves its incident, and is out of the queue: if it held a slot, the
     * best queued member takes it.
     */
    void leavePlay(final Conversation c)
    {
        if (!c.lead)
        {
            return;
        }
        final Incident incident = c.incident;
        removeLead(incident, c);
        if (incident.others != null && !incident.others.isEmpty())
        {
            final Conversation next = s.conversations.get(incident.others.idAt(0));
            incident.others.remove(next.handle);
            addLead(incident, next);
            rekey.rekey(next);
        }
    }

    /**
     * Snapshot restore of a queued member (before it is indexed): a lead or one of the others, as it was.
     */
    void restoreQueued(final Conversation c)
    {
        if (s.policy.incidentLeadSlots() == 0)
        {
            return;
        }
        c.memberRank = Scorer.memberRank(s.policy, c);
        if (c.lead)
        {
            addLead(c.incident, c);
        }
        else
        {
            addOther(c.incident, c);
        }
    }

    /**
     * Snapshot restore: an assigned member that held a slot holds it again.
     */
    void restoreAssignedLead(final Conversation c)
    {
        if (!holdsSlot(c.incident, c))
        {
            addLead(c.incident, c);
        }
    }

    private static boolean holdsSlot(final Incident incident, final Conversation c)
    {
        for (int i = 0; i < incident.leadCount; i++)
        {
            if (incident.leads[i] == c)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Forget every incident's leads and others, assigned leads included (a policy change is about to re-queue every
     * queued conversation, which chooses them again under the new policy).
     */
    void clearAll()
    {
        s.conversations.forEachIncident(incident ->
        {
            for (int i = 0; i < incident.leadCount; i++)
            {
                incident.leads[i].lead = false;
                incident.leads[i] = null;
            }
            incident.leadCount = 0;
            if (incident.others != null)
            {
                incident.others.clear();
            }
        });
    }

    private void addLead(final Incident incident, final Conversation c)
    {
        if (incident.leadCount == incident.leads.length)
        {
            incident.leads = java.util.Arrays.copyOf(incident.leads, incident.leads.length * 2);
        }
        incident.leads[incident.leadCount++] = c;
        c.lead = true;
    }

    private static void removeLead(final Incident incident, final Conversation c)
    {
        for (int i = 0; i < incident.leadCount; i++)
        {
            if (incident.leads[i] == c)
            {
                incident.leads[i] = incident.leads[--incident.leadCount];
                incident.leads[incident.leadCount] = null;
                c.lead = false;
                return;
            }
        }
        throw new IllegalStateException("conversation " + c.id + " is not a lead of incident " + incident.key);
    }

    private void addOther(final Incident incident, final Conversation c)
    {
        if (incident.others == null)
        {
            incident.others = new IntrusiveHeap(positions, 4);
        }
        positions.ensure(c.handle);
        // A min-heap: the best rank first, then the first opened.
        incident.others.add(c.handle, -c.memberRank, c.openSeq);
    }

    /** The weakest lead in the queue (a lead an agent works keeps its slot), or null when every lead is being worked. */
    private static Conversation weakestQueuedLead(final Incident incident)
    {
        Conversation weakest = null;
        for (int i = 0; i < incident.leadCount; i++)
        {
            final Conversation lead = incident.leads[i];
            if (lead.classId >= 0 && (weakest == null || outranks(weakest, lead)))
            {
                weakest = lead;
            }
        }
        return weakest;
    }

    /** a ranks above b: a higher rank, or the same and opened first. */
    static boolean outranks(final Conversation a, final Conversation b)
    {
        return a.memberRank > b.memberRank || a.memberRank == b.memberRank && a.openSeq < b.openSeq;
    }

    /**
     * @return null when every incident's slots are held by queued or assigned members, the others are its other queued
     * members, no slot is free while one waits, and none of them outranks the weakest queued lead; else the problem.
     */
    String validate()
    {
        final int slots = s.policy.incidentLeadSlots();
        final String[] problem = new String[1];
        s.conversations.forEachIncident(incident ->
        {
            if (problem[0] != null)
            {
                return;
            }
            int queuedOthers = 0;
            int leads = 0;
            for (Conversation m = incident.head; m != null; m = m.incidentNext)
            {
                if (m.lead)
                {
                    leads++;
                    if (slots == 0 || m.classId < 0 && m.state != dev.triage.engine.ground.ConversationState.ASSIGNED &&
                        m.state != dev.triage.engine.ground.ConversationState.OPEN)
                    {
                        problem[0] = "incident " + incident.key + ": lead " + m.id + " is " + m.state;
                    }
                }
                else if (m.classId >= 0)
                {
                    queuedOthers++;
                }
            }
            final int others = incident.others == null ? 0 : incident.others.size();
            if (problem[0] == null && slots > 0 && (leads != incident.leadCount || others != queuedOthers ||
                leads > slots || leads < slots && others > 0))
            {
                problem[0] = "incident " + incident.key + ": " + incident.leadCount + " slots held (" + leads + " flagged), " +
                    others + " others (" + queuedOthers + " queued non-leads), " + slots + " slots";
            }
            else if (problem[0] == null && slots > 0 && others > 0)
            {
                final Conversation weakest = weakestQueuedLead(incident);
                if (weakest != null && outranks(s.conversations.get(incident.others.idAt(0)), weakest))
                {
                    problem[0] = "incident " + incident.key + ": a member outranks its weakest queued lead";
                }
            }
        });
        return problem[0];
    }
}
