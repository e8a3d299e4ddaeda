package dev.triage.engine.whatif;

import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the recording says, from the first pass (the journal replayed exactly), for the simulations to follow it:
 * <ul>
 * <li>which recorded commands were an agent's own (its NEXT_BEST, ACK, RELEASE, the reply or resolve of what it held,
 * the cancel of its wait): while a simulated agent is on the trace these are replayed as recorded; once it is off,
 * the simulation acts for it;</li>
 * <li>which assignments each command made: a simulated agent stays on the trace while the simulation makes the same;</li>
 * <li>when the recording's timers fired (its TICKs) and how late the latest one was after its deadline, so a
 * simulation fires its own timers at the recorded ticks rather than earlier;</li>
 * <li>for each assignment of each conversation, how long its agent took to acknowledge and end it, and per skill set
 * the recorded spread of those times, for agents off the trace.</li>
 * </ul>
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
        /** Still held when the journal ends: how long it would have taken is unknown. */
        boolean censored;

        Handling(final String skills, final String agentId, final long assignedAtMs)
        {
            this.skills = skills;
            this.agentId = agentId;
            this.assignedAtMs = assignedAtMs;
        }
    }

    /** An assignment a recorded command made. */
    record Assigned(String agentId, String conversationId)
    {
    }

    private final Map<String, List<Handling>> byConversation = new HashMap<>();
    private final Map<String, Handling> open = new HashMap<>();
    private final Map<String, String> skillsOf = new HashMap<>();
    private final BySequence<String> actorBySequence = new BySequence<>();
    private final BySequence<List<Assigned>> assignedBySequence = new BySequence<>();
    private final Map<String, String> agentIds = new HashMap<>();
    private final LongArrayList tickTimes = new LongArrayList();
    private long[] ticks = new long[0];
    private long latestTickLatenessMs;
    private final Map<String, long[][]> spreadBySkills = new HashMap<>();
    private long[][] spreadOverall = { {}, {} };
    private final Map<String, Long> lastEndByAgent = new HashMap<>();
    private final Map<String, List<Long>> turnarounds = new HashMap<>();
    private final Map<String, Long> turnaroundByAgent = new HashMap<>();
    private final Map<String, Long> lastAskByAgent = new HashMap<>();
    private final Map<String, Long> longestWaitByAgent = new HashMap<>();
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
        List<Assigned> made = assignedBySequence.get(sequence);
        if (made == null)
        {
            made = new ArrayList<>(1);
            assignedBySequence.put(sequence, made);
        }
        made.add(new Assigned(r.agentId, r.conversationId));
        tracker.onAssigned(r.conversationId, r.agentId, nowMs, r.ageUnits);
    }

    @Override
    public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
    {
        if (cause == Cause.RELEASED)
        {
            // Closed here, inside the RELEASE: a waiting agent may take the conversation back in the same command.
            ended(conversationId, CommandType.RELEASE, nowMs);
            return;
        }
        // Lease expiry: no end the simulations replay (they expire themselves). An agent going offline left it
        // unfinished: how long it would have taken is unknown.
        final Handling h = open.remove(conversationId);
        if (h != null && cause == Cause.AGENT_OFFLINE)
        {
            h.censored = true;
        }
    }

    /** A recorded command was {@code agentId}'s own action. */
    void actedBy(final long sequence, final String agentId)
    {
        actorBySequence.put(sequence, agentIds.computeIfAbsent(agentId, a -> a));
    }

    /**
     * @return the agent whose own action the recorded command was, or null for the world's (arrivals, customers,
     * supervisors, logins and status, policy, ticks).
     */
    String actor(final long sequence)
    {
        return actorBySequence.get(sequence);
    }

    /**
     * @return the assignments the recorded command made (empty for none).
     */
    List<Assigned> assignedBy(final long sequence)
    {
        final List<Assigned> made = assignedBySequence.get(sequence);
        return made == null ? List.of() : made;
    }

    /**
     * Values by recorded sequence, in an array from the first sequence given: the simulations look one up for every
     * command, in journal order (a hash map of a million sequences cost the what-if of a throughput journal a third of
     * its time in cache misses). Sequences are dense (a journal is refused with a gap, unless a loss was accepted,
     * which leaves a stretch of nulls).
     */
    private static final class BySequence<T>
    {
        private final ArrayList<T> values = new ArrayList<>();
        private long first = -1;

        void put(final long sequence, final T value)
        {
            if (first < 0)
            {
                first = sequence;
            }
            final long index = sequence - first;
            if (index < 0 || index > Integer.MAX_VALUE - 8)
            {
                throw new IllegalStateException("recorded sequence " + sequence + " out of order (first " + first + ")");
            }
            while (values.size() <= index)
            {
                values.add(null);
            }
            values.set((int)index, value);
        }

        T get(final long sequence)
        {
            final long index = sequence - first;
            return first < 0 || index < 0 || index >= values.size() ? null : values.get((int)index);
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

    /** A recorded RESOLVE, AGENT_REPLIED or RELEASE ended an assignment. */
    void ended(final String conversationId, final CommandType kind, final long nowMs)
    {
        final Handling h = open.remove(conversationId);
        if (h != null)
        {
            h.endDelayMs = nowMs - h.assignedAtMs;
            h.endKind = kind;
            lastEndByAgent.put(h.agentId, nowMs);
        }
    }

    /** A recorded NEXT_BEST: the time since the agent's last end is its turnaround (the client's own time). */
    void asked(final String agentId, final long nowMs, final long waitMs)
    {
        lastAskByAgent.put(agentId, nowMs);
        longestWaitByAgent.merge(agentId, waitMs, Math::max);
        final Long end = lastEndByAgent.remove(agentId);
        if (end != null)
        {
            turnarounds.computeIfAbsent(agentId, a -> new ArrayList<>()).add(nowMs - end);
        }
    }

    /**
     * A recorded TICK at {@code atMs}, whose book's earliest timer was due at {@code deadlineMs}.
     */
    void ticked(final long atMs, final long deadlineMs)
    {
        tickTimes.addLong(atMs);
        if (deadlineMs <= atMs)
        {
            latestTickLatenessMs = Math.max(latestTickLatenessMs, atMs - deadlineMs);
        }
    }

    /**
     * Whether the recording ticked within its latest lateness after {@code deadlineMs}: then a simulation waits for
     * that recorded tick to fire its timer (as the recording did, not earlier); otherwise it ticks itself.
     */
    boolean recordedTickSoonAfter(final long deadlineMs)
    {
        int low = 0;
        int high = ticks.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (ticks[mid] < deadlineMs)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low < ticks.length && ticks[low] - deadlineMs <= latestTickLatenessMs;
    }

    /**
     * @return the agent's mean recorded time from ending a conversation to asking again, 0 if never seen.
     */
    long turnaroundMs(final String agentId)
    {
        return turnaroundByAgent.getOrDefault(agentId, 0L);
    }

    /**
     * @return the longest wait the agent's recorded NEXT_BESTs asked for (its long-poll after an empty answer), 0 if none.
     */
    long longestWaitMs(final String agentId)
    {
        return longestWaitByAgent.getOrDefault(agentId, 0L);
    }

    /**
     * @return when the agent last asked for work in the recording (after that it had stopped working), or -1.
     */
    long lastAskMs(final String agentId)
    {
        return lastAskByAgent.getOrDefault(agentId, -1L);
    }

    /** After the pass: the recorded ticks in order, the spread of handling per skill set and each agent's turnaround. */
    void conclude()
    {
        open.values().forEach(h -> h.censored = true);
        open.clear();
        ticks = tickTimes.toLongArray();
        Arrays.sort(ticks);
        final Map<String, List<Handling>> bySkills = new HashMap<>();
        final List<Handling> all = new ArrayList<>();
        byConversation.values().forEach(list -> list.forEach(h ->
        {
            bySkills.computeIfAbsent(h.skills, s -> new ArrayList<>()).add(h);
            all.add(h);
        }));
        bySkills.forEach((skills, list) -> spreadBySkills.put(skills, spread(list)));
        // The mean, not the median: an agent's time between conversations is skewed (a loaded client now and then
        // takes long), and the mean keeps each simulated agent as busy in total as the real one was.
        turnarounds.forEach((agent, list) -> turnaroundByAgent.put(agent,
            Math.round(list.stream().mapToLong(Long::longValue).average().orElse(0))));
        spreadOverall = spread(all);
    }

    /** {sorted ack delays, sorted delays to a reply or resolve}. */
    private static long[][] spread(final List<Handling> list)
    {
        final long[] acks = list.stream().filter(h -> !h.censored).mapToLong(h -> h.ackDelayMs).filter(d -> d >= 0).sorted().toArray();
        final long[] ends = list.stream().filter(h -> h.endKind == CommandType.RESOLVE || h.endKind == CommandType.AGENT_REPLIED)
            .mapToLong(h -> h.endDelayMs).sorted().toArray();
        return new long[][]{ acks, ends };
    }

    /**
     * @return the recorded handling of the {@code k}-th assignment of the conversation (its last one when the
     * simulation assigns it more often), or null if the recording never assigned it or was still holding it at its end
     * (how long it would have taken is unknown).
     */
    Handling handling(final String conversationId, final int k)
    {
        final List<Handling> list = byConversation.get(conversationId);
        final Handling h = list == null ? null : list.get(Math.min(k, list.size() - 1));
        return h == null || h.censored ? null : h;
    }

    /**
     * For a conversation the recording never handled: {ack delay, resolve delay} drawn from its skill set's recorded
     * spread (everything's, when the set has no example), at a point fixed by the conversation's id, so the draw is the
     * same in every run and the simulated handling times have the recorded distribution; -1 where there is none.
     */
    long[] drawnHandling(final String skills, final String conversationId)
    {
        final long[][] own = spreadBySkills.get(skills);
        final long[][] s = own != null && own[1].length > 0 ? own : spreadOverall;
        final int h = conversationId.hashCode() & Integer.MAX_VALUE;
        return new long[]{ s[0].length == 0 ? -1 : s[0][h % s[0].length], s[1].length == 0 ? -1 : s[1][h % s[1].length] };
    }
}
