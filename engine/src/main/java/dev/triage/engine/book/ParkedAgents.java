package dev.triage.engine.book;

import dev.triage.engine.command.Reply;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Agents waiting in a long-poll NEXT_BEST, grouped by skill set, each group ordered longest-idle first
 * (lowest park sequence). A newly available conversation goes to the longest-idle parked agent that may take it.
 * Processor thread only.
 * <p>
 * Invariant kept by the processor: no parked agent has an eligible conversation in the index, so a conversation
 * entering the index needs only to be offered here first.
 * Cost: {@link #pickFor} is O(distinct agent skill sets); park and unpark are O(1) plus the timeout heap's O(log agents).
 */
public final class ParkedAgents
{
    static final class Group
    {
        final int skillSet;
        final EligibleSets eligible;
        Agent head;
        Agent tail;

        Group(final int skillSet, final EligibleSets eligible)
        {
            this.skillSet = skillSet;
            this.eligible = eligible;
        }
    }

    private static final Comparator<Agent> BY_IDLE_RANK = Comparator.comparingLong(a -> a.parkSeq);

    private final Int2ObjectHashMap<Group> groupBySet = new Int2ObjectHashMap<>();
    private final List<Group> groups = new ArrayList<>();
    private final IntrusiveHeap timeouts;
    private int count;

    /**
     * @param expectedAgents initial sizing.
     */
    public ParkedAgents(final int expectedAgents)
    {
        timeouts = new IntrusiveHeap(new IntrusiveHeap.Positions(expectedAgents), expectedAgents);
    }

    /**
     * Park an agent; keeps the group ordered by park sequence (usually an append).
     *
     * @param agent agent, not parked.
     * @param reply the reply to complete later.
     * @param parkSeq idle rank: lower is longer idle.
     * @param deadlineMs when to time out.
     */
    void park(final Agent agent, final Reply reply, final long parkSeq, final long deadlineMs)
    {
        agent.parkedReply = reply;
        agent.parkSeq = parkSeq;
        agent.parkDeadlineMs = deadlineMs;
        Group group = groupBySet.get(agent.skillSet);
        if (group == null)
        {
            group = new Group(agent.skillSet, agent.eligible);
            groupBySet.put(agent.skillSet, group);
            groups.add(group);
        }
        agent.parkGroup = group;
        Agent after = group.tail;
        while (after != null && after.parkSeq > parkSeq)
        {
            after = after.parkPrev;
        }
        agent.parkPrev = after;
        agent.parkNext = after == null ? group.head : after.parkNext;
        if (agent.parkNext != null)
        {
            agent.parkNext.parkPrev = agent;
        }
        else
        {
            group.tail = agent;
        }
        if (after != null)
        {
            after.parkNext = agent;
        }
        else
        {
            group.head = agent;
        }
        timeouts.add(agent.handle, deadlineMs, parkSeq);
        count++;
    }

    /**
     * @param agent a parked agent.
     * @return its parked reply, now detached.
     */
    Reply unpark(final Agent agent)
    {
        final Group group = agent.parkGroup;
        if (agent.parkPrev != null)
        {
            agent.parkPrev.parkNext = agent.parkNext;
        }
        else
        {
            group.head = agent.parkNext;
        }
        if (agent.parkNext != null)
        {
            agent.parkNext.parkPrev = agent.parkPrev;
        }
        else
        {
            group.tail = agent.parkPrev;
        }
        timeouts.remove(agent.handle);
        final Reply reply = agent.parkedReply;
        agent.parkedReply = null;
        agent.parkGroup = null;
        agent.parkPrev = null;
        agent.parkNext = null;
        count--;
        return reply;
    }

    /**
     * @param skillSetId the skill set a conversation needs now.
     * @return the longest-idle parked agent who may take it, or null.
     */
    Agent pickFor(final int skillSetId)
    {
        Agent best = null;
        for (int i = 0, n = groups.size(); i < n; i++)
        {
            final Group group = groups.get(i);
            final Agent head = group.head;
            if (head != null && group.eligible.contains(skillSetId) && (best == null || head.parkSeq < best.parkSeq))
            {
                best = head;
            }
        }
        return best;
    }

    /**
     * @return the agent handle whose wait ends first, or -1 when none is parked.
     */
    int earliestTimeoutHandle()
    {
        return timeouts.isEmpty() ? -1 : timeouts.idAt(0);
    }

    /**
     * @return the earliest timeout, or Long.MAX_VALUE.
     */
    long earliestTimeoutMs()
    {
        return timeouts.isEmpty() ? Long.MAX_VALUE : timeouts.primaryAt(0);
    }

    /**
     * Copy the parked agents' handles ordered longest-idle first (used after a policy change).
     *
     * @param agents the agents by handle.
     * @param out destination, large enough.
     * @return how many.
     */
    int collectByIdleRank(final Agent[] agents, final Agent[] out)
    {
        int n = 0;
        for (int i = 0; i < timeouts.size(); i++)
        {
            out[n++] = agents[timeouts.idAt(i)];
        }
        Arrays.sort(out, 0, n, BY_IDLE_RANK);
        return n;
    }

    public int count()
    {
        return count;
    }

    /**
     * @return null if the groups and the timeout heap agree, else the first problem found.
     */
    String validate()
    {
        int linked = 0;
        for (final Group group : groups)
        {
            long lastSeq = Long.MIN_VALUE;
            for (Agent a = group.head; a != null; a = a.parkNext)
            {
                if (a.parkSeq < lastSeq || a.parkGroup != group || a.skillSet != group.skillSet || a.eligible != group.eligible)
                {
                    return "parked group of skill set " + group.skillSet + " is inconsistent at agent " + a.id;
                }
                lastSeq = a.parkSeq;
                linked++;
            }
        }
        if (linked != count || timeouts.size() != count)
        {
            return "parked count " + count + " linked " + linked + " timeouts " + timeouts.size();
        }
        return timeouts.validate();
    }
}
