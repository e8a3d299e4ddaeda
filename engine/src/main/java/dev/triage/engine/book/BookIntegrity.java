package dev.triage.engine.book;

import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.ConversationState;

/**
 * Checks on the whole book: a hash of everything decisions depend on (equal for equal histories, so a replay can be
 * compared with the run that wrote the journal), and every invariant the rules rely on (for tests and for a restored
 * snapshot). Reads only.
 */
final class BookIntegrity
{
    private final BookState s;
    private final ConversationTimers timers;

    BookIntegrity(final BookState state, final ConversationTimers timers)
    {
        this.s = state;
        this.timers = timers;
    }

    /**
     * @return a hash of all decision-relevant state, equal for equal histories (replay checks).
     */
    long stateHash()
    {
        long h = mix(s.policyVersion, s.nowMs);
        h = mix(h, s.assignmentsTotal);
        for (final long field : s.policy.fields())
        {
            // Every setting: Policy.hashCode covers only some of them, and a replay under a different lease or
            // relaxation must not hash the same.
            h = mix(h, field);
        }
        // Conversations combine by sum, so the hash does not depend on which handle holds which conversation.
        long conversationsHash = 0;
        for (int handle = 0; handle < s.conversations.highWater(); handle++)
        {
            final Conversation c = s.conversations.get(handle);
            if (c.id == null)
            {
                continue;
            }
            long ch = mix(c.id.hashCode(), c.state.ordinal() * 31L + c.urgencyLevel);
            ch = mix(ch, c.impact);
            ch = mix(ch, c.openSeq);
            ch = mix(ch, c.waitingSinceMs);
            ch = mix(ch, c.respondByMs);
            ch = mix(ch, s.skills.contentHash(c.requiredSet) * 31 + s.skills.contentHash(c.preferredSet));
            ch = mix(ch, c.slaBand * 16L + (c.escalated ? 8 : 0) + (c.lead ? 4 : 0) + (c.relaxed ? 2 : 0) + (c.acked ? 1 : 0));
            ch = mix(ch, c.leaseDeadlineMs);
            ch = mix(ch, c.agent == null ? -1 : c.agent.handle);
            ch = mix(ch, c.incident == null ? 0 : c.incident.reach);
            conversationsHash += ch;
        }
        h = mix(h, conversationsHash);
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            final Agent a = s.agents.get(handle);
            h = mix(h, a.id.hashCode());
            h = mix(h, s.skills.contentHash(a.skillSet));
            h = mix(h, a.capacity * 8L + a.status.ordinal());
            h = mix(h, a.held);
            h = mix(h, a.isParked() ? (a.parkSeq * 31 + a.parkDeadlineMs) * 31 + a.parkRequestSeq : -1);
        }
        return h;
    }

    private static long mix(final long h, final long v)
    {
        long x = (h ^ v) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 32;
        return x * 0xBF58476D1CE4E5B9L;
    }

    private void countNames(final int set, final int[] counts)
    {
        for (final int index : s.skills.members(set))
        {
            counts[index]++;
        }
    }

    /**
     * Check every invariant the rules rely on; O(n) and meant for tests.
     *
     * @return null when consistent, else a description of the first problem.
     */
    String validateInternalState()
    {
        String problem = s.index.validate(c -> Scorer.classOf(s.skills, s.policy, c), c -> Scorer.keyOf(s.policy, c));
        problem = problem != null ? problem : timers.validate();
        problem = problem != null ? problem : s.parked.validate();
        problem = problem != null ? problem : checkConversations();
        problem = problem != null ? problem : checkSkillReferences();
        return problem != null ? problem : checkAgents();
    }

    /** Each incident's members per state, as counted while they moved, match its member list. */
    private String checkIncidentCounts()
    {
        final String[] problem = new String[1];
        s.conversations.forEachIncident(incident ->
        {
            final int[] found = new int[ConversationState.values().length];
            int members = 0;
            for (Conversation c = incident.head; c != null; c = c.incidentNext)
            {
                found[c.state.ordinal()]++;
                members++;
            }
            for (final ConversationState state : ConversationState.values())
            {
                if (problem[0] == null && found[state.ordinal()] != incident.membersIn(state))
                {
                    problem[0] = "incident " + incident.key + " counts " + incident.membersIn(state) + " " + state +
                        " members but lists " + found[state.ordinal()];
                }
            }
            if (problem[0] == null && members != incident.members)
            {
                problem[0] = "incident " + incident.key + " counts " + incident.members + " members but lists " + members;
            }
        });
        return problem[0];
    }

    /** Each conversation's state agrees with its queue entry, agent, incident and timer; the counts add up. */
    private String checkConversations()
    {
        long open = 0;
        long assigned = 0;
        long pending = 0;
        for (int handle = 0; handle < s.conversations.highWater(); handle++)
        {
            final Conversation c = s.conversations.get(handle);
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
            final long deadline = ConversationTimers.nextDeadlineMs(s.policy, c);
            final boolean armed = timers.isArmed(handle);
            if (armed != (deadline != Long.MAX_VALUE))
            {
                return c.id + " timer armed=" + armed + " but next deadline " + deadline;
            }
        }
        final String incidents = checkIncidentCounts();
        if (incidents != null)
        {
            return incidents;
        }
        if (open != s.index.size() || assigned != s.assignedCount || pending != s.pendingCount)
        {
            return "counts open/assigned/pending " + s.index.size() + "/" + s.assignedCount + "/" + s.pendingCount +
                " but found " + open + "/" + assigned + "/" + pending;
        }
        return null;
    }

    /** Every skill name is counted once per conversation and agent holding it. */
    private String checkSkillReferences()
    {
        final int[] skillRefs = new int[SkillRegistry.MAX_SKILLS];
        for (int handle = 0; handle < s.conversations.highWater(); handle++)
        {
            final Conversation c = s.conversations.get(handle);
            if (c.id != null)
            {
                countNames(c.unionSet, skillRefs);
            }
        }
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            countNames(s.agents.get(handle).skillSet, skillRefs);
        }
        return s.skills.validateRefs(skillRefs);
    }

    /** Each agent's held list agrees with its conversations; a parked agent has nothing it could be given. */
    private String checkAgents()
    {
        final Selection probe = new Selection();
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            final Agent a = s.agents.get(handle);
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
                s.index.best(a.eligible, s.nowMs, s.policy.agePointsPerMinute(), probe);
                if (probe.bestHandle >= 0 || a.status != AgentStatus.AVAILABLE || a.held >= a.capacity)
                {
                    return "parked agent " + a.id + " could be served or should not wait";
                }
            }
        }
        return null;
    }
}
