package dev.triage.engine.book;

import org.agrona.collections.Object2IntHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.Arrays;
import java.util.List;

/**
 * Every live conversation by client id and by dense handle, the incidents they share, and the most recently
 * resolved ones (kept for REOPEN and idempotent retries, up to a retention bound; older ones are evicted and their
 * objects reused, so memory is bounded and steady state allocates nothing). Processor thread only.
 */
public final class ConversationBook
{
    private final Object2IntHashMap<String> handleById;
    private Conversation[] byHandle;
    private int highWater;
    private int[] freeHandles = new int[64];
    private int freeCount;
    private final Object2ObjectHashMap<String, Incident> incidents = new Object2ObjectHashMap<>();
    private final int retainResolved;
    private Conversation resolvedHead;
    private Conversation resolvedTail;
    private int resolvedCount;

    /** Skill bits are held while a conversation is kept, and released when it is evicted. */
    private final SkillRegistry skills;

    /**
     * @param expectedConversations initial sizing.
     * @param retainResolved how many resolved conversations to keep before evicting the oldest.
     * @param skills the registry whose bits kept conversations hold.
     */
    public ConversationBook(final int expectedConversations, final int retainResolved, final SkillRegistry skills)
    {
        this.skills = skills;
        handleById = new Object2IntHashMap<>(Math.max(16, expectedConversations * 2), 0.65f, -1);
        byHandle = new Conversation[Math.max(16, expectedConversations)];
        this.retainResolved = retainResolved;
    }

    /**
     * @param id client id.
     * @return the conversation, or null.
     */
    public Conversation find(final String id)
    {
        final int handle = handleById.getValue(id);
        return handle < 0 ? null : byHandle[handle];
    }

    /**
     * @param handle a live handle.
     * @return its conversation.
     */
    public Conversation get(final int handle)
    {
        return byHandle[handle];
    }

    /**
     * @param id a new client id.
     * @return a reset conversation registered under {@code id}.
     */
    Conversation allocate(final String id)
    {
        final int handle;
        if (freeCount > 0)
        {
            handle = freeHandles[--freeCount];
        }
        else
        {
            handle = highWater++;
            if (handle == byHandle.length)
            {
                byHandle = Arrays.copyOf(byHandle, handle * 2);
            }
            byHandle[handle] = new Conversation(handle);
        }
        final Conversation c = byHandle[handle];
        c.reset();
        c.id = id;
        handleById.put(id, handle);
        return c;
    }

    /**
     * Keep a newly resolved conversation, evicting the oldest resolved one beyond the retention bound.
     *
     * @param c a conversation that just became RESOLVED.
     */
    void retain(final Conversation c)
    {
        c.prev = resolvedTail;
        c.next = null;
        if (resolvedTail != null)
        {
            resolvedTail.next = c;
        }
        else
        {
            resolvedHead = c;
        }
        resolvedTail = c;
        resolvedCount++;
        while (resolvedCount > retainResolved)
        {
            final Conversation oldest = resolvedHead;
            unretain(oldest);
            evict(oldest);
        }
    }

    /**
     * @param c a retained RESOLVED conversation that is being reopened or evicted.
     */
    void unretain(final Conversation c)
    {
        if (c.prev != null)
        {
            c.prev.next = c.next;
        }
        else
        {
            resolvedHead = c.next;
        }
        if (c.next != null)
        {
            c.next.prev = c.prev;
        }
        else
        {
            resolvedTail = c.prev;
        }
        c.prev = null;
        c.next = null;
        resolvedCount--;
    }

    private void evict(final Conversation c)
    {
        handleById.removeKey(c.id);
        skills.release(c.unionSet);
        c.reset();
        if (freeCount == freeHandles.length)
        {
            freeHandles = Arrays.copyOf(freeHandles, freeCount * 2);
        }
        freeHandles[freeCount++] = c.handle;
    }

    /**
     * Add a conversation to its incident, creating the incident if needed, and grow the incident's reach.
     *
     * @param c a conversation with an incident key and no incident.
     * @return the incident's reach before, or -1 if the incident is new (its members need no re-keying).
     */
    long joinIncident(final Conversation c, final long nowMs)
    {
        Incident incident = incidents.get(c.incidentKey);
        if (incident == null)
        {
            incident = new Incident(c.incidentKey);
            incident.firstReportMs = nowMs;
            incidents.put(c.incidentKey, incident);
        }
        final long before = incident.members == 0 ? -1 : incident.reach;
        incident.reach += c.impact;
        incident.add(c);
        return before;
    }

    /**
     * Grow the reach of {@code c}'s incident when its own impact grew.
     *
     * @param c an incident member.
     * @param growth customers added, > 0.
     * @return the incident's reach before.
     */
    long growIncident(final Conversation c, final long growth)
    {
        final long before = c.incident.reach;
        c.incident.reach += growth;
        return before;
    }

    /**
     * Snapshot restore: recreate an incident with its reach and no members yet.
     */
    void restoreIncident(final String key, final long reach, final long firstReportMs)
    {
        final Incident incident = new Incident(key);
        incident.reach = reach;
        incident.firstReportMs = firstReportMs;
        incidents.put(key, incident);
    }

    /**
     * Snapshot restore: add a member without growing the reach.
     */
    void restoreMember(final Conversation c)
    {
        incidents.get(c.incidentKey).add(c);
    }

    /**
     * @param visitor receives each incident.
     */
    void forEachIncident(final java.util.function.Consumer<Incident> visitor)
    {
        incidents.values().forEach(visitor);
    }

    /**
     * @return the retained resolved conversations, oldest first.
     */
    List<Conversation> resolvedInOrder()
    {
        final List<Conversation> list = new java.util.ArrayList<>(resolvedCount);
        for (Conversation c = resolvedHead; c != null; c = c.next)
        {
            list.add(c);
        }
        return list;
    }

    /**
     * @param c a member; the incident is forgotten when its last member leaves.
     */
    void leaveIncident(final Conversation c)
    {
        final Incident incident = c.incident;
        incident.remove(c);
        if (incident.members == 0)
        {
            incidents.remove(incident.key);
        }
    }

    /**
     * @param key incident key.
     * @return the live incident, or null.
     */
    Incident incident(final String key)
    {
        return incidents.get(key);
    }

    /**
     * @param key incident key.
     * @return the incident's reach, or 0 if no such incident is live.
     */
    public long incidentReach(final String key)
    {
        final Incident incident = incidents.get(key);
        return incident == null ? 0 : incident.reach;
    }

    /**
     * @return the number of handles ever allocated (live or free); handles are below this.
     */
    public int highWater()
    {
        return highWater;
    }

    /**
     * @return live (not evicted) conversations.
     */
    public int live()
    {
        return handleById.size();
    }

    public int resolvedRetained()
    {
        return resolvedCount;
    }
}
