package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.policy.Policy;

/**
 * All engine state and the rules that change it: the single writer. Every command is applied by
 * {@link #apply(Command)} on the processor thread; nothing here locks, reads a clock or throws for business
 * outcomes, which are {@link ResultCode}s.
 * <p>
 * This class routes each command to the room that owns its rule, over one shared {@link BookState}:
 * <ul>
 *   <li>{@link ConversationLifecycle}: OPEN, UPDATE, CUSTOMER_REPLIED, REOPEN, AGENT_REPLIED, RESOLVE, incidents;</li>
 *   <li>{@link AssignmentDesk}: the queue, NEXT_BEST (and long-polls), ACK, RELEASE, agents and their status, and
 *       what a due timer does;</li>
 *   <li>{@link ConversationTimers}: when each timer is due, fired by TICK through the desk;</li>
 *   <li>{@link Scorer}: the score, its key and its parts;</li>
 *   <li>{@link BookStatistics}: TOP and STATS, and the {@link QueueHistory} of the last 15 minutes;</li>
 *   <li>{@link BookViewer}: VIEW, the console's one consistent read;</li>
 *   <li>{@link BookIntegrity}: the state hash and the invariants;</li>
 *   <li>{@link BookSnapshotTaker} / {@link BookSnapshotLoader}: the snapshot, one method per record kind.</li>
 * </ul>
 * <p>
 * Time is the command's timestamp (clamped so it never goes back; read-only queries see it but do not move it).
 * Time-driven changes (SLA bands, preferred-skill
 * relaxation, lease expiry, long-poll time-outs) happen only when a TICK fires their timers, at most
 * {@code timerLimitPerTick} of each kind per tick, so the same journal always gives the same decisions.
 * <p>
 * Costs with n open conversations, k classes an agent may take, m distinct agent skill masks:
 * OPEN, UPDATE, CUSTOMER_REPLIED, REOPEN, RELEASE O(log n + m); NEXT_BEST O(k + log n); ACK, AGENT_REPLIED,
 * RESOLVE O(log n); AGENT_STATUS O(held * (log n + m)); a timer O(log n + m); TOP(N) O((N + k) log(N + k));
 * STATS O(1). An incident whose reach crosses a power of two (or the newest-first threshold) re-keys its queued
 * members, O(members * log n). Reach only grows, every member brings at least one customer and the reach doubles
 * between crossings, so an outage of s conversations re-keys O(s) members in all: O(s log n) work, not O(s^2). SET_POLICY re-keys everything, O(n log n): the one command that visits every open conversation.
 */
public final class TriageBook
{
    /**
     * Receives replies completed after their own command: parked NEXT_BESTs served, timed out, cancelled or
     * superseded. Called on the processor thread, in sequence order.
     */
    @FunctionalInterface
    public interface DeferredReplies
    {
        /**
         * @param reply a completed reply whose {@link Reply#completedAtSequence} is the current command.
         */
        void defer(Reply reply);
    }

    /**
     * Takes snapshots off the processor thread; set by the engine when it has somewhere to put them.
     */
    @FunctionalInterface
    public interface SnapshotRequests
    {
        /**
         * Ask for a snapshot covering at least {@code sequence}; never blocks.
         *
         * @param sequence the last journaled command applied before the SNAPSHOT: the snapshot must hold it.
         * @param reply the reply to complete once written, or null.
         * @return false if too many calls wait for a snapshot already.
         */
        boolean request(long sequence, Reply reply);
    }

    private final BookState s;
    private final ConversationTimers timers;
    private final BookStatistics statistics;
    private final AssignmentDesk desk;
    private final ConversationLifecycle lifecycle;
    private final BookIntegrity integrity;
    private final BookViewer viewer;
    private SnapshotRequests snapshots;
    private int[] scratchHandles = new int[0];
    private Agent[] scratchAgents = new Agent[0];

    /**
     * @param expectedConversations initial sizing of conversation tables.
     * @param expectedAgents initial sizing of agent tables.
     * @param retainResolved resolved conversations kept for REOPEN and idempotent retries.
     * @param maxAgents agents the engine accepts (bounds the late replies in flight).
     * @param timerLimitPerTick timers of each kind one TICK may fire.
     * @param deferred where late replies go.
     */
    public TriageBook(
        final int expectedConversations,
        final int expectedAgents,
        final int maxAgents,
        final int retainResolved,
        final int timerLimitPerTick,
        final DeferredReplies deferred)
    {
        s = new BookState(expectedConversations, expectedAgents, maxAgents, retainResolved, deferred);
        timers = new ConversationTimers(expectedConversations, s.parked, timerLimitPerTick);
        statistics = new BookStatistics(s);
        desk = new AssignmentDesk(s, timers, statistics);
        lifecycle = new ConversationLifecycle(s, desk, timers);
        integrity = new BookIntegrity(s, timers);
        viewer = new BookViewer(s, statistics.history);
    }

