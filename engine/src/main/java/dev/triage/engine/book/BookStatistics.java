package dev.triage.engine.book;

import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Limits;
import dev.triage.engine.ground.SlaBand;
import dev.triage.engine.ground.Urgency;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static dev.triage.engine.book.BookState.invalid;

/**
 * What the book reports without changing anything: TOP (the best queued conversations, for everyone or as one agent
 * would see them) and STATS (counts, SLA bands, the oldest wait, assignments per minute, the wait distribution, open
 * conversations per skill set). Keeps the two statistics only it needs: a ring of assignments per second of engine
 * time over the last minute, and the histogram of how long assigned conversations had waited.
 */
final class BookStatistics
{
    private static final int SECONDS = 60;

    private final BookState s;
    private final ConversationBook conversations;
    private final AgentBook agents;
    private final PriorityIndex index;
    private final ParkedAgents parked;
    private final SkillRegistry skills;
    private final WaitHistogram waits = new WaitHistogram();
    /** Assignments per second of engine time over the last minute: counts and the second each slot holds. */
    private final long[] assignedInSecond = new long[SECONDS];
    private final long[] secondOfSlot = new long[SECONDS];
    final QueueHistory history;

    BookStatistics(final BookState state)
    {
        this.s = state;
        conversations = state.conversations;
        agents = state.agents;
        index = state.index;
        parked = state.parked;
        skills = state.skills;
        history = new QueueHistory(state.index);
    }

    /** Count an assignment made at {@code nowMs} of a conversation that had waited {@code waitedMs}. */
    void onAssigned(final long nowMs, final long waitedMs)
    {
        waits.record(waitedMs);
        history.onAssigned();
        final long second = nowMs / 1000;
        final int slot = (int)(second % SECONDS);
        if (secondOfSlot[slot] != second)
        {
            secondOfSlot[slot] = second;
            assignedInSecond[slot] = 0;
        }
        assignedInSecond[slot]++;
    }

    ResultCode onTop(final Command cmd, final Reply r)
    {
        if (cmd.topN < 1 || cmd.topN > Limits.MAX_TOP || r.topIds == null || cmd.topN > r.topIds.length)
        {
            return invalid(r, "n must be in 1.." + Limits.MAX_TOP + " and fit the reply");
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
        index.top(eligible, cmd.topN, s.nowMs, s.policy.agePointsPerMinute(), r);
        return ResultCode.OK;
    }

    ResultCode onStats(final Reply r)
    {

        for (int u = 0; u < Urgency.count(); u++)
        {
            r.openByUrgency[u] = index.openCount(Urgency.ofLevel(u));
        }
        r.open = index.size();
        r.assigned = s.assignedCount;
        r.pending = s.pendingCount;
        r.resolvedRetained = conversations.resolvedRetained();
        r.slaAtRisk = index.openInSlaBand(SlaBand.AT_RISK);
        r.slaBreached = index.openInSlaBand(SlaBand.BREACHED);
        final long oldest = index.oldestWaitingSinceMs();
        r.oldestWaitMs = oldest == Long.MAX_VALUE ? 0 : Math.max(0, s.nowMs - oldest);
        for (int u = 0; u < Urgency.count(); u++)
        {
            final int oldestHandle = index.oldestWaitingHandle(u);
            final Conversation c = oldestHandle < 0 ? null : conversations.get(oldestHandle);
            r.oldestWaitByUrgencyMs[u] = c == null ? 0 : Math.max(0, s.nowMs - c.waitingSinceMs);
            r.oldestIdByUrgency[u] = c == null ? null : c.id;
        }
        r.agents = agents.count();
        r.parkedAgents = parked.count();
        long available = 0;
        for (int handle = 0; handle < agents.count(); handle++)
        {
            final Agent a = agents.get(handle);
            available += a.status == AgentStatus.AVAILABLE && a.held < a.capacity ? 1 : 0;
        }
        r.availableAgents = available;
        r.assignmentsTotal = s.assignmentsTotal;
        r.skillSets = skills.skillSetCount();
        r.policy = s.policy;
        long lastMinute = 0;
        for (int slot = 0; slot < SECONDS; slot++)
        {
            lastMinute += secondOfSlot[slot] > s.nowMs / 1000 - SECONDS ? assignedInSecond[slot] : 0;
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

    /** The snapshot's statistics record. */
    void write(final DataOutputStream out) throws IOException
    {
        waits.write(out);
        for (int slot = 0; slot < SECONDS; slot++)
        {
            out.writeLong(secondOfSlot[slot]);
            out.writeLong(assignedInSecond[slot]);
        }
        history.write(out);
    }

    void read(final DataInputStream in, final int version) throws IOException
    {
        waits.read(in);
        for (int slot = 0; slot < SECONDS; slot++)
        {
            secondOfSlot[slot] = in.readLong();
            assignedInSecond[slot] = in.readLong();
        }
        if (version >= 4)
        {
            history.read(in);
        }
    }
}
