package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.policy.Policy;

import java.util.Objects;

import static dev.triage.engine.book.BookState.hasBlank;
import static dev.triage.engine.book.BookState.invalid;
import static dev.triage.engine.book.BookState.isBlank;

/**
 * A conversation's life: OPEN (with its incident), UPDATE, CUSTOMER_REPLIED, REOPEN, AGENT_REPLIED and RESOLVE.
 * Moves conversations between the states of {@link ConversationState}; the assignment desk queues and unassigns
 * them, and an incident's reach crossing a bucket re-keys its queued members here.
 */
final class ConversationLifecycle
{
    private final BookState s;
    private final ConversationBook conversations;
    private final SkillRegistry skills;
    private final AssignmentDesk desk;
    private final ConversationTimers timers;
    /** An UPDATE's skill sets between checking and applying it. */
    private int updatedRequired;
    private int updatedPreferred;

    ConversationLifecycle(final BookState state, final AssignmentDesk desk, final ConversationTimers timers)
    {
        this.s = state;
        conversations = state.conversations;
        skills = state.skills;
        this.desk = desk;
        this.timers = timers;
    }

    ResultCode onOpen(final Command cmd, final Reply r)
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
        final int required = skills.setOf(cmd.requiredSkills, SkillRegistry.EMPTY, false);
        final int preferredNamed = required < 0 ? required : skills.setOf(cmd.preferredSkills, required, false);
        if (preferredNamed < 0)
        {
            return ResultCode.SKILL_LIMIT_REACHED;
        }
        final int preferred = skills.minus(preferredNamed, required);
        final Conversation existing = conversations.find(cmd.conversationId);
        if (existing != null)
        {
            r.conversationState = existing.state;
            return sameContent(existing, cmd, required, preferred) ? ResultCode.OK : ResultCode.ALREADY_EXISTS;
        }
        final Conversation c = conversations.allocate(cmd.conversationId);
        c.openSeq = cmd.sequence;
        c.urgencyLevel = (byte)cmd.urgency.ordinal();
        c.impact = cmd.impact;
        c.incidentKey = cmd.incidentKey;
        c.requiredSet = required;
        c.preferredSet = preferred;
        c.unionSet = skills.union(required, preferred);
        skills.retain(c.unionSet);
        c.waitingSinceMs = cmd.waitingSinceMs != 0 ? cmd.waitingSinceMs : s.nowMs;
        c.respondByMs = cmd.respondByMs;
        c.moveTo(ConversationState.OPEN);
        if (c.incidentKey != null)
        {
            joinIncident(c);
        }
        s.emit(QueueEventSink.OPENED, c.id, null, 0);
        desk.enqueue(c);
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    ResultCode onUpdate(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        final ResultCode invalid = checkUpdate(cmd, r);
        if (invalid != null)
        {
            return invalid;
        }
        updatedRequired = c.requiredSet;
        updatedPreferred = c.preferredSet;
        if ((cmd.updateFlags & Command.UPDATE_SKILLS) != 0)
        {
            final ResultCode skillProblem = updatedSkills(cmd, r);
            if (skillProblem != null)
            {
                return skillProblem;
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
            desk.dequeue(c);
        }
        applyUpdate(c, cmd);
        if (queued)
        {
            desk.enqueue(c);
        }
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    /** The fields an UPDATE sets must be valid; null if they are. */
    private static ResultCode checkUpdate(final Command cmd, final Reply r)
    {
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
        return null;
    }

    /** The UPDATE's new skill sets into {@link #updatedRequired} and {@link #updatedPreferred}; null if they fit. */
    private ResultCode updatedSkills(final Command cmd, final Reply r)
    {
        final ResultCode skillProblem = checkSkills(cmd, r);
        if (skillProblem != null)
        {
            return skillProblem;
        }
        final int required = skills.setOf(cmd.requiredSkills, SkillRegistry.EMPTY, false);
        final int preferredNamed = required < 0 ? required : skills.setOf(cmd.preferredSkills, required, false);
        if (preferredNamed < 0)
        {
            return ResultCode.SKILL_LIMIT_REACHED;
        }
        updatedRequired = required;
        updatedPreferred = skills.minus(preferredNamed, required);
        return null;
    }

    /** Change what the UPDATE names (the conversation is out of the queue meanwhile). */
    private void applyUpdate(final Conversation c, final Command cmd)
    {
        final int flags = cmd.updateFlags;
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
            skills.release(c.unionSet);
            c.requiredSet = updatedRequired;
            c.preferredSet = updatedPreferred;
            c.unionSet = skills.union(updatedRequired, updatedPreferred);
            skills.retain(c.unionSet);
        }
        if ((flags & Command.UPDATE_INCIDENT) != 0 && !Objects.equals(cmd.incidentKey, c.incidentKey))
        {
            if (c.incident != null)
            {
                desk.leavePlay(c);
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
    }

    ResultCode onCustomerReplied(final Command cmd, final Reply r)
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
            s.pendingCount--;
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

    ResultCode onReopen(final Command cmd, final Reply r)
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
        c.waitingSinceMs = waitingSinceMs != 0 ? waitingSinceMs : s.nowMs;
        c.moveTo(ConversationState.OPEN);
        if (wasResolved && c.incidentKey != null)
        {
            joinIncident(c);
        }
        s.emit(QueueEventSink.REOPENED, c.id, null, 0);
        desk.enqueue(c);
    }

    ResultCode onAgentReplied(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        if (cmd.agentId != null && c.state != ConversationState.PENDING && c.state != ConversationState.RESOLVED)
        {
            final ResultCode notHeld = unlessHeldBy(cmd.agentId, c, r);
            if (notHeld != null)
            {
                return notHeld;
            }
        }
        if (c.state == ConversationState.RESOLVED)
        {
            r.conversationState = c.state;
            return ResultCode.INVALID_STATE;
        }
        answer(c);
        r.conversationState = c.state;
        return ResultCode.OK;
    }

    /** An agent's (or an incident's) answer: a waiting or assigned conversation waits on the customer now. */
    private boolean answer(final Conversation c)
    {
        switch (c.state)
        {
            case OPEN:
                desk.dequeue(c);
                break;
            case ASSIGNED:
                desk.unassign(c);
                break;
            default:
                return false;
        }
        desk.leavePlay(c);
        c.moveTo(ConversationState.PENDING);
        s.pendingCount++;
        timers.schedule(s.policy, c);
        s.emit(QueueEventSink.PENDING, c.id, null, 0);
        return true;
    }

    ResultCode onResolve(final Command cmd, final Reply r)
    {
        final Conversation c = conversations.find(cmd.conversationId);
        if (c == null)
        {
            return ResultCode.CONVERSATION_NOT_FOUND;
        }
        r.conversationId = c.id;
        if (cmd.agentId != null && c.state != ConversationState.RESOLVED)
        {
            final ResultCode notHeld = unlessHeldBy(cmd.agentId, c, r);
            if (notHeld != null)
            {
                return notHeld;
            }
        }
        r.conversationState = ConversationState.RESOLVED;
        resolveNow(c);
        return ResultCode.OK;
    }

    /** @return true if the conversation was resolved now (false: it already was). */
    private boolean resolveNow(final Conversation c)
    {
        switch (c.state)
        {
            case OPEN:
                desk.dequeue(c);
                break;
            case ASSIGNED:
                desk.unassign(c);
                break;
            case PENDING:
                s.pendingCount--;
                break;
            default:
                return false;
        }
        desk.leavePlay(c);
        c.moveTo(ConversationState.RESOLVED);
        timers.schedule(s.policy, c);
        if (c.incident != null)
        {
            conversations.leaveIncident(c);
        }
        s.emit(QueueEventSink.RESOLVED, c.id, null, 0);
        conversations.retain(c);
        return true;
    }

    /**
     * INCIDENT_REPLY or INCIDENT_RESOLVE: one answer (or the fix) for every member of an incident, the first opened
     * first: waiting and assigned members go to PENDING, or every unresolved member is resolved. By a
     * supervisor, or by an agent while it works one of the incident's leads. The reply lists the members moved, for
     * the audit's line per member. O(members): the one command about the whole incident.
     */
    ResultCode onIncidentAction(final Command cmd, final Reply r)
    {
        if (isBlank(cmd.incidentKey))
        {
            return invalid(r, "incident is required");
        }
        final Incident incident = conversations.incident(cmd.incidentKey);
        if (incident == null)
        {
            return ResultCode.INCIDENT_NOT_FOUND;
        }
        if (cmd.agentId != null)
        {
            final Agent a = s.agents.find(cmd.agentId);
            if (a == null)
            {
                return ResultCode.AGENT_NOT_FOUND;
            }
            r.agentId = a.id;
            if (!worksALead(a, incident))
            {
                return ResultCode.NOT_AN_INCIDENT_LEAD;
            }
        }
        final Conversation[] members = new Conversation[incident.members];
        int n = 0;
        for (Conversation m = incident.head; m != null; m = m.incidentNext)
        {
            members[n++] = m;
        }
        // The first opened first: the order the retention of resolved conversations (and the audit) sees them in.
        java.util.Arrays.sort(members, 0, n, java.util.Comparator.comparingLong(m -> m.openSeq));
        final String[] moved = new String[n];
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            final boolean changed = cmd.type == CommandType.INCIDENT_REPLY ? answer(members[i]) : resolveNow(members[i]);
            if (changed)
            {
                moved[count++] = members[i].id;
            }
        }
        r.affectedIds = moved;
        r.affectedCount = count;
        return ResultCode.OK;
    }

    /** The agent holds one of the incident's leads (any member, when the policy has no lead slots). */
    private boolean worksALead(final Agent a, final Incident incident)
    {
        for (Conversation c = a.heldHead; c != null; c = c.next)
        {
            if (c.incident == incident && (c.lead || s.policy.incidentLeadSlots() == 0))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * INCIDENT_SHOW: the incident as it stands. O(members), for the oldest waiting one.
     */
    ResultCode onIncidentShow(final Command cmd, final Reply r)
    {
        final Incident incident = cmd.incidentKey == null ? null : conversations.incident(cmd.incidentKey);
        if (incident == null)
        {
            return ResultCode.INCIDENT_NOT_FOUND;
        }
        r.incidentReach = incident.reach;
        r.firstReportMs = incident.firstReportMs;
        for (final ConversationState state : ConversationState.values())
        {
            r.incidentMembersIn[state.ordinal()] = incident.membersIn(state);
        }
        r.leadIds = incident.leadIds();
        final Conversation oldest = incident.oldestWaiting();
        r.oldestWaitingId = oldest == null ? null : oldest.id;
        r.oldestWaitedMs = oldest == null ? 0 : s.nowMs - oldest.waitingSinceMs;
        return ResultCode.OK;
    }

    /**
     * An agent acting on a conversation (its Session: resolve, agent-replied) must hold it; a repeat of what is already
     * done stays answered OK by the callers (they skip this for a resolved or pending conversation).
     *
     * @return null if the agent holds it, else the refusal, with the reply saying who asked and the state.
     */
    private ResultCode unlessHeldBy(final String agentId, final Conversation c, final Reply r)
    {
        if (s.agents.find(agentId) == null)
        {
            return ResultCode.AGENT_NOT_FOUND;
        }
        if (c.state == ConversationState.ASSIGNED && c.agent.id.equals(agentId))
        {
            return null;
        }
        r.agentId = agentId;
        r.conversationState = c.state;
        return ResultCode.NOT_HELD_BY_AGENT;
    }

    private void joinIncident(final Conversation c)
    {
        final long reachBefore = conversations.joinIncident(c, s.nowMs);
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
        final long minImpact = s.policy.newestFirstMinImpact();
        if (Policy.impactBucket(reachBefore) != Policy.impactBucket(incident.reach) ||
            (reachBefore >= minImpact) != (incident.reach >= minImpact))
        {
            rekeyIncident(incident);
        }
    }

    /**
     * Re-key the incident's queued members whose impact is its reach (SLA band and relaxation stay as they were): its
     * leads, or every member when the policy has no lead slots.
     */
    private void rekeyIncident(final Incident incident)
    {
        if (s.policy.incidentLeadSlots() > 0)
        {
            for (int i = 0; i < incident.leadCount; i++)
            {
                if (incident.leads[i].classId >= 0)
                {
                    desk.rekey(incident.leads[i]);
                }
            }
            return;
        }
        for (Conversation m = incident.head; m != null; m = m.incidentNext)
        {
            if (m.classId >= 0)
            {
                desk.rekey(m);
            }
        }
    }

    private ResultCode checkSkills(final Command cmd, final Reply r)
    {
        if (hasBlank(cmd.requiredSkills) || hasBlank(cmd.preferredSkills))
        {
            return invalid(r, "skill names must not be empty");
        }
        return null;
    }

    private static boolean sameContent(final Conversation c, final Command cmd, final int required, final int preferred)
    {
        return c.urgency() == cmd.urgency && c.impact == cmd.impact && Objects.equals(c.incidentKey, cmd.incidentKey) &&
            c.requiredSet == required && c.preferredSet == preferred && c.respondByMs == cmd.respondByMs &&
            (cmd.waitingSinceMs == 0 || cmd.waitingSinceMs == c.waitingSinceMs);
    }
}
