package dev.triage.engine.whatif;

import dev.triage.engine.book.Conversation;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.ground.Urgency;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run (the recording, or a simulation) did with the conversations opened in the window: when each was first
 * assigned, to whom, and how deep the queue was over time. Engine time only, insertion-ordered maps: deterministic.
 */
final class RunTracker
{
    /** One conversation opened in the window. */
    static final class Tracked
    {
        final String id;
        final Urgency urgency;
        final int impact;
        final String incident;
        final String skills;
        final long sinceMs;
        final long respondByMs;
        long firstAssignedMs = -1;

        Tracked(final Conversation c, final String skills)
        {
            id = c.id();
            urgency = c.urgency();
            impact = c.impact();
            incident = c.incidentKey();
            this.skills = skills;
            sinceMs = c.waitingSinceMs();
            respondByMs = c.respondByMs();
        }

        /** Wait before the first assignment, or up to {@code endMs} if never assigned (censored). */
        long waitMs(final long endMs)
        {
            return Math.max(0, (firstAssignedMs >= 0 ? firstAssignedMs : endMs) - sinceMs);
        }
    }

    final String name;
    final Map<String, Tracked> conversations = new LinkedHashMap<>();
    final Map<String, Long> assignmentsByAgent = new TreeMap<>();
    long newestFirstAnswers;
    private final long fromMs;
    private final long toMs;
    private final long depthEveryMs;
    private long nextDepthMs = Long.MIN_VALUE;
    List<long[]> depth = new ArrayList<>();
    /**
     * Every assignment in the window as a 64-bit hash of (conversation, its k-th assignment, agent, time), to compare
     * runs assignment by assignment: a set of longs where a map of strings held 150 bytes per assignment per run.
     */
    final org.agrona.collections.LongHashSet assignments = new org.agrona.collections.LongHashSet();
    private final Map<String, Integer> assignedTimes = new java.util.HashMap<>();
    /** Assigned within the command that opened it (a waiting agent took it at once): seen before the open is tracked. */
    private final Map<String, Long> assignedWhileOpening = new java.util.HashMap<>();

    RunTracker(final String name, final long fromMs, final long toMs, final long depthEveryMs)
    {
        this.name = name;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.depthEveryMs = Math.max(1, depthEveryMs);
    }

    /** FNV-1a over both ids' characters, then the numbers mixed in: two different assignments collide about once in 2^64. */
    static long assignmentKey(final String conversationId, final int k, final String agentId, final long nowMs)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < conversationId.length(); i++)
        {
            h = (h ^ conversationId.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
        for (int i = 0; i < agentId.length(); i++)
        {
            h = (h ^ agentId.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ k) * 0x100000001b3L;
        h ^= nowMs * 0x9e3779b97f4a7c15L;
        return h ^ (h >>> 31);
    }

    /** Before a recorded command is applied: what the previous one stashed no longer applies. */
    void beforeCommand()
    {
        assignedWhileOpening.clear();
    }

    /** An OPEN (or REOPEN) succeeded at {@code nowMs}: track the conversation if opened in the window, first time only. */
    void onOpened(final TriageBook book, final String id, final long nowMs, final String skills)
    {
        final Long assignedAt = assignedWhileOpening.remove(id);
        if (nowMs >= fromMs && nowMs < toMs && !conversations.containsKey(id))
        {
            final Tracked t = new Tracked(book.conversation(id), skills);
            t.firstAssignedMs = assignedAt == null ? -1 : assignedAt;
            conversations.put(id, t);
        }
    }

    void onAssigned(final String conversationId, final String agentId, final long nowMs, final long ageUnits)
    {
        if (nowMs < fromMs || nowMs >= toMs)
        {
            return;
        }
        assignmentsByAgent.merge(agentId, 1L, Long::sum);
        final int k = assignedTimes.merge(conversationId, 1, Integer::sum);
        assignments.add(assignmentKey(conversationId, k, agentId, nowMs));
        newestFirstAnswers += ageUnits < 0 ? 1 : 0;
        final Tracked t = conversations.get(conversationId);
        if (t == null)
        {
            assignedWhileOpening.putIfAbsent(conversationId, nowMs);
        }
        else if (t.firstAssignedMs < 0)
        {
            t.firstAssignedMs = nowMs;
        }
    }

    /** Before an input at {@code nowMs}: sample the queue depth when a sampling step has passed. */
    void sampleDepth(final TriageBook book, final long nowMs)
    {
        if (nowMs < fromMs || nowMs >= toMs || nowMs < nextDepthMs)
        {
            return;
        }
        depth.add(new long[]{ nowMs, book.openCount() });
        nextDepthMs = nowMs - Math.floorMod(nowMs - fromMs, depthEveryMs) + depthEveryMs;
    }

    /**
     * After the run: keep one sample per {@code everyMs} step (the last one at or before each step), so a recording
     * sampled finely while its span was unknown matches the simulations' steps.
     */
    void resampleDepth(final long everyMs)
    {
        final List<long[]> kept = new ArrayList<>();
        long nextMs = Long.MIN_VALUE;
        for (final long[] sample : depth)
        {
            if (sample[0] >= nextMs)
            {
                kept.add(sample);
                nextMs = sample[0] - Math.floorMod(sample[0] - fromMs, everyMs) + everyMs;
            }
        }
        depth = kept;
    }

    /** Agents known to the run's book (so agents with no assignment count as 0 in the fairness figures). */
    void knowAgent(final String agentId)
    {
        assignmentsByAgent.putIfAbsent(agentId, 0L);
    }
}
