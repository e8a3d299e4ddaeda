package dev.triage.engine.whatif;

import dev.triage.engine.book.Conversation;
import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.policy.Policy;
import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One simulated run: a book fed the recording's inputs (arrivals, updates, customer replies, reopens, supervisors'
 * actions, agents and their status, ticks) with its own policy timeline, and the agents <b>on the trace</b> while
 * they can be:
 * <ul>
 * <li>An agent on the trace acts exactly when and as it acted in the recording (every NEXT_BEST with its wait, ACK,
 * RELEASE, reply and resolve of what it holds, cancel of its wait), for as long as the simulation assigns it what the
 * recording did, command for command. Under the recorded policies nothing departs, so the baseline remakes the
 * recording assignment for assignment.</li>
 * <li>The first assignment that differs (the agent gets another conversation, or none, or one the recording never gave
 * it) takes the agent <b>off the trace</b> for the rest of the run: the simulation acts for it. What it held keeps its
 * recorded handling; what it gets from then on is handled for as long as the recording handled that conversation (its
 * k-th assignment, whoever had it), or, if nobody did, for a time drawn from its skill set's recorded spread; after
 * each end it asks again after its mean recorded turnaround, with its longest recorded wait, and it also asks at its
 * recorded NEXT_BEST times when it is free, until its last one (after that it had left).</li>
 * </ul>
 * Timers fire at the recording's ticks when one came within the recording's latest tick lateness after the deadline
 * (as the recording's did, never earlier), otherwise at the deadline. Deterministic: engine time only, events ordered
 * by (time, arrival).
 */
final class Simulation implements DecisionListener
{
    private enum Kind { ACK, END, ASK }

    private record Event(long atMs, long order, Kind kind, String conversationId, String agentId, int serial, CommandType endKind)
    {
    }

    final RunTracker tracker;
    private final TriageBook book;
    private final Recording recording;
    private final UnaryOperator<Policy> candidateOf;
    private final boolean replace;
    private final long fromMs;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
        a.atMs != b.atMs ? Long.compare(a.atMs, b.atMs) : Long.compare(a.order, b.order));
    private final Map<String, Integer> assignments = new HashMap<>();
    /** Agents the simulation acts for (off the trace), with when they left it. */
    private final Map<String, Long> offTrace = new HashMap<>();
    /** On-trace agents' assignments (conversation ids) made on the trace: what they hold when they leave it. */
    private final Map<String, List<String>> heldOnTrace = new HashMap<>();
    /** Recorded NEXT_BEST sequences to this simulation's, for CANCEL_WAIT. */
    private final Long2LongHashMap simSequenceOf = new Long2LongHashMap(-1);
    private final Set<String> matched = new HashSet<>();
    private final Reply reply = new Reply(null);
    private final Map<String, String> skillsOf;
    private long order;
    private long sequence;
    private long recordedSequence = -1;
    private boolean candidateSet;
    long drawnHandlingUsed;
    /** Recorded policies in force in the window (the one at its start, then each change), and how the candidate met them. */
    final List<Policy[]> policies = new ArrayList<>();

    /**
     * @param candidateOf the candidate's changes to a policy, applied from {@code fromMs}; null for the baseline (the
     * recorded policies as recorded).
     * @param replace for a candidate, whether it holds from its start with the recorded changes after it left out
     * (else its changes are applied on top of each recorded policy).
     * @param traced whether agents start on the trace (false: the simulation acts for every agent from the start, to
     * check the model on its own).
     */
    Simulation(final TriageBook book, final RunTracker tracker, final Recording recording, final UnaryOperator<Policy> candidateOf,
        final boolean replace, final long fromMs, final Map<String, String> skillsOf, final boolean traced)
    {
        this.book = book;
        this.tracker = tracker;
        this.recording = recording;
        this.candidateOf = candidateOf;
        this.replace = replace;
        this.fromMs = fromMs;
        this.skillsOf = skillsOf;
        book.decisionListener(this);
        sequence = book.lastSequence();
        if (!traced)
        {
            offTrace.put(null, Long.MIN_VALUE);
        }
    }

    /** The next recorded command, in journal order. */
    void input(final Command recorded)
    {
        final long t = recorded.timestampMs;
        drainUntil(t);
        tracker.sampleDepth(book, t);
        if (!candidateSet && t >= fromMs)
        {
            candidateSet = true;
            final Policy inForce = book.policy();
            final Policy mine = candidateOf == null ? inForce : candidateOf.apply(inForce);
            policies.add(new Policy[]{ inForce, mine });
            if (!mine.equals(inForce))
            {
                apply(Command.setPolicy(mine), Math.max(fromMs, book.nowMs()));
            }
        }
        final CommandType type = recorded.type;
        final Command c = new Command();
        c.copyFrom(recorded);
        c.reply = null;
        if (type == CommandType.SET_POLICY && t >= fromMs)
        {
            final Policy mine = candidateOf == null ? recorded.policy : replace ? null : candidateOf.apply(recorded.policy);
            policies.add(new Policy[]{ recorded.policy, mine });
            if (mine == null)
            {
                return;
            }
            c.policy = mine;
        }
        final String actor = recording.actor(recorded.sequence);
        if (actor != null && isOffTrace(actor))
        {
            if (type == CommandType.NEXT_BEST)
            {
                askIfFree(actor, recorded.maxWaitMs, t);
            }
            return;
        }
        if (type == CommandType.CANCEL_WAIT)
        {
            c.targetSequence = simSequenceOf.get(recorded.targetSequence);
        }
        tracker.beforeCommand();
        recordedSequence = recorded.sequence;
        final ResultCode result = apply(c, t);
        recordedSequence = -1;
        if (type == CommandType.NEXT_BEST)
        {
            simSequenceOf.put(recorded.sequence, c.sequence);
        }
        if ((type == CommandType.OPEN || type == CommandType.REOPEN) && result == ResultCode.OK)
        {
            tracker.onOpened(book, recorded.conversationId, book.nowMs(), skillsOf.getOrDefault(recorded.conversationId, ""));
        }
        if (type == CommandType.UPSERT_AGENT && result == ResultCode.OK)
        {
            tracker.knowAgent(recorded.agentId);
        }
        // A recorded assignment this simulation did not make takes its agent off the trace.
        for (final Recording.Assigned a : recording.assignedBy(recorded.sequence))
        {
            if (!matched.remove(a.agentId() + '\n' + a.conversationId()))
            {
                leaveTrace(a.agentId(), t);
            }
        }
        matched.clear();
    }

    /** Run events and timers due up to {@code t}. */
    void drainUntil(final long t)
    {
        while (true)
        {
            final long event = events.isEmpty() ? Long.MAX_VALUE : events.peek().atMs;
            final long deadline = book.nextTimerDeadlineMs();
            // A timer the recording fired at one of its ticks waits for that tick (an input); others fire on time.
            final long timer = deadline == Long.MAX_VALUE || recording.recordedTickSoonAfter(deadline) ? Long.MAX_VALUE : deadline;
            final long next = Math.min(event, timer);
            if (next > t)
            {
                return;
            }
            if (timer <= event)
            {
                final long before = book.nextTimerDeadlineMs();
                apply(Command.of(CommandType.TICK), Math.max(timer, book.nowMs()));
                if (book.nextTimerDeadlineMs() == before && !book.timersBacklog())
                {
                    // A timer that does not move must not hold up the events due before t.
                    if (event > t)
                    {
                        return;
                    }
                    run(events.poll());
                }
            }
            else
            {
                run(events.poll());
            }
        }
    }

    private boolean isOffTrace(final String agentId)
    {
        return offTrace.containsKey(agentId) || offTrace.containsKey(null);
    }

    /**
     * From now on the simulation acts for the agent: what it holds from the trace ends when the recording ended it,
     * and it asks again after.
     */
    private void leaveTrace(final String agentId, final long nowMs)
    {
        if (isOffTrace(agentId))
        {
            return;
        }
        offTrace.put(agentId, nowMs);
        final List<String> held = heldOnTrace.remove(agentId);
        if (held == null)
        {
            return;
        }
        for (final String id : held)
        {
            final Conversation c = book.conversation(id);
            if (c != null && c.state() == ConversationState.ASSIGNED && agentId.equals(c.agentId()))
            {
                final int serial = assignments.get(id);
                final Recording.Handling h = recording.handling(id, serial - 1);
                if (h != null)
                {
                    schedule(id, agentId, serial, h.assignedAtMs, c.acked() ? -1 : h.ackDelayMs, h.endDelayMs, h.endKind, nowMs);
                }
            }
        }
    }

    private void askIfFree(final String agentId, final long waitMs, final long atMs)
    {
        final dev.triage.engine.book.Agent a = book.agent(agentId);
        if (a != null && !a.parked() && a.held() < a.capacity())
        {
            apply(Command.nextBest(agentId, Math.max(waitMs, recording.longestWaitMs(agentId))), atMs);
        }
    }

    private void run(final Event e)
    {
        final Integer serial = assignments.get(e.conversationId);
        final boolean stillHeld = e.kind == Kind.ASK || serial != null && serial == e.serial &&
            book.conversation(e.conversationId) != null && e.agentId.equals(book.conversation(e.conversationId).agentId());
        if (!stillHeld)
        {
            return;
        }
        switch (e.kind)
        {
            case ACK -> apply(Command.byAgent(CommandType.ACK, e.agentId, e.conversationId), e.atMs);
            case END ->
            {
                apply(Command.byAgent(e.endKind, e.agentId, e.conversationId), e.atMs);
                events.add(new Event(e.atMs + recording.turnaroundMs(e.agentId), order++, Kind.ASK, null, e.agentId, 0, null));
            }
            case ASK ->
            {
                if (e.atMs <= recording.lastAskMs(e.agentId))
                {
                    askIfFree(e.agentId, 0, e.atMs);
                }
            }
        }
    }

    private ResultCode apply(final Command c, final long atMs)
    {
        c.sequence = ++sequence;
        c.timestampMs = atMs;
        if (c.reply == null && c.type != CommandType.NEXT_BEST)
        {
            // A parked NEXT_BEST keeps no reply in a simulation (as in replay); the others borrow this one.
            reply.reset();
            c.reply = reply;
        }
        book.apply(c);
        return c.reply == null ? null : c.reply.result;
    }

    @Override
    public void onAssigned(final Cause cause, final long seq, final long nowMs, final Reply r)
    {
        tracker.onAssigned(r.conversationId, r.agentId, nowMs, r.ageUnits);
        final int serial = assignments.merge(r.conversationId, 1, Integer::sum);
        final String agentId = r.agentId;
        if (!isOffTrace(agentId) && recordedSequence >= 0 &&
            recording.assignedBy(recordedSequence).contains(new Recording.Assigned(agentId, r.conversationId)))
        {
            // On the trace: the agent's own recorded commands handle it.
            matched.add(agentId + '\n' + r.conversationId);
            heldOnTrace.computeIfAbsent(agentId, a -> new ArrayList<>()).add(r.conversationId);
            return;
        }
        leaveTrace(agentId, nowMs);
        final Recording.Handling h = recording.handling(r.conversationId, serial - 1);
        if (h != null)
        {
            schedule(r.conversationId, agentId, serial, nowMs, h.ackDelayMs, h.endDelayMs, h.endKind, nowMs);
        }
        else
        {
            drawnHandlingUsed++;
            final long[] drawn = recording.drawnHandling(skillsOf.getOrDefault(r.conversationId, ""), r.conversationId);
            schedule(r.conversationId, agentId, serial, nowMs, drawn[0], drawn[1], CommandType.RESOLVE, nowMs);
        }
    }

    /** The agent's ack and end of an assignment made at {@code assignedAtMs}, by delay; never before {@code nowMs}. */
    private void schedule(final String conversationId, final String agentId, final int serial, final long assignedAtMs,
        final long ackDelayMs, final long endDelayMs, final CommandType endKind, final long nowMs)
    {
        if (ackDelayMs >= 0)
        {
            events.add(new Event(Math.max(nowMs, assignedAtMs + ackDelayMs), order++, Kind.ACK, conversationId, agentId, serial, null));
        }
        if (endDelayMs >= 0 && endKind != null)
        {
            events.add(new Event(Math.max(nowMs, assignedAtMs + endDelayMs), order++, Kind.END, conversationId, agentId, serial, endKind));
        }
    }

    @Override
    public void onReturned(final Cause cause, final long seq, final long nowMs, final String conversationId, final String agentId)
    {
        // Its pending events find the conversation no longer held and do nothing.
    }

    /**
     * @return agents that left the trace, by when (the first assignment that differed).
     */
    Map<String, Long> offTrace()
    {
        final Map<String, Long> left = new HashMap<>(offTrace);
        left.remove(null);
        return left;
    }
}
