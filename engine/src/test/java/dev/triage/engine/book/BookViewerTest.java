package dev.triage.engine.book;

import dev.triage.engine.command.BookView;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static dev.triage.engine.ground.Urgency.CRITICAL;
import static dev.triage.engine.ground.Urgency.HIGH;
import static dev.triage.engine.ground.Urgency.LOW;
import static dev.triage.engine.ground.Urgency.NORMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BookViewerTest
{
    private static final long MINUTE = 60_000;
    private final BookFixture f = new BookFixture();

    private BookView view(final int n, final String agent, final String skill)
    {
        final Reply r = f.apply(Command.view(n, agent, skill));
        assertEquals(ResultCode.OK, r.result, String.valueOf(r.detail));
        return r.view;
    }

    @Test
    void shouldListTheQueueBestFirstWithTheScoreInPartsThatAddUp()
    {
        f.open("n1", NORMAL, 1);
        f.advance(10 * MINUTE);
        f.open("c1", CRITICAL, 3);
        final Reply top = f.apply(Command.top(2, null));
        final BookView view = view(2, null, null);
        assertEquals(List.of("c1", "n1"), view.queue.stream().map(BookView.Queued::id).toList());
        for (int i = 0; i < 2; i++)
        {
            final BookView.Queued q = view.queue.get(i);
            assertEquals(top.topScoreUnits[i], q.scoreUnits(), "the same score as TOP");
            assertEquals(q.scoreUnits(), q.urgencyUnits() + q.impactUnits() + q.ageUnits() + q.slaUnits(), "parts add up");
        }
        assertEquals(10 * MINUTE, view.queue.get(1).waitedMs());
        assertEquals(CRITICAL, view.queue.get(0).urgency());
        assertEquals(3, view.queue.get(0).impact());
        assertEquals("none", view.queue.get(0).sla());
    }

    @Test
    void shouldFilterBySkillAndShowWhatAnAgentWouldGet()
    {
        f.agent("de-agent", 2, "de");
        f.open("billing-en", HIGH, 1, "billing", "en");
        f.open("billing-de", NORMAL, 1, "billing", "de");
        f.open("anyone", LOW, 1);
        assertEquals(List.of("billing-en", "billing-de"), ids(view(10, null, "billing")));
        assertEquals(List.of("billing-de"), ids(view(10, null, "de")));
        assertEquals(List.of(), ids(view(10, null, "never-used")), "an unknown skill matches nothing");
        assertEquals(List.of("anyone"), ids(view(10, "de-agent", null)), "billing-de needs billing too");
        assertEquals(ResultCode.AGENT_NOT_FOUND, f.apply(Command.view(10, "nobody", null)).result);
        assertEquals(ResultCode.INVALID_ARGUMENT, f.apply(Command.view(0, null, null)).result);
    }

    @Test
    void shouldShowAgentsBusiestFirstWithWhatTheyHoldSinceWhen()
    {
        f.agent("ann", 3);
        f.agent("bob", 3);
        f.agent("cy", 1);
        f.open("a", HIGH, 1);
        f.open("b", NORMAL, 1);
        final long firstAt = f.now();
        f.next("ann");
        f.advance(MINUTE);
        f.next("ann");
        f.byAgent(CommandType.ACK, "ann", "a");
        f.apply(Command.agentStatus("cy", AgentStatus.AWAY));
        f.nextWaiting("bob", MINUTE);
        final BookView view = view(5, null, null);
        assertEquals(3, view.agentTotal);
        final BookView.AgentRow ann = view.agents.get(0);
        assertEquals("ann", ann.id());
        assertEquals(2, ann.held());
        assertEquals(3, ann.capacity());
        assertEquals(List.of(new BookView.Held("a", firstAt, true, 0),
            new BookView.Held("b", firstAt + MINUTE, false, f.book.conversation("b").leaseDeadlineMs())), ann.holding());
        final BookView.AgentRow bob = view.agents.get(1);
        assertTrue(bob.waiting(), "bob long-polls");
        assertEquals(AgentStatus.AWAY, view.agents.get(2).status());
        assertFalse(view.agents.get(2).waiting());
    }

    @Test
    void shouldShowIncidentsWidestFirstWithMembersTheirLeadsAndTheOldestWaiting()
    {
        f.agent("ann", 5);
        final long firstReport = f.now();
        f.apply(incidentOpen("o1", "outage", 100));
        f.advance(MINUTE);
        f.apply(incidentOpen("o2", "outage", 50));
        f.apply(incidentOpen("o3", "outage", 10));
        f.apply(incidentOpen("s1", "small", 5));
        f.next("ann");
        final BookView view = view(10, null, null);
        assertEquals(2, view.incidentTotal);
        // Two lead slots: o1 (the oldest, now with ann) and o2; o3 waits with its own impact, as long as o2 but opened later.
        assertEquals(new BookView.IncidentRow("outage", 160, 3, 2, 1, 0, List.of("o1", "o2"), "o2", 0, firstReport),
            view.incidents.get(0));
        assertEquals("small", view.incidents.get(1).key());
        // The queue lists each incident once, at its best queued member: o2, not o3.
        final BookView.Queued o2 = view.queue.stream().filter(q -> q.id().equals("o2")).findFirst().orElseThrow();
        assertEquals(160, o2.incidentReach());
        assertTrue(o2.lead());
        assertEquals(List.of("o2", "s1"), view.queue.stream().map(BookView.Queued::id).toList());
        assertEquals(1, view.queuePassedOver);
        assertFalse(view.queueStoppedShort);
        assertEquals(List.of("o2", "o3", "s1"), Arrays.asList(f.apply(Command.top(10, null)).topIds).subList(0, 3),
            "TOP still lists every member");
    }

    @Test
    void shouldStopAViewShortRatherThanScanAWholeOutage()
    {
        for (int i = 0; i < BookViewer.PASSED_OVER_LIMIT + 10; i++)
        {
            f.apply(incidentOpen("m" + i, "outage", 1));
        }
        f.open("later", NORMAL, 1);
        final BookView view = view(10, null, null);
        assertEquals(List.of("m0"), view.queue.stream().map(BookView.Queued::id).toList(), "the outage once, then the bound");
        assertEquals(BookViewer.PASSED_OVER_LIMIT, view.queuePassedOver);
        assertTrue(view.queueStoppedShort);
        // Once the outage is resolved the rest of the queue is back in the view.
        assertEquals(ResultCode.OK, f.apply(Command.incident(CommandType.INCIDENT_RESOLVE, "outage", null, null)).result);
        assertEquals(List.of("later"), view(10, null, null).queue.stream().map(BookView.Queued::id).toList());
    }

    @Test
    void shouldRecordTheQueueInTenSecondBucketsOfEngineTime()
    {
        f.open("a", HIGH, 1);
        f.advance(QueueHistory.BUCKET_MS);
        f.open("b", HIGH, 1);
        f.agent("ann", 5);
        f.next("ann");
        f.advance(3 * QueueHistory.BUCKET_MS);
        f.open("c", LOW, 1);
        final BookView view = view(1, null, null);
        // Buckets at the first command (empty before it), +10 s (a open), +20 s and +30 s (carried: no command in
        // them), +40 s (opened by c, so the state before c), then the state now.
        final List<BookView.Point> h = view.history;
        assertEquals(6, h.size());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), h.subList(0, 5).stream().map(p -> (p.atMs() - h.get(0).atMs()) / QueueHistory.BUCKET_MS).toList());
        assertEquals(0, h.get(0).openByUrgency()[Urgency.HIGH.ordinal()]);
        assertEquals(1, h.get(1).openByUrgency()[Urgency.HIGH.ordinal()]);
        assertEquals(QueueHistory.BUCKET_MS, h.get(1).oldestWaitByUrgencyMs()[Urgency.HIGH.ordinal()]);
        assertEquals(1, h.get(1).assignments(), "ann's claim counts in the bucket it was made in");
        assertEquals(1, h.get(2).openByUrgency()[Urgency.HIGH.ordinal()], "a (older) was claimed, b waits");
        assertEquals(h.get(2).openByUrgency()[Urgency.HIGH.ordinal()], h.get(3).openByUrgency()[Urgency.HIGH.ordinal()]);
        assertEquals(0, h.get(4).openByUrgency()[Urgency.LOW.ordinal()]);
        final BookView.Point now = h.get(5);
        assertEquals(f.now(), now.atMs());
        assertEquals(1, now.openByUrgency()[Urgency.LOW.ordinal()], "the last point is the state now");
        assertEquals(3 * QueueHistory.BUCKET_MS, now.oldestWaitByUrgencyMs()[Urgency.HIGH.ordinal()], "b, opened at +10 s");
    }

    @Test
    void shouldKeepAssignmentTimesAndFirstReportsAcrossASnapshot() throws IOException
    {
        f.agent("ann", 5);
        f.apply(incidentOpen("o1", "outage", 100));
        f.advance(MINUTE);
        f.next("ann");
        f.advance(MINUTE);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BookSnapshot.write(f.book, new DataOutputStream(bytes));
        final BookFixture restored = new BookFixture();
        BookSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), restored.book);
        restored.syncClockAndSequence(f);
        final BookView before = view(5, null, null);
        final Reply after = restored.apply(Command.view(5, null, null));
        assertEquals(before.agents, after.view.agents);
        assertEquals(before.incidents, after.view.incidents);
        assertEquals(before.queue, after.view.queue);
        assertEquals(points(before.history), points(after.view.history), "the 15-minute history too (format 4)");
        assertTrue(before.history.size() > 2, "the scenario spans buckets: " + before.history.size());
    }

    private static Command incidentOpen(final String id, final String incident, final int impact)
    {
        final Command open = Command.open(id, NORMAL, impact);
        open.incidentKey = incident;
        return open;
    }

    private static List<String> points(final List<BookView.Point> history)
    {
        return history.stream().map(p -> p.atMs() + " " + java.util.Arrays.toString(p.openByUrgency()) + " " +
            java.util.Arrays.toString(p.oldestWaitByUrgencyMs()) + " " + p.slaAtRisk() + " " + p.slaBreached() + " " +
            p.assignments()).toList();
    }

    private static List<String> ids(final BookView view)
    {
        return view.queue.stream().map(BookView.Queued::id).toList();
    }
}
