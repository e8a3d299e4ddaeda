package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Limits;
import dev.triage.engine.ground.SlaBand;

import static dev.triage.engine.book.BookState.hasBlank;
import static dev.triage.engine.book.BookState.invalid;
import static dev.triage.engine.book.BookState.isBlank;

/**
 * The assignment desk: the queue and the agents who take from it. Puts OPEN conversations in the queue (or straight
 * into the hands of the longest-idle parked agent who may take them), answers NEXT_BEST (at once, or by parking the
 * agent), ACK, RELEASE, agents' registration and status, and the timers' consequences (an expired lease requeues,
 * a long-poll times out). Every assignment and every return to the queue passes through here, with its decision.
 */
final class AssignmentDesk implements ConversationTimers.TimerHandler
{
    private final BookState s;
    private final ConversationBook conversations;
    private final AgentBook agents;
    private final PriorityIndex index;
    private final ParkedAgents parked;
    private final SkillRegistry skills;
    private final ConversationTimers timers;
    private final BookStatistics statistics;
    private final IncidentLeads leads;

    AssignmentDesk(final BookState state, final ConversationTimers timers, final BookStatistics statistics)
    {
        leads = new IncidentLeads(state, 1_024, this::rekey);
        this.s = state;
        conversations = state.conversations;
        agents = state.agents;
        index = state.index;
        parked = state.parked;
        skills = state.skills;
        this.timers = timers;
        this.statistics = statistics;
    }

