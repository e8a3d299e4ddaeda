package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outage the README's spike profile makes, on a deterministic clock: 20,000 HIGH members of one incident at once,
 * CRITICAL and URGENT customers arriving throughout, 16 agents taking 30 s a conversation. Under the rule before leads
 * every member took the incident's reach (HIGH 300 + 14 doublings x 60 = 1,140 points, above a fresh CRITICAL's 1,060):
 * the most urgent customers waited behind the whole outage. With leads, the outage holds two agents with its reach and
 * the rest of its members keep their own impact, so every CRITICAL and URGENT is taken by one of the next agents to
 * come free (agents take 20-42 s each, so one comes free every two seconds or so).
 */
class OutageTest
{
    private static final long SECOND = 1_000;
    private static final int AGENTS = 16;
    private static final long HANDLE_MS = 30 * SECOND;

    @Test
    void shouldServeCriticalAndUrgentCustomersWithinAnAgentsTurnDuringAnOutage()
    {
        final Run run = run(Policy.defaults());
        System.out.println("OutageTest, leads and bounds: " + run);
        assertEquals(0, run.neverAssigned, "every CRITICAL and URGENT customer was assigned: " + run);
        assertEquals(0, run.membersWhileUrgentWaited, "no outage member without a lead slot went before a waiting CRITICAL or " +
            "URGENT customer: the first free agent took them: " + run);
        assertTrue(run.maxUrgentWaitMs <= 10 * SECOND, "longest CRITICAL/URGENT wait once agents were working " +
            run.maxUrgentWaitMs + " ms: " + run);
        assertTrue(run.maxLeadsHeld <= 2, "the outage held at most its two lead slots with its reach: " + run);
        assertTrue(run.outageAssigned > 0, "the outage is still worked: " + run);
    }

    @Test
    void shouldHaveBuriedThemUnderTheRuleBeforeLeads()
    {
        // The rule this change replaces, kept so the test shows what it fixes (and journals written under it replay).
        final Run run = run(Policy.defaults(Policy.DEFAULTS_BEFORE_LEADS));
        System.out.println("OutageTest, before leads: " + run);
        assertTrue(run.neverAssigned > 0 && run.maxUrgentWaitMs > 60 * SECOND, "before leads they were buried: " + run);
    }

    @Test
    void shouldEscalateAnUrgentCustomerPastItsBoundAboveAnOutagesLeads()
    {
        final BookFixture f = new BookFixture();
        f.agent("ann", 1);
        for (int i = 0; i < 2_000; i++)
        {
            f.apply(member("m" + i));
        }
        f.open("urgent-1", Urgency.URGENT, 1);
        // Both leads (HIGH 300 + 10 doublings x 60 = 900 points) outrank the URGENT (600 + 60) until its bound passes.
        assertEquals("m0", f.apply(Command.top(1, null)).topIds[0]);
        f.advance(15 * 60 * SECOND).tick();
        final Reply r = f.next("ann");
        assertEquals("urgent-1", r.conversationId, "past its 15-minute bound it escalates above everything not past its own");
        assertEquals(Policy.defaults().waitBoundPoints(), r.boundUnits / Policy.UNITS_PER_POINT, "its own part of the breakdown");
    }

    private static Command member(final String id)
    {
        final Command c = Command.open(id, Urgency.HIGH, 1);
        c.incidentKey = "INC-42";
        return c;
    }

    /** 20,000 outage members at once, then for ten minutes a CRITICAL every 10 s and an URGENT every 5 s. */
    private static Run run(final Policy policy)
    {
        final BookFixture f = new BookFixture().checkEvery(997);
        f.apply(Command.setPolicy(policy));
        final long[] busyUntil = new long[AGENTS];
        final String[] holding = new String[AGENTS];
        for (int a = 0; a < AGENTS; a++)
        {
            f.agent("agent-" + a, 1);
        }
        for (int i = 0; i < 20_000; i++)
        {
            f.apply(member("m" + i));
        }
        final Map<String, Long> openedAt = new HashMap<>();
        final List<Long> waits = new ArrayList<>();
        final Run run = new Run();
        // Ten minutes of arrivals, then one more for the agents to finish what arrived last.
        for (int second = 0; second < 660; second++)
        {
            if (second < 600 && second % 10 == 0)
            {
                open(f, "crit-" + second, Urgency.CRITICAL, openedAt);
            }
            if (second < 600 && second % 5 == 2)
            {
                open(f, "urg-" + second, Urgency.URGENT, openedAt);
            }
            for (int a = 0; a < AGENTS; a++)
            {
                if (holding[a] != null && f.now() >= busyUntil[a])
                {
                    assertEquals(ResultCode.OK, f.apply(Command.byAgent(dev.triage.engine.command.CommandType.RESOLVE, "agent-" + a,
                        holding[a])).result);
                    holding[a] = null;
                }
                if (holding[a] == null)
                {
                    final Reply r = f.next("agent-" + a);
                    if (r.result == ResultCode.OK)
                    {
                        assertEquals(ResultCode.OK, f.apply(Command.byAgent(dev.triage.engine.command.CommandType.ACK, "agent-" + a,
                            r.conversationId)).result);
                        holding[a] = r.conversationId;
                        // 20-42 s a conversation, different per agent, so agents come free one at a time.
                        busyUntil[a] = f.now() + HANDLE_MS - 10 * SECOND + a * 1_500L;
                        final Long opened = openedAt.remove(r.conversationId);
                        if (opened != null)
                        {
                            // From the first minute on: at the start every agent took the outage before anyone else came.
                            if (opened >= BookFixture.T0 + 60 * SECOND)
                            {
                                waits.add(f.now() - opened);
                            }
                        }
                        else
                        {
                            run.outageAssigned++;
                            if (!openedAt.isEmpty() && !f.book.conversation(r.conversationId).isLead())
                            {
                                run.membersWhileUrgentWaited++;
                            }
                        }
                    }
                }
            }
            run.maxLeadsHeld = Math.max(run.maxLeadsHeld, leadsHeld(f, holding));
            f.advance(SECOND).tick();
        }
        run.neverAssigned = openedAt.size();
        run.maxUrgentWaitMs = waits.stream().mapToLong(Long::longValue).max().orElse(0);
        if (run.neverAssigned > 0)
        {
            run.maxUrgentWaitMs = Math.max(run.maxUrgentWaitMs, f.now() - openedAt.values().stream().mapToLong(Long::longValue).min()
                .orElse(f.now()));
        }
        return run;
    }

    private static void open(final BookFixture f, final String id, final Urgency urgency, final Map<String, Long> openedAt)
    {
        f.open(id, urgency, 1);
        openedAt.put(id, f.now());
    }

    /** Outage members agents hold that scored with the incident's reach (its leads). */
    private static int leadsHeld(final BookFixture f, final String[] holding)
    {
        int leads = 0;
        for (final String id : holding)
        {
            if (id != null && id.startsWith("m") && f.book.conversation(id).isLead())
            {
                leads++;
            }
        }
        return leads;
    }

    /** What one run saw. */
    private static final class Run
    {
        long maxUrgentWaitMs;
        int neverAssigned;
        int maxLeadsHeld;
        int outageAssigned;
        int membersWhileUrgentWaited;

        @Override
        public String toString()
        {
            return "longest CRITICAL/URGENT wait " + maxUrgentWaitMs + " ms, " + neverAssigned + " never assigned, " +
                "at most " + maxLeadsHeld + " leads held at once, " + outageAssigned + " outage members assigned (" +
                membersWhileUrgentWaited + " without a lead slot while a CRITICAL or URGENT customer waited)";
        }
    }
}
