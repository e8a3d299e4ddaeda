package dev.triage.engine.book;

import dev.triage.engine.command.BookView;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Limits;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.triage.engine.book.BookState.invalid;

/**
 * VIEW, the console's read (the router fills the reply's STATS first): the best queued conversations (for everyone, as one agent would see them, or those needing
 * one skill) with their score in parts, the agents and what they hold, the incidents (with their leads and oldest waiting
 * member), and the queue's history; all in one command, so one consistent view. Costs O(n log n + agents + incident
 * members) on the processor and allocates;
 * the server shares one view among its consoles.
 */
final class BookViewer
{
    private static final Comparator<BookView.AgentRow> BUSIEST_FIRST =
        Comparator.comparingInt(BookView.AgentRow::held).reversed().thenComparing(BookView.AgentRow::id);
    private static final Comparator<Incident> WIDEST_FIRST =
        Comparator.comparingLong((Incident i) -> i.reach).reversed().thenComparing(i -> i.key);

    private static final String[] SLA_BANDS = { "none", "at_risk", "breached" };
    /**
     * Members of incidents already listed that a view passes over before it stops short: bounds a view's scan to
     * O((rows + 1,024) log n) in an outage of any size. Measured here with a 20,000-member outage on top: a view
     * takes 0.6-0.8 ms (0.3 ms of it walking the outage's members for its oldest), at most once a second.
     */
    static final int PASSED_OVER_LIMIT = 1_024;

    private final BookState s;
    private final QueueHistory history;
    private final Reply parts = new Reply(null);

    BookViewer(final BookState state, final QueueHistory history)
    {
        this.s = state;
        this.history = history;
    }

    ResultCode onView(final Command cmd, final Reply r)
    {
        final BookView view = r.view;
        if (view == null || cmd.topN < 1 || cmd.topN > Limits.MAX_TOP || r.topIds == null || cmd.topN > r.topIds.length)
        {
            return invalid(r, "n must be in 1.." + Limits.MAX_TOP + " and fit the reply, which needs a view");
        }
        EligibleSets eligible = null;
        if (cmd.agentId != null)
        {
            final Agent a = s.agents.find(cmd.agentId);
            if (a == null)
            {
                return ResultCode.AGENT_NOT_FOUND;
            }
            r.agentId = a.id;
            eligible = a.eligible;
        }
        if (cmd.requiredSkills.length > 0)
        {
            eligible = s.skills.needing(cmd.requiredSkills[0]);
        }
        s.index.topOnePerIncident(eligible, cmd.topN, s.nowMs, s.policy.agePointsPerMinute(),
            PASSED_OVER_LIMIT, r);
        view.queuePassedOver = r.affectedCount;
        view.queueStoppedShort = r.affectedCount == PASSED_OVER_LIMIT;
        queue(view, r);
        agents(view);
        incidents(view);
        history.fill(view, s.nowMs);
        return ResultCode.OK;
    }

    private void queue(final BookView view, final Reply r)
    {
        for (int i = 0; i < r.topCount; i++)
        {
            final Conversation c = s.conversations.find(r.topIds[i]);
            Scorer.breakdown(s.policy, c, s.nowMs, parts);
            view.queue.add(new BookView.Queued(c.id, c.urgency(), c.impact, c.incidentKey,
                c.incident == null ? 0 : c.incident.reach, r.topWaitedMs[i], SLA_BANDS[c.slaBand], c.respondByMs,
                s.skills.namesOf(c.effectiveSet()), r.topScoreUnits[i],
                parts.urgencyUnits, parts.impactUnits, parts.ageUnits, parts.slaUnits, parts.boundUnits, c.lead));
        }
    }

    private void agents(final BookView view)
    {
        final List<BookView.AgentRow> rows = new ArrayList<>(s.agents.count());
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            final Agent a = s.agents.get(handle);
            final List<BookView.Held> holding = new ArrayList<>(Math.min(a.held, BookView.MAX_HELD_SHOWN));
            for (Conversation c = a.heldHead; c != null && holding.size() < BookView.MAX_HELD_SHOWN; c = c.next)
            {
                holding.add(new BookView.Held(c.id, c.assignedAtMs, c.acked, c.acked ? 0 : c.leaseDeadlineMs));
            }
            rows.add(new BookView.AgentRow(a.id, a.status, a.held, a.capacity, a.isParked(), a.assignments,
                s.skills.namesOf(a.skillSet), holding));
        }
        rows.sort(BUSIEST_FIRST);
        view.agentTotal = rows.size();
        view.agents.addAll(rows.subList(0, Math.min(rows.size(), BookView.MAX_AGENTS)));
    }

    private void incidents(final BookView view)
    {
        final List<Incident> live = new ArrayList<>();
        s.conversations.forEachIncident(incident ->
        {
            if (incident.members > 0)
            {
                live.add(incident);
            }
        });
        live.sort(WIDEST_FIRST);
        view.incidentTotal = live.size();
        // Only the rows shown look for their oldest member (a walk of the incident's members).
        for (final Incident incident : live.subList(0, Math.min(live.size(), BookView.MAX_INCIDENTS)))
        {
            final Conversation oldest = incident.oldestWaiting();
            view.incidents.add(new BookView.IncidentRow(incident.key, incident.reach, incident.members,
                incident.membersIn(ConversationState.OPEN), incident.membersIn(ConversationState.ASSIGNED),
                incident.membersIn(ConversationState.PENDING), List.of(incident.leadIds()),
                oldest == null ? null : oldest.id, oldest == null ? 0 : s.nowMs - oldest.waitingSinceMs,
                incident.firstReportMs));
        }
    }
}