    /**
     * The policy in force before the first SET_POLICY: the defaults of the journal's generation (a journal replays
     * under the defaults it was written with). Before the first command.
     *
     * @param policy the starting policy.
     * @return this.
     */
    public TriageBook startingPolicy(final Policy policy)
    {
        if (s.conversations.live() > 0 || s.agents.count() > 0)
        {
            throw new IllegalStateException("the starting policy is set before the first command");
        }
        s.policy = policy;
        return this;
    }

    /**
     * Apply one command and write its outcome to its reply (or mark it deferred). Processor thread only.
     *
     * @param cmd the command; its {@code sequence} and {@code timestampMs} must be set.
     */
    public void apply(final Command cmd)
    {
        final long journaledNowMs = s.nowMs;
        s.nowMs = Math.max(s.nowMs, cmd.timestampMs);
        s.sequence = cmd.sequence;
        if (cmd.type.changesState())
        {
            s.lastChangeSequence = cmd.sequence;
            statistics.history.beforeChange(s.nowMs);
        }
        final Reply r = cmd.reply != null ? cmd.reply : s.scratchReply;
        r.type = cmd.type;
        r.sequence = cmd.sequence;
        r.completedAtSequence = cmd.sequence;
        r.timestampMs = s.nowMs;
        r.detail = null;
        final ResultCode result = dispatch(cmd, r);
        r.result = result;
        r.policyVersion = s.policyVersion;
        cmd.replyDeferred = result == ResultCode.PARKED;
        if (!cmd.type.changesState())
        {
            // Queries are not journaled, so they must not move the clock a replay will see.
            s.nowMs = journaledNowMs;
        }
    }

    private ResultCode dispatch(final Command cmd, final Reply r)
    {
        switch (cmd.type)
        {
            case OPEN: return lifecycle.onOpen(cmd, r);
            case UPDATE: return lifecycle.onUpdate(cmd, r);
            case CUSTOMER_REPLIED: return lifecycle.onCustomerReplied(cmd, r);
            case AGENT_REPLIED: return lifecycle.onAgentReplied(cmd, r);
            case RESOLVE: return lifecycle.onResolve(cmd, r);
            case REOPEN: return lifecycle.onReopen(cmd, r);
            case NEXT_BEST: return desk.onNextBest(cmd, r);
            case ACK: return desk.onAck(cmd, r);
            case RELEASE: return desk.onRelease(cmd, r);
            case UPSERT_AGENT: return desk.onUpsertAgent(cmd, r);
            case AGENT_STATUS: return desk.onAgentStatus(cmd, r);
            case SET_POLICY: return onSetPolicy(cmd, r);
            case TICK: return onTick();
            case TOP: return statistics.onTop(cmd, r);
            case STATS: return statistics.onStats(r);
            case VIEW:
                statistics.onStats(r);
                return viewer.onView(cmd, r);
            case RESTART: return desk.onRestart();
            case CANCEL_WAIT: return desk.onCancelWait(cmd, r);
            case INCIDENT_REPLY:
            case INCIDENT_RESOLVE: return lifecycle.onIncidentAction(cmd, r);
            case INCIDENT_SHOW: return lifecycle.onIncidentShow(cmd, r);
            case SNAPSHOT: return onSnapshot(cmd, r);
            default: return BookState.invalid(r, "type is not a known command");
        }
    }

    /** The one command that visits every queued conversation: re-derive and re-key all, then serve parked agents. */
    private ResultCode onSetPolicy(final Command cmd, final Reply r)
    {
        if (cmd.policy == null)
        {
            return BookState.invalid(r, "policy is required");
        }
        desk.forgetLeads();
        s.policy = cmd.policy;
        s.policyVersion++;
        if (scratchHandles.length < s.index.size())
        {
            scratchHandles = new int[s.conversations.highWater()];
        }
        final int n = s.index.drainAll(scratchHandles);
        for (int i = 0; i < n; i++)
        {
            final Conversation c = s.conversations.get(scratchHandles[i]);
            desk.refreshDerived(c);
            desk.index(c);
        }
        if (scratchAgents.length < s.agents.count())
        {
            scratchAgents = new Agent[s.agents.count() * 2];
        }
        desk.serveParkedAgents(scratchAgents);
        return ResultCode.OK;
    }