    ResultCode onNextBest(final Command cmd, final Reply r)
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
            s.completeLate(parked.unpark(a), ResultCode.SUPERSEDED);
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
            parked.park(a, cmd.reply, idleRank, s.nowMs + cmd.maxWaitMs);
            a.parkRequestSeq = cmd.sequence;
            return ResultCode.PARKED;
        }
        return ResultCode.NO_CONVERSATION;
    }

    /**
     * The caller of a long-poll went away: end that wait, so the next conversation goes to an agent who is there. A
     * later NEXT_BEST's wait, or none, is left alone: the cancel names the request it is for.
     */
    ResultCode onCancelWait(final Command cmd, final Reply r)
    {
        final Agent a = agents.find(cmd.agentId);
        r.agentId = cmd.agentId;
        if (a != null && a.isParked() && a.parkRequestSeq == cmd.targetSequence)
        {
            s.completeLate(parked.unpark(a), ResultCode.CANCELLED);
        }
        return ResultCode.OK;
    }

    ResultCode onAck(final Command cmd, final Reply r)
    {
        final Conversation c = heldBy(cmd, r);
        if (c == null)
        {
            return r.result;
        }
        if (!c.acked)
        {
            c.acked = true;
            timers.schedule(s.policy, c);
        }
        r.leaseDeadlineMs = 0;
        return ResultCode.OK;
    }

    ResultCode onRelease(final Command cmd, final Reply r)
    {
        final Conversation c = heldBy(cmd, r);
        if (c == null)
        {
            return r.result;
        }
        requeue(c, DecisionListener.Cause.RELEASED);
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

    ResultCode onUpsertAgent(final Command cmd, final Reply r)
    {
        if (isBlank(cmd.agentId))
        {
            return invalid(r, "agent id is required");
        }
        r.agentId = cmd.agentId;
        if (cmd.capacity < 1 || cmd.capacity > Limits.MAX_CAPACITY)
        {
            return invalid(r, "capacity must be in 1.." + Limits.MAX_CAPACITY);
        }
        if (hasBlank(cmd.requiredSkills))
        {
            return invalid(r, "skill names must not be empty");
        }
        final int set = skills.setOf(cmd.requiredSkills, SkillRegistry.EMPTY, true);
        if (set < 0)
        {
            return ResultCode.SKILL_LIMIT_REACHED;
        }
        Agent a = agents.find(cmd.agentId);
        if (a == null)
        {
            if (agents.count() >= s.maxAgents)
            {
                return ResultCode.AGENT_LIMIT_REACHED;
            }
            a = agents.create(cmd.agentId);
            a.capacity = cmd.capacity;
            setSkills(a, set);
            return ResultCode.OK;
        }
        a.capacity = cmd.capacity;
        if (!a.isParked())
        {
            setSkills(a, set);
        }
        else if (a.held >= a.capacity)
        {
            setSkills(a, set);
            s.completeLate(parked.unpark(a), ResultCode.CANCELLED);
        }
        else if (a.skillSet != set)
        {
            final long idleRank = a.parkSeq;
            final long deadlineMs = a.parkDeadlineMs;
            final Reply parkedReply = parked.unpark(a);
            setSkills(a, set);
            if (!serveLate(a, parkedReply))
            {
                parked.park(a, parkedReply, idleRank, deadlineMs);
            }
        }
        return ResultCode.OK;
    }

    /** An agent's skills, and so the skill sets it may take from. */
    void setSkills(final Agent a, final int set)
    {
        skills.release(a.skillSet);
        skills.retain(set);
        a.skillSet = set;
        a.eligible = skills.eligibleFor(set);
    }

    ResultCode onAgentStatus(final Command cmd, final Reply r)
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
            s.completeLate(parked.unpark(a), ResultCode.CANCELLED);
        }
        if (a.status == AgentStatus.OFFLINE)
        {
            Conversation c = a.heldHead;
            while (c != null)
            {
                final Conversation next = c.next;
                if (!c.acked)
                {
                    requeue(c, DecisionListener.Cause.AGENT_OFFLINE);
                }
                c = next;
            }
        }
        return ResultCode.OK;
    }

    /** After a restart nobody waits on a parked request any more: cancel them all. */
    ResultCode onRestart()
    {
        int n = parked.count();
        while (n-- > 0)
        {
            s.completeLate(parked.unpark(agents.get(parked.earliestTimeoutHandle())), ResultCode.CANCELLED);
        }
        return ResultCode.OK;
    }

    /**
     * Serve every parked agent who may now take something (after a policy change re-keyed the queue), the longest
     * idle first.
     *
     * @param scratch reused room for the parked agents, at least as long as the agents.
     */
    void serveParkedAgents(final Agent[] scratch)
    {
        final int waiting = parked.collectByIdleRank(agents.table(), scratch);
        for (int i = 0; i < waiting; i++)
        {
            final Agent a = scratch[i];
            index.best(a.eligible, s.nowMs, s.policy.agePointsPerMinute(), s.selection);
            if (s.selection.bestHandle >= 0)
            {
                serveLate(a, parked.unpark(a));
            }
            scratch[i] = null;
        }
    }

    @Override
    public void onConversationDue(final int conversationHandle)
    {
        final Conversation c = conversations.get(conversationHandle);
        if (c.state == ConversationState.ASSIGNED)
        {
            s.leaseExpiries++;
            requeue(c, DecisionListener.Cause.LEASE_EXPIRED);
        }
        else
        {
            // An SLA band change or a relaxation: re-queue it as of now.
            dequeue(c);
            enqueue(c);
        }
    }

    @Override
    public void onLongPollTimedOut(final int agentHandle)
    {
        s.completeLate(parked.unpark(agents.get(agentHandle)), ResultCode.TIMED_OUT);
    }

    /**
     * Put an OPEN conversation in the queue as of now: refresh its SLA band and relaxation, then hand it to the
     * longest-idle parked agent that may take it, or index it and arm its timer.
     */
    void enqueue(final Conversation c)
    {
        refreshDerived(c);
        final Agent a = parked.pickFor(skills.skillSetId(c.effectiveSet()));
        if (a != null)
        {
            final Reply late = parked.unpark(a);
            final Reply r = late != null ? late : s.scratchReply;
            Scorer.breakdown(s.policy, c, s.nowMs, r);
            assign(c, a, r, 1, null, 0, DecisionListener.Cause.LONG_POLL);
            s.deferIfWaitedOn(late);
            return;
        }
        index(c);
    }

    /**
     * Index a queued conversation with its class and key, and arm its timer (no parked agent is offered it). An incident
     * member is first placed among its incident's leads or others, which decides its impact.
     */
    void index(final Conversation c)
    {
        if (c.incident != null)
        {
            leads.enter(c);
        }
        index.insert(c, Scorer.classOf(skills, s.policy, c), Scorer.keyOf(s.policy, c));
        timers.schedule(s.policy, c);
    }

    /** Take a conversation out of the queue (and disarm its timer); a lead keeps its incident slot. */
    void dequeue(final Conversation c)
    {
        index.remove(c);
        timers.cancel(c);
        if (c.incident != null)
        {
            leads.leaveQueue(c);
        }
    }

    /**
     * An incident member out of the queue is answered, resolved or leaves its incident: its slot, if it held one, goes
     * to the best queued member.
     */
    void leavePlay(final Conversation c)
    {
        if (c.incident != null)
        {
            leads.leavePlay(c);
        }
    }

    /**
     * Snapshot restore: index a queued conversation as it was, a member among its incident's leads or others as the
     * snapshot says (the rules are not run again: restoring decides nothing).
     */
    void indexRestored(final Conversation c)
    {
        if (c.incident != null)
        {
            leads.restoreQueued(c);
        }
        index.insert(c, Scorer.classOf(skills, s.policy, c), Scorer.keyOf(s.policy, c));
        timers.schedule(s.policy, c);
    }

    /** Snapshot restore: an assigned lead holds its slot again. */
    void restoreAssignedLead(final Conversation c)
    {
        leads.restoreAssignedLead(c);
    }

    /** A policy change re-queues everything: every incident chooses its leads again. */
    void forgetLeads()
    {
        leads.clearAll();
    }

    /**
     * @return null when every incident's leads are its best queued members, else the problem.
     */
    String validateLeads()
    {
        return leads.validate();
    }

    /** Re-key a queued conversation whose class or key changed (SLA band and relaxation stay as they were). */
    void rekey(final Conversation c)
    {
        index.rekey(c, Scorer.classOf(skills, s.policy, c), Scorer.keyOf(s.policy, c));
    }

    /** An assigned conversation goes back to the queue, with its decision. */
    private void requeue(final Conversation c, final DecisionListener.Cause cause)
    {
        returned(c, cause);
        c.moveTo(ConversationState.OPEN);
        enqueue(c);
    }

    /**
     * @return true if the agent got its best eligible conversation, written to {@code r}.
     */
    private boolean assignBest(final Agent a, final Reply r, final DecisionListener.Cause cause)
    {
        final Selection selection = s.selection;
        index.best(a.eligible, s.nowMs, s.policy.agePointsPerMinute(), selection);
        if (selection.bestHandle < 0)
        {
            return false;
        }
        final Conversation c = conversations.get(selection.bestHandle);
        final Conversation runnerUp = selection.runnerUpHandle >= 0 ? conversations.get(selection.runnerUpHandle) : null;
        final long candidates = selection.candidates;
        final long runnerUpScore = selection.runnerUpScoreUnits;
        // The parts of the score it won with: as a lead, with its incident's reach, which it gives up as it leaves.
        Scorer.breakdown(s.policy, c, s.nowMs, r);
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
        if (assignBest(a, parkedReply != null ? parkedReply : s.scratchReply, DecisionListener.Cause.LONG_POLL))
        {
            s.deferIfWaitedOn(parkedReply);
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
        final long nowMs = s.nowMs;
        r.result = ResultCode.OK;
        r.conversationId = c.id;
        r.agentId = a.id;
        r.candidates = candidates;
        r.runnerUpId = runnerUp == null ? null : runnerUp.id;
        r.runnerUpScoreUnits = runnerUp == null ? 0 : runnerUpScore;
        r.waitedMs = nowMs - c.waitingSinceMs;
        statistics.onAssigned(nowMs, r.waitedMs);
        r.leaseDeadlineMs = nowMs + s.policy.leaseMs();
        r.conversationState = ConversationState.ASSIGNED;
        // Set here, not only at the end of apply(): decision listeners read the reply before apply() finishes.
        r.policyVersion = s.policyVersion;
        c.moveTo(ConversationState.ASSIGNED);
        c.acked = false;
        c.leaseDeadlineMs = r.leaseDeadlineMs;
        c.assignedAtMs = nowMs;
        a.hold(c);
        a.assignments++;
        s.assignmentsTotal++;
        s.assignedCount++;
        timers.schedule(s.policy, c);
        if (s.decisions != null)
        {
            s.decisions.onAssigned(cause, s.sequence, nowMs, r);
        }
        s.emit(QueueEventSink.ASSIGNED, c.id, a.id, r.scoreUnits);
    }

    private void returned(final Conversation c, final DecisionListener.Cause cause)
    {
        final String agentId = c.agent.id;
        unassign(c);
        if (s.decisions != null)
        {
            s.decisions.onReturned(cause, s.sequence, s.nowMs, c.id, agentId);
        }
        s.emit(QueueEventSink.RETURNED, c.id, agentId, 0);
    }

    /** The agent lets go of the conversation (its lease timer goes with it); its new state is the caller's. */
    void unassign(final Conversation c)
    {
        c.agent.drop(c);
        c.acked = false;
        c.leaseDeadlineMs = 0;
        s.assignedCount--;
        timers.cancel(c);
    }

    /** Bring the conversation's SLA band (announcing a worse one) and relaxation up to now. */
    void refreshDerived(final Conversation c)
    {
        final int band = s.policy.slaBandAt(c.respondByMs, s.nowMs);
        if (band > c.slaBand)
        {
            s.emit(band == SlaBand.BREACHED ? QueueEventSink.SLA_BREACHED : QueueEventSink.SLA_AT_RISK, c.id, null, 0);
        }
        c.slaBand = (byte)band;
        c.relaxed = s.nowMs - c.waitingSinceMs >= s.policy.relaxPreferredAfterMs();
        final long maxWaitMs = s.policy.maxWaitMs(c.urgency());
        c.escalated = maxWaitMs > 0 && s.nowMs - c.waitingSinceMs >= maxWaitMs;
    }
}
