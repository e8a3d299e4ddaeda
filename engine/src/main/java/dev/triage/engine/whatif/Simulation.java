package dev.triage.engine.whatif;

import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.policy.Policy;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One simulated run: a book fed the recording's inputs (arrivals, updates, customer replies, reopens, agents and
 * their status, policy changes, each NEXT_BEST when it really came) while the agents' own actions on what they hold
 * (acknowledge, reply, resolve, release) are replayed by delay from the simulation's assignments: a conversation's
 * handling travels with the conversation. After an end the agent asks again after its mean recorded turnaround (its
 * client's time from an end to the next ask), unless the recording shows it had stopped asking for work by then (its
 * last recorded NEXT_BEST is earlier: it left). An agent's every ask waits as long as its longest recorded NEXT_BEST did
 * (agents that ask at once and long-poll after an empty answer wait for work): after ending a conversation, and when
 * the recording asked, unless the simulated agent is already waiting (a recorded ask there belongs to the recording's
 * timeline, not the simulation's, and would cut the simulated wait short). Timers fire at their deadlines. Deterministic: engine time only, events ordered by (time, arrival).
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
    private final Policy candidate;
    private final long fromMs;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
        a.atMs != b.atMs ? Long.compare(a.atMs, b.atMs) : Long.compare(a.order, b.order));
    private final Map<String, Integer> assignments = new HashMap<>();
    private final Map<String, Long> longestWaitByAgent = new HashMap<>();
    private final Reply reply = new Reply(null);
    private final Map<String, String> skillsOf;
    private long order;
    private long sequence;
    private boolean candidateSet;
    long medianHandlingUsed;

    /**
     * @param candidate the policy from {@code fromMs} on, or null to keep the recorded policies (the baseline).
     */
    Simulation(final TriageBook book, final RunTracker tracker, final Recording recording, final Policy candidate,
        final long fromMs, final Map<String, String> skillsOf)
    {
        this.book = book;
        this.tracker = tracker;
        this.recording = recording;
        this.candidate = candidate;
        this.fromMs = fromMs;
        this.skillsOf = skillsOf;
        book.decisionListener(this);
        sequence = book.lastSequence();
    }

    /** The next recorded command, in journal order. */
    void input(final Command recorded)
    {
        final long t = recorded.timestampMs;
        drainUntil(t);
        tracker.sampleDepth(book, t);
        if (candidate != null && !candidateSet && t >= fromMs)
        {
            candidateSet = true;
            apply(Command.setPolicy(candidate), Math.max(fromMs, book.nowMs()));
        }
        final CommandType type = recorded.type;
        if (type == CommandType.SET_POLICY && candidateSet)
        {
            return;
        }
        if ((type == CommandType.ACK || type == CommandType.RELEASE || type == CommandType.AGENT_REPLIED ||
            type == CommandType.RESOLVE) && recording.isAgentAction(recorded.sequence))
        {
            return;
        }
        final Command c = new Command();
        c.copyFrom(recorded);
        c.reply = null;
        if (type == CommandType.NEXT_BEST)
        {
            final long wait = longestWaitByAgent.merge(recorded.agentId, recorded.maxWaitMs, Math::max);
            if (book.agent(recorded.agentId) != null && book.agent(recorded.agentId).parked())
            {
                return;
            }
            c.maxWaitMs = wait;
        }
        tracker.beforeCommand();
        final ResultCode result = apply(c, t);
        if ((type == CommandType.OPEN || type == CommandType.REOPEN) && result == ResultCode.OK)
        {
            tracker.onOpened(book, recorded.conversationId, book.nowMs(), skillsOf.getOrDefault(recorded.conversationId, ""));
        }
        if (type == CommandType.UPSERT_AGENT && result == ResultCode.OK)
        {
            tracker.knowAgent(recorded.agentId);
        }
    }

    /** Run events and timers due up to {@code t}. */
    void drainUntil(final long t)
    {
        while (true)
        {
            final long event = events.isEmpty() ? Long.MAX_VALUE : events.peek().atMs;
            final long timer = book.nextTimerDeadlineMs();
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
                    apply(Command.nextBest(e.agentId, longestWaitByAgent.getOrDefault(e.agentId, 0L)), e.atMs);
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
        final Recording.Handling h = recording.handling(r.conversationId, serial - 1);
        final long ackDelay;
        final long endDelay;
        final CommandType endKind;
        if (h != null)
        {
            ackDelay = h.ackDelayMs;
            endDelay = h.endDelayMs;
            endKind = h.endKind;
        }
        else
        {
            medianHandlingUsed++;
            final long[] median = recording.medianHandling(skillsOf.getOrDefault(r.conversationId, ""));
            ackDelay = median[0];
            endDelay = median[1];
            endKind = CommandType.RESOLVE;
        }
        if (ackDelay >= 0)
        {
            events.add(new Event(nowMs + ackDelay, order++, Kind.ACK, r.conversationId, r.agentId, serial, null));
        }
        if (endDelay >= 0 && endKind != null)
        {
            events.add(new Event(nowMs + endDelay, order++, Kind.END, r.conversationId, r.agentId, serial, endKind));
        }
    }

    @Override
    public void onReturned(final Cause cause, final long seq, final long nowMs, final String conversationId, final String agentId)
    {
        // Its pending events find the conversation no longer held and do nothing.
    }
}
