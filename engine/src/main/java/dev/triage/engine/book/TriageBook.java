package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.policy.Policy;
import dev.triage.engine.policy.SlaBand;

import java.util.Objects;

/**
 * All engine state and the rules that change it: the single writer. Every command is applied by
 * {@link #apply(Command)} on the processor thread; nothing here locks, reads a clock or throws for business
 * outcomes, which are {@link ResultCode}s.
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
    /** Upper bound of an agent's capacity. */
    public static final int MAX_CAPACITY = 1_000;
    /** Upper bound of TOP's N. */
    public static final int MAX_TOP = 1_000;

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

    private final SkillRegistry skills = new SkillRegistry();
    private final ConversationBook conversations;
    private final AgentBook agents;
    private final PriorityIndex index;
    private final ParkedAgents parked;
    private final IntrusiveHeap timers;
    private final Selection selection = new Selection();
    private final WaitHistogram waits = new WaitHistogram();
    /** Assignments per second of engine time over the last minute: counts and the second each slot holds. */
    private final long[] assignedInSecond = new long[60];
    private final long[] secondOfSlot = new long[60];
    private final Reply scratchReply = new Reply(null);
    private final DeferredReplies deferred;
    private final int timerLimitPerTick;
    private DecisionListener decisions;
    private QueueEventSink events;
    private SnapshotWriter snapshots;

    /**
     * Writes a snapshot of the book; set by the engine when it has somewhere to put them.
     */
    @FunctionalInterface
    public interface SnapshotWriter
    {
        /**
         * @param book this book, on the processor thread.
         * @return where the snapshot went.
         * @throws java.io.IOException if it could not be written.
         */
        String write(TriageBook book) throws java.io.IOException;
    }
    private final int maxAgents;

    private Policy policy = Policy.defaults();
    private int policyVersion = 1;
    private long nowMs;
    private long sequence;
    private long assignmentsTotal;
    private long leaseExpiries;
    private long assignedCount;
    private long pendingCount;
    private boolean timersBacklog;
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
        this.maxAgents = maxAgents;
        conversations = new ConversationBook(expectedConversations, retainResolved, skills);
        agents = new AgentBook(expectedAgents);
        index = new PriorityIndex(conversations, expectedConversations);
        parked = new ParkedAgents(expectedAgents);
        timers = new IntrusiveHeap(new IntrusiveHeap.Positions(expectedConversations), expectedConversations);
        this.timerLimitPerTick = timerLimitPerTick;
        this.deferred = deferred;
    }

    /**
     * Apply one command and write its outcome to its reply (or mark it deferred). Processor thread only.
     *
     * @param cmd the command; its {@code sequence} and {@code timestampMs} must be set.
     */
    public void apply(final Command cmd)
    {
        final long journaledNowMs = nowMs;
        nowMs = Math.max(nowMs, cmd.timestampMs);
        sequence = cmd.sequence;
        final Reply r = cmd.reply != null ? cmd.reply : scratchReply;
        r.type = cmd.type;
        r.sequence = cmd.sequence;
        r.completedAtSequence = cmd.sequence;
        r.timestampMs = nowMs;
        r.detail = null;
        final ResultCode result = dispatch(cmd, r);
        r.result = result;
        r.policyVersion = policyVersion;
        cmd.replyDeferred = result == ResultCode.PARKED;
        if (!cmd.type.changesState())
        {
            // Queries are not journaled, so they must not move the clock a replay will see.
            nowMs = journaledNowMs;
        }
    }

    private ResultCode dispatch(final Command cmd, final Reply r)
    {
        switch (cmd.type)
        {
            case OPEN: return onOpen(cmd, r);
            case UPDATE: return onUpdate(cmd, r);
            case CUSTOMER_REPLIED: return onCustomerReplied(cmd, r);
            case AGENT_REPLIED: return onAgentReplied(cmd, r);
            case RESOLVE: return onResolve(cmd, r);
            case REOPEN: return onReopen(cmd, r);
            case NEXT_BEST: return onNextBest(cmd, r);
            case ACK: return onAck(cmd, r);
            case RELEASE: return onRelease(cmd, r);
            case UPSERT_AGENT: return onUpsertAgent(cmd, r);
            case AGENT_STATUS: return onAgentStatus(cmd, r);
            case SET_POLICY: return onSetPolicy(cmd, r);
            case TICK: return onTick();
            case TOP: return onTop(cmd, r);
            case STATS: return onStats(r);
            case RESTART: return onRestart();
            case SNAPSHOT: return onSnapshot(r);
            default: return invalid(r, "type is not a known command");
        }
    }

    private ResultCode onOpen(final Command cmd, final Reply r)
    {
        if (isBlank(cmd.conversationId))
        {
            return invalid(r, "conversation id is required");
        }
        r.conversationId = cmd.conversationId;
        if (cmd.urgency == null)
        {
            return invalid(r, "urgency is required");
        }
        if (cmd.impact < 1)
        {
            return invalid(r, "impact must be >= 1");
        }
        if (cmd.waitingSinceMs < 0 || cmd.respondByMs < 0)
        {
            return invalid(r, "waiting since and respond by must be >= 0");
        }
        final ResultCode skillProblem = checkSkills(cmd, r);
        if (skillProblem != null)
        {
            return skillProblem;
        }
        if (cmd.incidentKey != null && cmd.incidentKey.isEmpty())
        {
            return invalid(r, "incident key must not be empty");
        }
        final long required = skills.maskOf(cmd.requiredSkills, 0, false);
        final long preferred = required < 0 ? required : skills.maskOf(cmd.preferredSkills, required, false);
        if (preferred < 0)
        {
            return ResultCode.SKILL_LIMIT_REACHED;
        }
        final Conversation existing = conversations.find(cmd.conversationId);
        if (existing != null)
        {
            r.conversationState = existing.state;
            return sameContent(existing, cmd, required, preferred & ~required) ? ResultCode.OK : ResultCode.ALREADY_EXISTS;
        }
        final Conversation c = conversations.allocate(cmd.conversationId);
        c.openSeq = cmd.sequence;
        c.urgencyLevel = (byte)cmd.urgency.ordinal();
        c.impact = cmd.impact;
        c.incidentKey = cmd.incidentKey;
        c.requiredMask = required;
        c.preferredMask = preferred & ~required;
        skills.retain(c.requiredMask | c.preferredMask);
        c.waitingSinceMs = cmd.waitingSinceMs != 0 ? cmd.waitingSinceMs : nowMs;
        c.respondByMs = cmd.respondByMs;
        c.state = ConversationState.OPEN;
        if (c.incidentKey != null)
        {
            joinIncident(c);
        }
        emit(QueueEventSink.OPENED, c.id, null, 0);
        enqueue(c);
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    private ResultCode onUpdate(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        final int flags = cmd.updateFlags;
        if ((flags & Command.UPDATE_URGENCY) != 0 && cmd.urgency == null)
        {
            return invalid(r, "urgency is required when updating urgency");
        }
        if ((flags & Command.UPDATE_IMPACT) != 0 && cmd.impact < 1)
        {
            return invalid(r, "impact must be >= 1");
        }
        if ((flags & Command.UPDATE_RESPOND_BY) != 0 && cmd.respondByMs < 0)
        {
            return invalid(r, "respond by must be >= 0");
        }
        if ((flags & Command.UPDATE_INCIDENT) != 0 && cmd.incidentKey != null && cmd.incidentKey.isEmpty())
        {
            return invalid(r, "incident key must not be empty");
        }
        long required = c.requiredMask;
        long preferred = c.preferredMask;
        if ((flags & Command.UPDATE_SKILLS) != 0)
        {
            final ResultCode skillProblem = checkSkills(cmd, r);
            if (skillProblem != null)
            {
                return skillProblem;
            }
            required = skills.maskOf(cmd.requiredSkills, 0, false);
            preferred = required < 0 ? required : skills.maskOf(cmd.preferredSkills, required, false);
            if (preferred < 0)
            {
                return ResultCode.SKILL_LIMIT_REACHED;
            }
        }
        if (c.state == ConversationState.RESOLVED)
        {
            r.conversationState = c.state;
            return ResultCode.INVALID_STATE;
        }
        final boolean queued = c.state == ConversationState.OPEN;
        if (queued)
        {
            dequeue(c);
        }
        if ((flags & Command.UPDATE_URGENCY) != 0)
        {
            c.urgencyLevel = (byte)cmd.urgency.ordinal();
        }
        if ((flags & Command.UPDATE_IMPACT) != 0)
        {
            final int growth = cmd.impact - c.impact;
            c.impact = cmd.impact;
            if (c.incident != null && growth > 0)
            {
                rekeyIncidentIfScoreMoved(c.incident, conversations.growIncident(c, growth));
            }
        }
        if ((flags & Command.UPDATE_SKILLS) != 0)
        {
            skills.release(c.requiredMask | c.preferredMask);
            c.requiredMask = required;
            c.preferredMask = preferred & ~required;
            skills.retain(c.requiredMask | c.preferredMask);
        }
        if ((flags & Command.UPDATE_INCIDENT) != 0 && !Objects.equals(cmd.incidentKey, c.incidentKey))
        {
            if (c.incident != null)
            {
                conversations.leaveIncident(c);
            }
            c.incidentKey = cmd.incidentKey;
            if (c.incidentKey != null)
            {
                joinIncident(c);
            }
        }
        if ((flags & Command.UPDATE_RESPOND_BY) != 0)
        {
            c.respondByMs = cmd.respondByMs;
        }
        if (queued)
        {
            enqueue(c);
        }
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    private ResultCode onCustomerReplied(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        if (cmd.waitingSinceMs < 0)
        {
            return invalid(r, "waiting since must be >= 0");
        }
        if (c.state == ConversationState.PENDING)
        {
            pendingCount--;
            reopen(c, cmd.waitingSinceMs);
        }
        else if (c.state == ConversationState.RESOLVED)
        {
            conversations.unretain(c);
            reopen(c, cmd.waitingSinceMs);
        }
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    private ResultCode onReopen(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        r.conversationState = c.state;
        if (cmd.waitingSinceMs < 0)
        {
            return invalid(r, "waiting since must be >= 0");
        }
        if (c.state != ConversationState.RESOLVED)
        {
            return ResultCode.INVALID_STATE;
        }
        conversations.unretain(c);
        reopen(c, cmd.waitingSinceMs);
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    private void reopen(final Conversation c, final long waitingSinceMs)
    {
        final boolean wasResolved = c.state == ConversationState.RESOLVED;
        c.waitingSinceMs = waitingSinceMs != 0 ? waitingSinceMs : nowMs;
        c.state = ConversationState.OPEN;
        if (wasResolved && c.incidentKey != null)
        {
            joinIncident(c);
        }
        emit(QueueEventSink.REOPENED, c.id, null, 0);
        enqueue(c);
    }

    private ResultCode onAgentReplied(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        switch (c.state)
        {
            case OPEN:
                dequeue(c);
                break;
            case ASSIGNED:
                unassign(c);
                break;
            case PENDING:
                r.conversationState = c.state;
                return ResultCode.OK;
            default:
                r.conversationState = c.state;
                return ResultCode.INVALID_STATE;
        }
        c.state = ConversationState.PENDING;
        pendingCount++;
        scheduleTimer(c);
        emit(QueueEventSink.PENDING, c.id, null, 0);
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    private ResultCode onResolve(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        r.conversationState = ConversationState.RESOLVED;
        switch (c.state)
        {
            case OPEN:
                dequeue(c);
                break;
            case ASSIGNED:
                unassign(c);
                break;
            case PENDING:
                pendingCount--;
                break;
            default:
                return ResultCode.OK;
        }
        c.state = ConversationState.RESOLVED;
        scheduleTimer(c);
        if (c.incident != null)
        {
            conversations.leaveIncident(c);
        }
        emit(QueueEventSink.RESOLVED, c.id, null, 0);
        conversations.retain(c);
        return ResultCode.OK;
    }

    private ResultCode onNextBest(final Command cmd, final Reply r)
    {
        if (cmd.maxWaitMs < 0)
        {
            return invalid(r, "max wait must be >= 0");
        }
        final Agent a = agents.find(cmd.agentId);
        if (a == null)
        {
            return ResultCode.AGENT_NOT_FOUND;
        }
        r.agentId = a.id;
        long idleRank = cmd.sequence;
        if (a.isParked())
        {
            idleRank = a.parkSeq;
            completeLate(parked.unpark(a), ResultCode.SUPERSEDED);
        }
        if (a.status != AgentStatus.AVAILABLE)
        {
            return ResultCode.AGENT_NOT_AVAILABLE;
        }
        if (a.held >= a.capacity)
        {
            return ResultCode.AGENT_AT_CAPACITY;
        }
        if (assignBest(a, r, DecisionListener.Cause.NEXT_BEST))
        {
            return ResultCode.OK;
        }
        if (cmd.maxWaitMs > 0)
        {
            parked.park(a, cmd.reply, idleRank, nowMs + cmd.maxWaitMs);
            return ResultCode.PARKED;
        }
        return ResultCode.NO_CONVERSATION;
    }

    private ResultCode onAck(final Command cmd, final Reply r)
    {
        final Conversation c = heldBy(cmd, r);
        if (c == null)
        {
            return r.result;
        }
        if (!c.acked)
        {
            c.acked = true;
            scheduleTimer(c);
        }
        r.leaseDeadlineMs = 0;
        return ResultCode.OK;
    }

    private ResultCode onRelease(final Command cmd, final Reply r)
    {
        final Conversation c = heldBy(cmd, r);
        if (c == null)
        {
            return r.result;
        }
        returned(c, DecisionListener.Cause.RELEASED);
        c.state = ConversationState.OPEN;
        enqueue(c);
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    /**
     * @return the conversation the command's agent holds, or null with {@code r.result} set to the reason.
     */
    private Conversation heldBy(final Command cmd, final Reply r)
    {
        final Agent a = agents.find(cmd.agentId);
        final Conversation c = conversations.find(cmd.conversationId);
        r.agentId = cmd.agentId;
        r.conversationId = cmd.conversationId;
        r.result = a == null ? ResultCode.AGENT_NOT_FOUND : c == null ? ResultCode.CONVERSATION_NOT_FOUND :
            c.state != ConversationState.ASSIGNED || c.agent != a ? ResultCode.NOT_HELD_BY_AGENT : ResultCode.OK;
        if (c != null)
        {
            r.conversationState = c.state;
        }
        return r.result == ResultCode.OK ? c : null;
    }

    private ResultCode onUpsertAgent(final Command cmd, final Reply r)
    {
        if (isBlank(cmd.agentId))
        {
            return invalid(r, "agent id is required");
        }
        r.agentId = cmd.agentId;
        if (cmd.capacity < 1 || cmd.capacity > MAX_CAPACITY)
        {
            return invalid(r, "capacity must be in 1..1000");
        }
        if (hasBlank(cmd.requiredSkills))
        {
            return invalid(r, "skill names must not be empty");
        }
        final long mask = skills.maskOf(cmd.requiredSkills, 0, true);
        if (mask < 0)
        {
            return ResultCode.SKILL_LIMIT_REACHED;
        }
        Agent a = agents.find(cmd.agentId);
        if (a == null)
        {
            if (agents.count() >= maxAgents)
            {
                return ResultCode.AGENT_LIMIT_REACHED;
            }
            a = agents.create(cmd.agentId);
            a.capacity = cmd.capacity;
            setSkills(a, mask);
            return ResultCode.OK;
        }
        a.capacity = cmd.capacity;
        if (!a.isParked())
        {
            setSkills(a, mask);
        }
        else if (a.held >= a.capacity)
        {
            setSkills(a, mask);
            completeLate(parked.unpark(a), ResultCode.CANCELLED);
        }
        else if (a.skillMask != mask)
        {
            final long idleRank = a.parkSeq;
            final long deadlineMs = a.parkDeadlineMs;
            final Reply parkedReply = parked.unpark(a);
            setSkills(a, mask);
            if (!serveLate(a, parkedReply))
            {
                parked.park(a, parkedReply, idleRank, deadlineMs);
            }
        }
        return ResultCode.OK;
    }

    /**
     * For tests: a small skill registry, to exercise exhaustion and reclaiming. Before the first command.
     *
     * @param limit bits in use at most.
     * @param agentReserve bits only agents may bring new names into.
     */
    public void skillLimits(final int limit, final int agentReserve)
    {
        skills.limits(limit, agentReserve);
    }

    private void setSkills(final Agent a, final long mask)
    {
        skills.release(a.skillMask);
        skills.retain(mask);
        a.skillMask = mask;
        a.eligible = skills.eligibleFor(mask);
    }

    private ResultCode onAgentStatus(final Command cmd, final Reply r)
    {
        if (cmd.agentStatus == null)
        {
            return invalid(r, "status is required");
        }
        final Agent a = agents.find(cmd.agentId);
        if (a == null)
        {
            return ResultCode.AGENT_NOT_FOUND;
        }
        r.agentId = a.id;
        a.status = cmd.agentStatus;
        if (a.status != AgentStatus.AVAILABLE && a.isParked())
        {
            completeLate(parked.unpark(a), ResultCode.CANCELLED);
        }
        if (a.status == AgentStatus.OFFLINE)
        {
            Conversation c = a.heldHead;
            while (c != null)
            {
                final Conversation next = c.next;
                if (!c.acked)
                {
                    returned(c, DecisionListener.Cause.AGENT_OFFLINE);
                    c.state = ConversationState.OPEN;
                    enqueue(c);
                }
                c = next;
            }
        }
        return ResultCode.OK;
    }

    private ResultCode onSetPolicy(final Command cmd, final Reply r)
    {
        if (cmd.policy == null)
        {
            return invalid(r, "policy is required");
        }
        policy = cmd.policy;
        policyVersion++;
        if (scratchHandles.length < index.size())
        {
            scratchHandles = new int[conversations.highWater()];
        }
        final int n = index.drainAll(scratchHandles);
        for (int i = 0; i < n; i++)
        {
            final Conversation c = conversations.get(scratchHandles[i]);
            refreshDerived(c);
            index.insert(c, classOf(c), keyOf(c));
            scheduleTimer(c);
        }
        if (scratchAgents.length < agents.count())
        {
            scratchAgents = new Agent[agents.count() * 2];
        }
        final int waiting = parked.collectByIdleRank(agents.table(), scratchAgents);
        for (int i = 0; i < waiting; i++)
        {
            final Agent a = scratchAgents[i];
            index.best(a.eligible, nowMs, policy.agePointsPerMinute(), selection);
            if (selection.bestHandle >= 0)
            {
                serveLate(a, parked.unpark(a));
            }
            scratchAgents[i] = null;
        }
        return ResultCode.OK;
    }

    private ResultCode onTick()
    {
        int fired = 0;
        while (fired < timerLimitPerTick && !timers.isEmpty() && timers.primaryAt(0) <= nowMs)
        {
            final Conversation c = conversations.get(timers.idAt(0));
            timers.remove(c.handle);
            onConversationTimer(c);
            fired++;
        }
        boolean backlog = !timers.isEmpty() && timers.primaryAt(0) <= nowMs;
        fired = 0;
        while (fired < timerLimitPerTick && parked.earliestTimeoutMs() <= nowMs)
        {
            completeLate(parked.unpark(agents.get(parked.earliestTimeoutHandle())), ResultCode.TIMED_OUT);
            fired++;
        }
        timersBacklog = backlog || parked.earliestTimeoutMs() <= nowMs;
        return ResultCode.OK;
    }

    private void onConversationTimer(final Conversation c)
    {
        if (c.state == ConversationState.ASSIGNED)
        {
            leaseExpiries++;
            returned(c, DecisionListener.Cause.LEASE_EXPIRED);
        }
        else
        {
            dequeue(c);
        }
        c.state = ConversationState.OPEN;
        enqueue(c);
    }

    private ResultCode onSnapshot(final Reply r)
    {
        if (snapshots == null)
        {
            return invalid(r, "snapshots need a journal directory");
        }
        final long start = System.nanoTime();
        try
        {
            r.snapshotPath = snapshots.write(this);
            r.snapshotNanos = System.nanoTime() - start;
            return ResultCode.OK;
        }
        catch (final java.io.IOException e)
        {
            r.detail = e.getMessage();
            return ResultCode.SNAPSHOT_FAILED;
        }
    }

    private ResultCode onRestart()
    {
        int n = parked.count();
        while (n-- > 0)
        {
            completeLate(parked.unpark(agents.get(parked.earliestTimeoutHandle())), ResultCode.CANCELLED);
        }
        return ResultCode.OK;
    }

    private ResultCode onTop(final Command cmd, final Reply r)
    {
        if (cmd.topN < 1 || cmd.topN > MAX_TOP || r.topIds == null || cmd.topN > r.topIds.length)
        {
            return invalid(r, "n must be in 1..1000 and fit the reply");
        }
        EligibleSets eligible = null;
        if (cmd.agentId != null)
        {
            final Agent a = agents.find(cmd.agentId);
            if (a == null)
            {
                return ResultCode.AGENT_NOT_FOUND;
            }
            r.agentId = a.id;
            eligible = a.eligible;
        }
        index.top(eligible, cmd.topN, nowMs, policy.agePointsPerMinute(), r);
        return ResultCode.OK;
    }

    private ResultCode onStats(final Reply r)
    {
        for (int u = 0; u < Urgency.count(); u++)
        {
            r.openByUrgency[u] = index.openCount(Urgency.ofLevel(u));
        }
        r.open = index.size();
        r.assigned = assignedCount;
        r.pending = pendingCount;
        r.resolvedRetained = conversations.resolvedRetained();
        r.slaAtRisk = index.openInSlaBand(SlaBand.AT_RISK);
        r.slaBreached = index.openInSlaBand(SlaBand.BREACHED);
        final long oldest = index.oldestWaitingSinceMs();
        r.oldestWaitMs = oldest == Long.MAX_VALUE ? 0 : Math.max(0, nowMs - oldest);
        r.agents = agents.count();
        r.parkedAgents = parked.count();
        r.assignmentsTotal = assignmentsTotal;
        r.skillSets = skills.skillSetCount();
        r.policy = policy;
        long lastMinute = 0;
        for (int slot = 0; slot < 60; slot++)
        {
            lastMinute += secondOfSlot[slot] > nowMs / 1000 - 60 ? assignedInSecond[slot] : 0;
        }
        r.assignmentsLastMinute = lastMinute;
        r.waitP50Ms = waits.percentileMs(0.50);
        r.waitP90Ms = waits.percentileMs(0.90);
        r.waitP99Ms = waits.percentileMs(0.99);
        if (r.skillSetOpen.length < skills.skillSetCount())
        {
            // Grows only when new skill sets appeared since this reply object last carried STATS.
            r.skillSetOpen = new long[skills.skillSetCount() * 2];
            r.skillSetNames = new String[skills.skillSetCount() * 2];
        }
        int n = 0;
        for (int id = 0; id < skills.skillSetCount(); id++)
        {
            final long open = index.openInSkillSet(id);
            if (open > 0)
            {
                r.skillSetNames[n] = skills.nameOfSkillSet(id);
                r.skillSetOpen[n++] = open;
            }
        }
        r.skillSetCount = n;
        return ResultCode.OK;
    }

    /**
     * Put an OPEN conversation in the queue as of now: refresh its SLA band and relaxation, then hand it to the
     * longest-idle parked agent that may take it, or index it and arm its timer.
     */
    private void enqueue(final Conversation c)
    {
        refreshDerived(c);
        final Agent a = parked.pickFor(c.effectiveMask());
        if (a != null)
        {
            final Reply late = parked.unpark(a);
            assign(c, a, late != null ? late : scratchReply, 1, null, 0, DecisionListener.Cause.LONG_POLL);
            deferIfWaitedOn(late);
            return;
        }
        index.insert(c, classOf(c), keyOf(c));
        scheduleTimer(c);
    }

    private void dequeue(final Conversation c)
    {
        index.remove(c);
        if (timers.contains(c.handle))
        {
            timers.remove(c.handle);
        }
    }

    /**
     * @return true if the agent got its best eligible conversation, written to {@code r}.
     */
    private boolean assignBest(final Agent a, final Reply r, final DecisionListener.Cause cause)
    {
        index.best(a.eligible, nowMs, policy.agePointsPerMinute(), selection);
        if (selection.bestHandle < 0)
        {
            return false;
        }
        final Conversation c = conversations.get(selection.bestHandle);
        final Conversation runnerUp = selection.runnerUpHandle >= 0 ? conversations.get(selection.runnerUpHandle) : null;
        final long candidates = selection.candidates;
        final long runnerUpScore = selection.runnerUpScoreUnits;
        dequeue(c);
        assign(c, a, r, candidates, runnerUp, runnerUpScore, cause);
        return true;
    }

    /**
     * Serve a parked agent whose request was just detached; the reply is completed late on success.
     *
     * @return true if served.
     */
    private boolean serveLate(final Agent a, final Reply parkedReply)
    {
        if (assignBest(a, parkedReply != null ? parkedReply : scratchReply, DecisionListener.Cause.LONG_POLL))
        {
            deferIfWaitedOn(parkedReply);
            return true;
        }
        return false;
    }

    private void assign(
        final Conversation c,
        final Agent a,
        final Reply r,
        final long candidates,
        final Conversation runnerUp,
        final long runnerUpScore,
        final DecisionListener.Cause cause)
    {
        final long ageUnits = (policy.isNewestFirst(c.urgency(), c.effectiveImpact()) ? -1 : 1) *
            policy.agePointsPerMinute() * (nowMs - c.waitingSinceMs);
        r.result = ResultCode.OK;
        r.conversationId = c.id;
        r.agentId = a.id;
        r.urgencyUnits = policy.urgencyPoints(c.urgency()) * Policy.UNITS_PER_POINT;
        r.impactUnits = policy.impactPoints(c.effectiveImpact()) * Policy.UNITS_PER_POINT;
        r.slaUnits = policy.slaPoints(c.slaBand) * Policy.UNITS_PER_POINT;
        r.ageUnits = ageUnits;
        r.scoreUnits = r.urgencyUnits + r.impactUnits + r.slaUnits + ageUnits;
        r.candidates = candidates;
        r.runnerUpId = runnerUp == null ? null : runnerUp.id;
        r.runnerUpScoreUnits = runnerUp == null ? 0 : runnerUpScore;
        r.waitedMs = nowMs - c.waitingSinceMs;
        waits.record(r.waitedMs);
        final long second = nowMs / 1000;
        final int slot = (int)(second % 60);
        if (secondOfSlot[slot] != second)
        {
            secondOfSlot[slot] = second;
            assignedInSecond[slot] = 0;
        }
        assignedInSecond[slot]++;
        r.leaseDeadlineMs = nowMs + policy.leaseMs();
        r.conversationState = ConversationState.ASSIGNED;
        // Set here, not only at the end of apply(): decision listeners read the reply before apply() finishes.
        r.policyVersion = policyVersion;
        c.state = ConversationState.ASSIGNED;
        c.acked = false;
        c.leaseDeadlineMs = r.leaseDeadlineMs;
        a.hold(c);
        a.assignments++;
        assignmentsTotal++;
        assignedCount++;
        scheduleTimer(c);
        if (decisions != null)
        {
            decisions.onAssigned(cause, sequence, nowMs, r);
        }
        emit(QueueEventSink.ASSIGNED, c.id, a.id, r.scoreUnits);
    }

    private void returned(final Conversation c, final DecisionListener.Cause cause)
    {
        final String agentId = c.agent.id;
        unassign(c);
        if (decisions != null)
        {
            decisions.onReturned(cause, sequence, nowMs, c.id, agentId);
        }
        emit(QueueEventSink.RETURNED, c.id, agentId, 0);
    }

    private void unassign(final Conversation c)
    {
        c.agent.drop(c);
        c.acked = false;
        c.leaseDeadlineMs = 0;
        assignedCount--;
        if (timers.contains(c.handle))
        {
            timers.remove(c.handle);
        }
    }

    private void completeLate(final Reply reply, final ResultCode result)
    {
        if (reply != null)
        {
            reply.result = result;
            deferIfWaitedOn(reply);
        }
    }

    private void deferIfWaitedOn(final Reply reply)
    {
        if (reply != null)
        {
            reply.completedAtSequence = sequence;
            reply.timestampMs = nowMs;
            reply.policyVersion = policyVersion;
            deferred.defer(reply);
        }
    }

    private void emit(final int kind, final String conversationId, final String agentId, final long scoreUnits)
    {
        if (events != null)
        {
            events.onQueueEvent(kind, sequence, nowMs, conversationId, agentId, scoreUnits);
        }
    }

    private void joinIncident(final Conversation c)
    {
        final long reachBefore = conversations.joinIncident(c);
        if (reachBefore >= 0)
        {
            rekeyIncidentIfScoreMoved(c.incident, reachBefore);
        }
    }

    /**
     * Members' keys depend on the reach only through its log2 bucket and which side of the newest-first threshold
     * it is on. Reach only grows, so each bucket and the threshold are crossed at most once; members never
     * outnumber the reach, which doubles between bucket crossings, so all crossings re-key O(s) members in all.
     */
    private void rekeyIncidentIfScoreMoved(final Incident incident, final long reachBefore)
    {
        final long minImpact = policy.newestFirstMinImpact();
        if (Policy.impactBucket(reachBefore) != Policy.impactBucket(incident.reach) ||
            (reachBefore >= minImpact) != (incident.reach >= minImpact))
        {
            rekeyIncident(incident);
        }
    }

    /**
     * Re-key the incident's queued members (SLA band and relaxation stay as they were).
     */
    private void rekeyIncident(final Incident incident)
    {
        for (Conversation m = incident.head; m != null; m = m.incidentNext)
        {
            if (m.classId >= 0)
            {
                index.rekey(m, classOf(m), keyOf(m));
            }
        }
    }

    private void refreshDerived(final Conversation c)
    {
        final int band = policy.slaBandAt(c.respondByMs, nowMs);
        if (band > c.slaBand)
        {
            emit(band == SlaBand.BREACHED ? QueueEventSink.SLA_BREACHED : QueueEventSink.SLA_AT_RISK, c.id, null, 0);
        }
        c.slaBand = (byte)band;
        c.relaxed = nowMs - c.waitingSinceMs >= policy.relaxPreferredAfterMs();
    }

    private long nextDeadlineMs(final Conversation c)
    {
        if (c.state == ConversationState.OPEN)
        {
            long deadline = policy.nextSlaChangeMs(c.respondByMs, c.slaBand);
            if (c.preferredMask != 0 && !c.relaxed)
            {
                deadline = Math.min(deadline, c.waitingSinceMs + policy.relaxPreferredAfterMs());
            }
            return deadline;
        }
        return c.state == ConversationState.ASSIGNED && !c.acked ? c.leaseDeadlineMs : Long.MAX_VALUE;
    }

    private void scheduleTimer(final Conversation c)
    {
        final long deadline = nextDeadlineMs(c);
        final boolean armed = timers.contains(c.handle);
        if (deadline == Long.MAX_VALUE)
        {
            if (armed)
            {
                timers.remove(c.handle);
            }
        }
        else if (armed)
        {
            timers.update(c.handle, deadline, c.openSeq);
        }
        else
        {
            timers.add(c.handle, deadline, c.openSeq);
        }
    }

    private int classOf(final Conversation c)
    {
        return PriorityIndex.classId(skills.skillSetId(c.effectiveMask()), policy.isNewestFirst(c.urgency(), c.effectiveImpact()));
    }

    private long keyOf(final Conversation c)
    {
        final long staticUnits = (policy.urgencyPoints(c.urgency()) + policy.impactPoints(c.effectiveImpact()) +
            policy.slaPoints(c.slaBand)) * Policy.UNITS_PER_POINT;
        final long ageAnchor = policy.agePointsPerMinute() * c.waitingSinceMs;
        return policy.isNewestFirst(c.urgency(), c.effectiveImpact()) ? staticUnits + ageAnchor : staticUnits - ageAnchor;
    }

    private ResultCode checkSkills(final Command cmd, final Reply r)
    {
        if (hasBlank(cmd.requiredSkills) || hasBlank(cmd.preferredSkills))
        {
            return invalid(r, "skill names must not be empty");
        }
        return null;
    }

    private static boolean sameContent(final Conversation c, final Command cmd, final long required, final long preferred)
    {
        return c.urgency() == cmd.urgency && c.impact == cmd.impact && Objects.equals(c.incidentKey, cmd.incidentKey) &&
            c.requiredMask == required && c.preferredMask == preferred && c.respondByMs == cmd.respondByMs &&
            (cmd.waitingSinceMs == 0 || cmd.waitingSinceMs == c.waitingSinceMs);
    }

    private static ResultCode invalid(final Reply r, final String detail)
    {
        r.detail = detail;
        return ResultCode.INVALID_ARGUMENT;
    }

    private static boolean isBlank(final String s)
    {
        return s == null || s.isEmpty();
    }

    private static boolean hasBlank(final String[] names)
    {
        if (names == null)
        {
            return true;
        }
        for (final String name : names)
        {
            if (isBlank(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return a hash of all decision-relevant state, equal for equal histories (replay checks).
     */
    public long stateHash()
    {
        long h = mix(policyVersion, nowMs);
        h = mix(h, assignmentsTotal);
        h = mix(h, policy.hashCode());
        // Conversations combine by sum, so the hash does not depend on which handle holds which conversation.
        long conversationsHash = 0;
        for (int handle = 0; handle < conversations.highWater(); handle++)
        {
            final Conversation c = conversations.get(handle);
            if (c.id == null)
            {
                continue;
            }
            long ch = mix(c.id.hashCode(), c.state.ordinal() * 31L + c.urgencyLevel);
            ch = mix(ch, c.impact);
            ch = mix(ch, c.openSeq);
            ch = mix(ch, c.waitingSinceMs);
            ch = mix(ch, c.respondByMs);
            ch = mix(ch, c.requiredMask * 31 + c.preferredMask);
            ch = mix(ch, c.slaBand * 4L + (c.relaxed ? 2 : 0) + (c.acked ? 1 : 0));
            ch = mix(ch, c.leaseDeadlineMs);
            ch = mix(ch, c.agent == null ? -1 : c.agent.handle);
            ch = mix(ch, c.incident == null ? 0 : c.incident.reach);
            conversationsHash += ch;
        }
        h = mix(h, conversationsHash);
        for (int handle = 0; handle < agents.count(); handle++)
        {
            final Agent a = agents.get(handle);
            h = mix(h, a.id.hashCode());
            h = mix(h, a.skillMask);
            h = mix(h, a.capacity * 8L + a.status.ordinal());
            h = mix(h, a.held);
            h = mix(h, a.isParked() ? a.parkSeq * 31 + a.parkDeadlineMs : -1);
        }
        return h;
    }

    private static long mix(final long h, final long v)
    {
        long x = (h ^ v) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 32;
        return x * 0xBF58476D1CE4E5B9L;
    }

    private static void countBits(final long mask, final int[] counts)
    {
        for (long m = mask; m != 0; m &= m - 1)
        {
            counts[Long.numberOfTrailingZeros(m)]++;
        }
    }

    /**
     * Check every invariant the rules rely on; O(n) and meant for tests.
     *
     * @return null when consistent, else a description of the first problem.
     */
    public String validateInternalState()
    {
        String problem = index.validate(this::classOf, this::keyOf);
        problem = problem != null ? problem : timers.validate();
        problem = problem != null ? problem : parked.validate();
        if (problem != null)
        {
            return problem;
        }
        long open = 0;
        long assigned = 0;
        long pending = 0;
        for (int handle = 0; handle < conversations.highWater(); handle++)
        {
            final Conversation c = conversations.get(handle);
            if (c.id == null)
            {
                continue;
            }
            open += c.state == ConversationState.OPEN ? 1 : 0;
            assigned += c.state == ConversationState.ASSIGNED ? 1 : 0;
            pending += c.state == ConversationState.PENDING ? 1 : 0;
            if ((c.state == ConversationState.OPEN) != (c.classId >= 0))
            {
                return c.id + " is " + c.state + " but class " + c.classId;
            }
            if ((c.state == ConversationState.ASSIGNED) != (c.agent != null))
            {
                return c.id + " is " + c.state + " with agent " + c.agentId();
            }
            if ((c.state != ConversationState.RESOLVED && c.incidentKey != null) != (c.incident != null))
            {
                return c.id + " is " + c.state + " with incident key " + c.incidentKey + " and incident " + c.incident;
            }
            final long deadline = nextDeadlineMs(c);
            final boolean armed = timers.contains(handle);
            if (armed != (deadline != Long.MAX_VALUE))
            {
                return c.id + " timer armed=" + armed + " but next deadline " + deadline;
            }
        }
        final int[] skillRefs = new int[SkillRegistry.MAX_SKILLS];
        for (int handle = 0; handle < conversations.highWater(); handle++)
        {
            final Conversation c = conversations.get(handle);
            if (c.id != null)
            {
                countBits(c.requiredMask | c.preferredMask, skillRefs);
            }
        }
        for (int handle = 0; handle < agents.count(); handle++)
        {
            countBits(agents.get(handle).skillMask, skillRefs);
        }
        final String skillProblem = skills.validateRefs(skillRefs);
        if (skillProblem != null)
        {
            return skillProblem;
        }
        if (open != index.size() || assigned != assignedCount || pending != pendingCount)
        {
            return "counts open/assigned/pending " + index.size() + "/" + assignedCount + "/" + pendingCount +
                " but found " + open + "/" + assigned + "/" + pending;
        }
        final Selection probe = new Selection();
        for (int handle = 0; handle < agents.count(); handle++)
        {
            final Agent a = agents.get(handle);
            int held = 0;
            for (Conversation c = a.heldHead; c != null; c = c.next)
            {
                if (c.agent != a || c.state != ConversationState.ASSIGNED)
                {
                    return "agent " + a.id + " lists " + c.id + " held by " + c.agentId() + " in " + c.state;
                }
                held++;
            }
            if (held != a.held)
            {
                return "agent " + a.id + " holds " + held + " but counts " + a.held;
            }
            if (a.isParked())
            {
                index.best(a.eligible, nowMs, policy.agePointsPerMinute(), probe);
                if (probe.bestHandle >= 0 || a.status != AgentStatus.AVAILABLE || a.held >= a.capacity)
                {
                    return "parked agent " + a.id + " could be served or should not wait";
                }
            }
        }
        return null;
    }

    /**
     * @param listener told of every assignment and return to the queue (audit, decision log); null for none.
     *                 Set before the first command.
     */
    public void decisionListener(final DecisionListener listener)
    {
        decisions = listener;
    }

    /**
     * @param writer writes snapshots on SNAPSHOT; null to refuse them. Set before the processor starts.
     */
    public void snapshotWriter(final SnapshotWriter writer)
    {
        snapshots = writer;
    }

    /**
     * @param sink told of queue changes (watchers); null for none. Set on the processor thread or before it starts.
     */
    public void queueEventSink(final QueueEventSink sink)
    {
        events = sink;
    }

    /**
     * @param id client id.
     * @return the conversation, or null; a live view for tests and tools on the processor thread.
     */
    public Conversation conversation(final String id)
    {
        return conversations.find(id);
    }

    /**
     * @param id client id.
     * @return the agent, or null.
     */
    public Agent agent(final String id)
    {
        return agents.find(id);
    }

    /**
     * @param incidentKey key.
     * @return the incident's reach, 0 if none.
     */
    public long incidentReach(final String incidentKey)
    {
        return conversations.incidentReach(incidentKey);
    }

    public Policy policy()
    {
        return policy;
    }

    public int policyVersion()
    {
        return policyVersion;
    }

    public long nowMs()
    {
        return nowMs;
    }

    public int openCount()
    {
        return index.size();
    }

    /**
     * @return agents waiting in a long-poll.
     */
    public int parkedCount()
    {
        return parked.count();
    }

    public long assignmentsTotal()
    {
        return assignmentsTotal;
    }

    public long leaseExpiries()
    {
        return leaseExpiries;
    }

    /**
     * @return the earliest deadline of any armed timer (SLA, relaxation, lease, long-poll), or Long.MAX_VALUE.
     */
    public long nextTimerDeadlineMs()
    {
        return Math.min(timers.isEmpty() ? Long.MAX_VALUE : timers.primaryAt(0), parked.earliestTimeoutMs());
    }

    /**
     * @return true if the last TICK left due timers for the next one (the ticker should tick again soon).
     */
    public boolean timersBacklog()
    {
        return timersBacklog;
    }

    /**
     * @return live conversations, resolved ones kept for retries included.
     */
    public int liveConversations()
    {
        return conversations.live();
    }

    /**
     * Write the whole state (see {@link BookSnapshot}). Processor thread only.
     */
    void writeState(final java.io.DataOutputStream out) throws java.io.IOException
    {
        out.writeLong(sequence);
        out.writeLong(nowMs);
        out.writeInt(policyVersion);
        out.writeLong(assignmentsTotal);
        out.writeLong(leaseExpiries);
        waits.write(out);
        for (int slot = 0; slot < 60; slot++)
        {
            out.writeLong(secondOfSlot[slot]);
            out.writeLong(assignedInSecond[slot]);
        }
        BookSnapshot.writePolicy(policy, out);
        out.writeInt(skills.skillCount());
        for (int bit = 0; bit < skills.skillCount(); bit++)
        {
            out.writeUTF(skills.nameOfBit(bit));
        }
        out.writeInt(agents.count());
        for (int handle = 0; handle < agents.count(); handle++)
        {
            final Agent a = agents.get(handle);
            out.writeUTF(a.id);
            out.writeLong(a.skillMask);
            out.writeInt(a.capacity);
            out.writeByte(a.status.ordinal());
            out.writeLong(a.assignments);
            out.writeBoolean(a.isParked());
            out.writeLong(a.parkSeq);
            out.writeLong(a.parkDeadlineMs);
        }
        final java.util.List<String> incidentKeys = new java.util.ArrayList<>();
        final java.util.List<Long> incidentReach = new java.util.ArrayList<>();
        conversations.forEachIncident((key, reach) ->
        {
            incidentKeys.add(key);
            incidentReach.add(reach);
        });
        out.writeInt(incidentKeys.size());
        for (int i = 0; i < incidentKeys.size(); i++)
        {
            out.writeUTF(incidentKeys.get(i));
            out.writeLong(incidentReach.get(i));
        }
        out.writeInt(conversations.live());
        for (int handle = 0; handle < conversations.highWater(); handle++)
        {
            final Conversation c = conversations.get(handle);
            if (c.id == null)
            {
                continue;
            }
            out.writeUTF(c.id);
            out.writeLong(c.openSeq);
            out.writeByte(c.urgencyLevel);
            out.writeInt(c.impact);
            BookSnapshot.writeNullable(c.incidentKey, out);
            out.writeBoolean(c.incident != null);
            out.writeLong(c.requiredMask);
            out.writeLong(c.preferredMask);
            out.writeLong(c.waitingSinceMs);
            out.writeLong(c.respondByMs);
            out.writeByte(c.state.ordinal());
            out.writeByte(c.slaBand);
            out.writeBoolean(c.relaxed);
            out.writeBoolean(c.acked);
            out.writeLong(c.leaseDeadlineMs);
        }
        for (int handle = 0; handle < agents.count(); handle++)
        {
            final Agent a = agents.get(handle);
            out.writeInt(a.held);
            for (Conversation c = a.heldHead; c != null; c = c.next)
            {
                out.writeUTF(c.id);
            }
        }
        final java.util.List<Conversation> resolved = conversations.resolvedInOrder();
        out.writeInt(resolved.size());
        for (final Conversation c : resolved)
        {
            out.writeUTF(c.id);
        }
    }

    /**
     * Restore the state written by {@link #writeState} into this new, empty book.
     */
    void readState(final java.io.DataInputStream in) throws java.io.IOException
    {
        if (conversations.live() != 0 || agents.count() != 0)
        {
            throw new IllegalStateException("restore into an empty book only");
        }
        sequence = in.readLong();
        nowMs = in.readLong();
        policyVersion = in.readInt();
        assignmentsTotal = in.readLong();
        leaseExpiries = in.readLong();
        waits.read(in);
        for (int slot = 0; slot < 60; slot++)
        {
            secondOfSlot[slot] = in.readLong();
            assignedInSecond[slot] = in.readLong();
        }
        policy = BookSnapshot.readPolicy(in);
        final int skillCount = in.readInt();
        for (int bit = 0; bit < skillCount; bit++)
        {
            skills.maskOf(new String[]{ in.readUTF() }, 0, true);
        }
        final int agentCount = in.readInt();
        final long[] parkSeq = new long[agentCount];
        final long[] parkDeadline = new long[agentCount];
        final boolean[] wasParked = new boolean[agentCount];
        for (int i = 0; i < agentCount; i++)
        {
            final Agent a = agents.create(in.readUTF());
            setSkills(a, in.readLong());
            a.capacity = in.readInt();
            a.status = AgentStatus.values()[in.readByte()];
            a.assignments = in.readLong();
            wasParked[i] = in.readBoolean();
            parkSeq[i] = in.readLong();
            parkDeadline[i] = in.readLong();
        }
        final int incidentCount = in.readInt();
        for (int i = 0; i < incidentCount; i++)
        {
            conversations.restoreIncident(in.readUTF(), in.readLong());
        }
        final int conversationCount = in.readInt();
        for (int i = 0; i < conversationCount; i++)
        {
            final Conversation c = conversations.allocate(in.readUTF());
            c.openSeq = in.readLong();
            c.urgencyLevel = (byte)(in.readByte());
            c.impact = in.readInt();
            c.incidentKey = BookSnapshot.readNullable(in);
            final boolean member = in.readBoolean();
            c.requiredMask = in.readLong();
            c.preferredMask = in.readLong();
            skills.retain(c.requiredMask | c.preferredMask);
            c.waitingSinceMs = in.readLong();
            c.respondByMs = in.readLong();
            c.state = ConversationState.values()[in.readByte()];
            c.slaBand = in.readByte();
            c.relaxed = in.readBoolean();
            c.acked = in.readBoolean();
            c.leaseDeadlineMs = in.readLong();
            if (member)
            {
                conversations.restoreMember(c);
            }
            if (c.state == ConversationState.OPEN)
            {
                index.insert(c, classOf(c), keyOf(c));
                scheduleTimer(c);
            }
            else if (c.state == ConversationState.PENDING)
            {
                pendingCount++;
            }
        }
        for (int handle = 0; handle < agentCount; handle++)
        {
            final Agent a = agents.get(handle);
            final int held = in.readInt();
            for (int i = 0; i < held; i++)
            {
                final Conversation c = conversations.find(in.readUTF());
                a.hold(c);
                assignedCount++;
                scheduleTimer(c);
            }
        }
        final int resolved = in.readInt();
        for (int i = 0; i < resolved; i++)
        {
            conversations.retain(conversations.find(in.readUTF()));
        }
        for (int handle = 0; handle < agentCount; handle++)
        {
            if (wasParked[handle])
            {
                parked.park(agents.get(handle), null, parkSeq[handle], parkDeadline[handle]);
            }
        }
    }

    /**
     * @return the sequence of the last command applied.
     */
    public long lastSequence()
    {
        return sequence;
    }
}
