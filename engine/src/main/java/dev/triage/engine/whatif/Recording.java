package dev.triage.engine.whatif;

import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the recording says about handling, from the first pass (the journal replayed exactly): for each assignment of
 * each conversation, how long its agent took to acknowledge it and to end it (reply, resolve or release), and which
 * agent-side commands were those ends (the simulations replace them with their own, timed from their own assignments).
 */
final class Recording implements DecisionListener
{
    /** One recorded assignment: delays from the assignment, -1 where it did not happen. */
    static final class Handling
    {
        final String skills;
        final String agentId;
        final long assignedAtMs;
        long ackDelayMs = -1;
        long endDelayMs = -1;
        CommandType endKind;

        Handling(final String skills, final String agentId, final long assignedAtMs)
        {
            this.skills = skills;
            this.agentId = agentId;
            this.assignedAtMs = assignedAtMs;
        }
    }

    private final Map<String, List<Handling>> byConversation = new HashMap<>();
    private final Map<String, Handling> open = new HashMap<>();
    private final Map<String, String> skillsOf = new HashMap<>();
    private final LongHashSet agentEnds = new LongHashSet();
    private final Map<String, long[]> medianBySkills = new HashMap<>();
    private long[] medianOverall = { -1, -1 };
    private final Map<String, Long> lastEndByAgent = new HashMap<>();
    private final Map<String, List<Long>> turnarounds = new HashMap<>();
    private final Map<String, Long> turnaroundByAgent = new HashMap<>();
    private final Map<String, Long> lastAskByAgent = new HashMap<>();
    RunTracker tracker;

    void opened(final String conversationId, final String skills)
    {
        skillsOf.put(conversationId, skills);
    }

    @Override
    public void onAssigned(final Cause cause, final long sequence, final long nowMs, final Reply r)
    {
        final Handling h = new Handling(skillsOf.getOrDefault(r.conversationId, ""), r.agentId, nowMs);
        byConversation.computeIfAbsent(r.conversationId, id -> new ArrayList<>()).add(h);
        open.put(r.conversationId, h);
        tracker.onAssigned(r.conversationId, r.agentId, nowMs, r.ageUnits);
    }

    @Override
    public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
    {
        // Lease expiry or the agent going offline: no end the simulations replay (they expire or go offline themselves).
        // A RELEASE is told here first, inside its command: ended() closes that handling, with its delay.
        if (cause != Cause.RELEASED)
        {
            open.remove(conversationId);
        }
    }

    /** A recorded ACK of an assigned conversation succeeded. */
    void acked(final String conversationId, final long nowMs)
    {
        final Handling h = open.get(conversationId);
        if (h != null && h.ackDelayMs < 0)
        {
            h.ackDelayMs = nowMs - h.assignedAtMs;
        }
    }

    /** A recorded RESOLVE, AGENT_REPLIED or RELEASE ended an assignment: the simulations replay it by delay, not here. */
    void ended(final String conversationId, final CommandType kind, final long nowMs, final long sequence)
    {
        final Handling h = open.remove(conversationId);
        if (h != null)
        {
            h.endDelayMs = nowMs - h.assignedAtMs;
            h.endKind = kind;
            lastEndByAgent.put(h.agentId, nowMs);
        }
        agentEnds.add(sequence);
    }

    /** A recorded NEXT_BEST: the time since the agent's last end is its turnaround (the client's own time). */
    void asked(final String agentId, final long nowMs)
    {
        lastAskByAgent.put(agentId, nowMs);
        final Long end = lastEndByAgent.remove(agentId);
        if (end != null)
        {
            turnarounds.computeIfAbsent(agentId, a -> new ArrayList<>()).add(nowMs - end);
        }
    }

    /**
     * @return the agent's mean recorded time from ending a conversation to asking again, 0 if never seen.
     */
    long turnaroundMs(final String agentId)
    {
        return turnaroundByAgent.getOrDefault(agentId, 0L);
    }

    /**
     * @return when the agent last asked for work in the recording (after that it had stopped working), or -1.
     */
    long lastAskMs(final String agentId)
    {
        return lastAskByAgent.getOrDefault(agentId, -1L);
    }

    /** A recorded ACK is the agent's too: the simulations time their own. */
    void agentAck(final long sequence)
    {
        agentEnds.add(sequence);
    }

    boolean isAgentAction(final long sequence)
    {
        return agentEnds.contains(sequence);
    }

    /** After the pass: median handling per skill set, for conversations the recording never assigned. */
    void conclude()
    {
        final Map<String, List<Handling>> bySkills = new HashMap<>();
        final List<Handling> all = new ArrayList<>();
        byConversation.values().forEach(list -> list.forEach(h ->
        {
            bySkills.computeIfAbsent(h.skills, s -> new ArrayList<>()).add(h);
            all.add(h);
        }));
        bySkills.forEach((skills, list) -> medianBySkills.put(skills, medians(list)));
        // The mean, not the median: an agent's time between conversations is skewed (a loaded client now and then
        // takes long), and the mean keeps each simulated agent as busy in total as the real one was.
        turnarounds.forEach((agent, list) -> turnaroundByAgent.put(agent,
            Math.round(list.stream().mapToLong(Long::longValue).average().orElse(0))));
        medianOverall = medians(all);
    }

    private static long[] medians(final List<Handling> list)
    {
        return new long[]{ median(list.stream().mapToLong(h -> h.ackDelayMs).filter(d -> d >= 0).toArray()),
            median(list.stream().filter(h -> h.endKind == CommandType.RESOLVE || h.endKind == CommandType.AGENT_REPLIED)
                .mapToLong(h -> h.endDelayMs).toArray()) };
    }

    private static long median(final long[] values)
    {
        if (values.length == 0)
        {
            return -1;
        }
        Arrays.sort(values);
        return WhatIfResult.percentile(values, 0.5);
    }

    /**
     * @return the recorded handling of the {@code k}-th assignment of the conversation (its last one when the
     * simulation assigns it more often), or null if the recording never assigned it.
     */
    Handling handling(final String conversationId, final int k)
    {
        final List<Handling> list = byConversation.get(conversationId);
        return list == null ? null : list.get(Math.min(k, list.size() - 1));
    }

    /**
     * @return {ack delay, resolve delay} medians of the skill set (or of everything when the set has none), -1 where
     * the recording has no example.
     */
    long[] medianHandling(final String skills)
    {
        final long[] m = medianBySkills.get(skills);
        return m != null && m[1] >= 0 ? m : medianOverall;
    }
}