    private ResultCode onTick()
    {
        timers.fire(s.nowMs, desk);
        return ResultCode.OK;
    }

    /** Ask for a snapshot; its caller is answered once it is written (the book does not wait). */
    private ResultCode onSnapshot(final Command cmd, final Reply r)
    {
        if (snapshots == null)
        {
            return BookState.invalid(r, "snapshots need a journal directory");
        }
        if (!snapshots.request(s.lastChangeSequence, cmd.reply))
        {
            r.detail = "too many snapshot requests are waiting";
            return ResultCode.SNAPSHOT_FAILED;
        }
        return cmd.reply == null ? ResultCode.OK : ResultCode.PARKED;
    }

    /**
     * For tests: a small skill registry, to exercise exhaustion and reclaiming. Before the first command.
     *
     * @param limit bits in use at most.
     * @param agentReserve bits only agents may bring new names into.
     */
    public void skillLimits(final int limit, final int agentReserve)
    {
        s.skills.limits(limit, agentReserve);
    }

    /**
     * @return a hash of all decision-relevant state, equal for equal histories (replay checks).
     */
    public long stateHash()
    {
        return integrity.stateHash();
    }

    /**
     * Check every invariant the rules rely on; O(n) and meant for tests.
     *
     * @return null when consistent, else a description of the first problem.
     */
    public String validateInternalState()
    {
        final String problem = integrity.validateInternalState();
        return problem != null ? problem : desk.validateLeads();
    }

    /**
     * @param listener told of every assignment and return to the queue (audit, decision log); null for none.
     *                 Set before the first command.
     */
    public void decisionListener(final DecisionListener listener)
    {
        s.decisions = listener;
    }

    /**
     * @param requests takes snapshots on SNAPSHOT; null to refuse them. Set before the processor starts.
     */
    public void snapshotRequests(final SnapshotRequests requests)
    {
        snapshots = requests;
    }

    /**
     * @param sink told of queue changes (watchers); null for none. Set on the processor thread or before it starts.
     */
    public void queueEventSink(final QueueEventSink sink)
    {
        s.events = sink;
    }

    /**
     * @param id client id.
     * @return the conversation, or null; a live view for tests and tools on the processor thread.
     */
    public Conversation conversation(final String id)
    {
        return s.conversations.find(id);
    }

    /**
     * @param id client id.
     * @return the agent, or null.
     */
    public Agent agent(final String id)
    {
        return s.agents.find(id);
    }

    /**
     * @param incidentKey key.
     * @return the incident's reach, 0 if none.
     */
    public long incidentReach(final String incidentKey)
    {
        return s.conversations.incidentReach(incidentKey);
    }

    public Policy policy()
    {
        return s.policy;
    }

    public int policyVersion()
    {
        return s.policyVersion;
    }

    public long nowMs()
    {
        return s.nowMs;
    }

    public int openCount()
    {
        return s.index.size();
    }

    /**
     * @return agents waiting in a long-poll.
     */
    public int parkedCount()
    {
        return s.parked.count();
    }

    public long assignmentsTotal()
    {
        return s.assignmentsTotal;
    }

    public long leaseExpiries()
    {
        return s.leaseExpiries;
    }

    /**
     * @return the earliest deadline of any armed timer (SLA, relaxation, lease, long-poll), or Long.MAX_VALUE.
     */
    public long nextTimerDeadlineMs()
    {
        return timers.nextDeadlineMs();
    }

    /**
     * @return true if the last TICK left due timers for the next one (the ticker should tick again soon).
     */
    public boolean timersBacklog()
    {
        return timers.backlog();
    }

    /**
     * @return live conversations, resolved ones kept for retries included.
     */
    public int liveConversations()
    {
        return s.conversations.live();
    }

    /**
     * @return the sequence of the last command applied.
     */
    public long lastSequence()
    {
        return s.sequence;
    }

    /** Write the whole state (see {@link BookSnapshot}). Processor thread only. */
    void writeState(final java.io.DataOutputStream out) throws java.io.IOException
    {
        new BookSnapshotTaker(s, statistics, out).takeAll();
    }

    /** Restore the state written by {@link #writeState} into this new, empty book. */
    void readState(final java.io.DataInputStream in, final int version) throws java.io.IOException
    {
        new BookSnapshotLoader(s, statistics, desk, timers, in, version).loadAll();
    }
}
