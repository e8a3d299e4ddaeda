package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.SlaBand;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.triage.engine.ground.Urgency.CRITICAL;
import static dev.triage.engine.ground.Urgency.HIGH;
import static dev.triage.engine.ground.Urgency.LOW;
import static dev.triage.engine.ground.Urgency.NORMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriageBookTest
{
    private static final long MINUTE = 60_000;
    private final BookFixture f = new BookFixture();

    @Test
    void shouldServeHigherUrgencyFirstThenOldestFirst()
    {
        f.agent("ann", 10);
        f.open("n1", NORMAL, 1);
        f.advance(MINUTE);
        f.open("n2", NORMAL, 1);
        f.open("c1", CRITICAL, 1);
        assertEquals("c1", f.next("ann").conversationId);
        assertEquals("n1", f.next("ann").conversationId);
        assertEquals("n2", f.next("ann").conversationId);
        assertEquals(ResultCode.NO_CONVERSATION, f.next("ann").result);
    }

    @Test
    void shouldLetAgeOvertakeUrgencyAtTheConfiguredRate()
    {
        f.agent("ann", 10);
        f.open("old-normal", NORMAL, 1);
        // NORMAL is 100 points, HIGH 300, age 2 points a minute: 100 minutes close the 200-point gap.
        f.advance(101 * MINUTE);
        f.open("new-high", HIGH, 1);
        final Reply first = f.next("ann");
        assertEquals("old-normal", first.conversationId);
        // Impact 1 is one log2 bucket: 60 points for both.
        assertEquals(100 + 60 + 202, first.scorePoints(), 1e-9);
        assertEquals("new-high", first.runnerUpId);
        assertEquals(300 + 60, first.runnerUpScorePoints(), 1e-9);
        assertEquals(2, first.candidates);
    }

    @Test
    void shouldBreakEqualScoresByOpenOrder()
    {
        f.agent("ann", 10);
        f.open("a", NORMAL, 1);
        f.open("b", NORMAL, 1);
        assertEquals("a", f.next("ann").conversationId);
    }

    @Test
    void shouldRankWidespreadProblemsAboveSingleCustomerOnes()
    {
        f.agent("ann", 10);
        f.open("one", HIGH, 1);
        f.open("many", HIGH, 31);
        final Reply r = f.next("ann");
        assertEquals("many", r.conversationId);
        assertEquals(300 + 60 * 5 + 0, r.scorePoints(), 1e-9);
    }

    @Test
    void shouldServeCommonLowUrgencyProblemsNewestFirst()
    {
        f.agent("ann", 10);
        f.open("common-old", LOW, 200);
        f.advance(30 * MINUTE);
        f.open("common-new", LOW, 200);
        f.open("rare-old", LOW, 1);
        final Reply r = f.next("ann");
        assertEquals("common-new", r.conversationId);
        assertEquals(0, r.ageUnits);
        assertEquals("common-old", f.next("ann").conversationId);
    }

    @Test
    void shouldOnlyAssignToAgentsHoldingEveryRequiredSkill()
    {
        f.agent("en", 10, "en");
        f.agent("en-billing", 10, "en", "billing");
        f.open("b", CRITICAL, 1, "en", "billing");
        f.open("e", LOW, 1, "en");
        assertEquals("e", f.next("en").conversationId);
        assertEquals(ResultCode.NO_CONVERSATION, f.next("en").result);
        assertEquals("b", f.next("en-billing").conversationId);
    }

    @Test
    void shouldRelaxPreferredSkillsAfterTheConfiguredWait()
    {
        f.agent("en", 10, "en");
        final Command open = Command.open("c", HIGH, 1, "en");
        open.preferredSkills = new String[]{ "vip" };
        f.apply(open);
        assertEquals(ResultCode.NO_CONVERSATION, f.next("en").result);
        f.advance(5 * MINUTE).tick();
        assertTrue(f.book.conversation("c").relaxed());
        assertEquals("c", f.next("en").conversationId);
    }

    @Test
    void shouldRefuseWorkBeyondCapacity()
    {
        f.agent("ann", 1);
        f.open("a", NORMAL, 1);
        f.open("b", NORMAL, 1);
        assertEquals(ResultCode.OK, f.next("ann").result);
        assertEquals(ResultCode.AGENT_AT_CAPACITY, f.next("ann").result);
        f.on(CommandType.RESOLVE, "a");
        assertEquals("b", f.next("ann").conversationId);
    }

    @Test
    void shouldReturnUnacknowledgedAssignmentWhenLeaseExpires()
    {
        f.agent("ann", 5);
        f.agent("bob", 5);
        f.open("a", NORMAL, 1);
        f.open("b", NORMAL, 1);
        assertEquals("a", f.next("ann").conversationId);
        assertEquals("b", f.next("bob").conversationId);
        assertEquals(ResultCode.OK, f.byAgent(CommandType.ACK, "bob", "b").result);
        f.advance(29_999).tick();
        assertEquals(ConversationState.ASSIGNED, f.book.conversation("a").state());
        f.advance(1).tick();
        assertEquals(ConversationState.OPEN, f.book.conversation("a").state());
        assertEquals(ConversationState.ASSIGNED, f.book.conversation("b").state());
        assertEquals(1, f.book.leaseExpiries());
        assertEquals("a", f.next("bob").conversationId);
    }

    @Test
    void shouldMoveConversationsUpAsTheirSlaNearsAndBreaches()
    {
        // The SLA alone: the URGENT's own 15-minute wait bound would otherwise lift it at 20 minutes.
        f.apply(Command.setPolicy(Policy.builder().maxWaitMs(Urgency.URGENT, 0).build()));
        f.agent("ann", 10);
        f.open("urgent", Urgency.URGENT, 1);
        final Command sla = Command.open("sla", NORMAL, 1);
        sla.respondByMs = f.now() + 20 * MINUTE;
        f.apply(sla);
        assertEquals("urgent", top1());
        f.advance(5 * MINUTE).tick();
        assertEquals(SlaBand.AT_RISK, f.book.conversation("sla").slaBand());
        // NORMAL 100 + at risk 400 + 10 age < URGENT 600 + 10 age.
        assertEquals("urgent", top1());
        f.advance(15 * MINUTE).tick();
        assertEquals(SlaBand.BREACHED, f.book.conversation("sla").slaBand());
        assertEquals("sla", top1());
        final Reply r = f.next("ann");
        assertEquals(800, r.slaUnits / Policy.UNITS_PER_POINT);
    }

    @Test
    void shouldRaiseIncidentMembersAsTheIncidentGrows()
    {
        f.agent("ann", 10);
        final Command first = Command.open("m1", NORMAL, 1);
        first.incidentKey = "outage";
        f.apply(first);
        f.open("solo", NORMAL, 3);
        assertEquals("solo", top1());
        for (int i = 2; i <= 8; i++)
        {
            final Command member = Command.open("m" + i, NORMAL, 1);
            member.incidentKey = "outage";
            f.apply(member);
        }
        assertEquals(8, f.book.incidentReach("outage"));
        assertEquals("m1", top1());
        final Reply r = f.next("ann");
        assertEquals(60 * 3, r.impactUnits / Policy.UNITS_PER_POINT);
    }

    @Test
    void shouldMoveIncidentMembersToNewestFirstWhenReachCrossesTheThresholdWithinABucket()
    {
        // Reach 1 -> 2 stays in log2 bucket 1 but crosses a newest-first threshold of 2 (found by the property test).
        f.apply(Command.setPolicy(Policy.builder().newestFirst(LOW, 2).build()));
        f.agent("ann", 5);
        final Command first = Command.open("old", LOW, 1);
        first.incidentKey = "outage";
        f.apply(first);
        f.advance(10 * MINUTE);
        final Command second = Command.open("new", LOW, 1);
        second.incidentKey = "outage";
        f.apply(second);
        assertEquals("new", f.next("ann").conversationId, "both members are now served newest-first");
    }

    @Test
    void shouldParkLongPollAndServeLongestIdleAgentFirst()
    {
        f.agent("ann", 5);
        f.agent("bob", 5);
        assertEquals(ResultCode.PARKED, f.nextWaiting("bob", 10_000).result);
        f.advance(1);
        assertEquals(ResultCode.PARKED, f.nextWaiting("ann", 10_000).result);
        f.open("a", NORMAL, 1);
        List<Reply> late = f.takeLate();
        assertEquals(1, late.size());
        assertEquals("bob", late.get(0).agentId);
        assertEquals("a", late.get(0).conversationId);
        assertEquals(ResultCode.OK, late.get(0).result);
        assertEquals(ConversationState.ASSIGNED, f.book.conversation("a").state());
        f.advance(10_000).tick();
        late = f.takeLate();
        assertEquals(1, late.size());
        assertEquals("ann", late.get(0).agentId);
        assertEquals(ResultCode.TIMED_OUT, late.get(0).result);
    }

    @Test
    void shouldKeepIdleRankWhenParkedRequestIsSuperseded()
    {
        f.agent("ann", 5);
        f.agent("bob", 5);
        f.nextWaiting("ann", 10_000);
        f.nextWaiting("bob", 10_000);
        f.nextWaiting("ann", 10_000);
        assertEquals(ResultCode.SUPERSEDED, f.takeLate().get(0).result);
        f.open("a", NORMAL, 1);
        assertEquals("ann", f.takeLate().get(0).agentId);
    }

    @Test
    void shouldReleaseUnacknowledgedWorkAndCancelWaitWhenAgentGoesOffline()
    {
        f.agent("ann", 5);
        f.agent("bob", 5);
        f.open("a", NORMAL, 1);
        f.open("b", NORMAL, 1);
        f.next("ann");
        f.next("ann");
        f.byAgent(CommandType.ACK, "ann", "b");
        f.nextWaiting("ann", 10_000);
        f.nextWaiting("bob", 10_000);
        assertEquals(ResultCode.OK, f.apply(Command.agentStatus("ann", AgentStatus.OFFLINE)).result);
        final List<Reply> late = f.takeLate();
        assertEquals(ResultCode.CANCELLED, late.get(0).result);
        assertEquals("ann", late.get(0).agentId);
        assertEquals("bob", late.get(1).agentId);
        assertEquals("a", late.get(1).conversationId);
        assertEquals("ann", f.book.conversation("b").agentId());
        assertEquals(ResultCode.AGENT_NOT_AVAILABLE, f.next("ann").result);
    }

    @Test
    void shouldFollowConversationLifecycle()
    {
        f.agent("ann", 5);
        f.open("a", NORMAL, 1);
        f.next("ann");
        assertEquals(ConversationState.PENDING, f.on(CommandType.AGENT_REPLIED, "a").conversationState);
        assertEquals(0, f.book.agent("ann").held());
        f.advance(MINUTE);
        assertEquals(ConversationState.OPEN, f.on(CommandType.CUSTOMER_REPLIED, "a").conversationState);
        assertEquals(f.now(), f.book.conversation("a").waitingSinceMs());
        assertEquals(ResultCode.OK, f.on(CommandType.RESOLVE, "a").result);
        assertEquals(ResultCode.OK, f.on(CommandType.RESOLVE, "a").result);
        assertEquals(ResultCode.INVALID_STATE, f.on(CommandType.AGENT_REPLIED, "a").result);
        assertEquals(ResultCode.OK, f.on(CommandType.REOPEN, "a").result);
        assertEquals(ResultCode.INVALID_STATE, f.on(CommandType.REOPEN, "a").result);
        assertEquals("a", f.next("ann").conversationId);
    }

    @Test
    void shouldTreatRepeatedOpenAsIdempotentOnlyWithSameContent()
    {
        assertEquals(ResultCode.OK, f.open("a", NORMAL, 1, "en").result);
        assertEquals(ResultCode.OK, f.open("a", NORMAL, 1, "en").result);
        assertEquals(ResultCode.ALREADY_EXISTS, f.open("a", HIGH, 1, "en").result);
        assertEquals(1, f.book.openCount());
    }

    @Test
    void shouldReleaseBackToTheQueueAndRejectActsOnOthersWork()
    {
        f.agent("ann", 5);
        f.agent("bob", 5);
        f.open("a", NORMAL, 1);
        f.next("ann");
        assertEquals(ResultCode.NOT_HELD_BY_AGENT, f.byAgent(CommandType.ACK, "bob", "a").result);
        assertEquals(ResultCode.NOT_HELD_BY_AGENT, f.byAgent(CommandType.RELEASE, "bob", "a").result);
        assertEquals(ResultCode.OK, f.byAgent(CommandType.RELEASE, "ann", "a").result);
        assertEquals("a", f.next("bob").conversationId);
    }

    @Test
    void shouldNameTheFieldOfInvalidInput()
    {
        final Reply badImpact = f.open("a", NORMAL, 0);
        assertEquals(ResultCode.INVALID_ARGUMENT, badImpact.result);
        assertEquals("impact must be >= 1", badImpact.detail);
        assertEquals(ResultCode.INVALID_ARGUMENT, f.open("", NORMAL, 1).result);
        assertEquals(ResultCode.INVALID_ARGUMENT, f.open("a", null, 1).result);
        assertEquals(ResultCode.INVALID_ARGUMENT, f.open("a", NORMAL, 1, "").result);
        assertEquals(ResultCode.INVALID_ARGUMENT, f.agent("ann", 0).result);
        assertEquals(ResultCode.CONVERSATION_NOT_FOUND, f.on(CommandType.RESOLVE, "nope").result);
        assertEquals(ResultCode.AGENT_NOT_FOUND, f.next("nobody").result);
        assertEquals(0, f.book.liveConversations());
    }

    @Test
    void shouldRefuseSkillsBeyondTheRegistryLimit()
    {
        final String[] skills = new String[SkillRegistry.MAX_SKILLS + 1];
        for (int i = 0; i < skills.length; i++)
        {
            skills[i] = "s" + i;
        }
        assertEquals(ResultCode.SKILL_LIMIT_REACHED, f.open("a", NORMAL, 1, skills).result);
        assertNull(f.book.conversation("a"));
    }

    @Test
    void shouldRouteByThousandsOfDistinctSkills()
    {
        // 64 languages x 40 products = 2,560 names with the tiers: far past one 64-bit mask.
        for (int language = 0; language < 64; language++)
        {
            for (int product = 0; product < 40; product++)
            {
                final String id = "c-" + language + "-" + product;
                assertEquals(ResultCode.OK, f.open(id, NORMAL, 1, "lang-" + language, "product-" + product,
                    "tier-" + (language * 40 + product)).result, id);
            }
        }
        f.agent("polyglot", 5, "lang-63", "product-39", "tier-2559", "lang-0", "product-0", "tier-0");
        final java.util.Set<String> taken = new java.util.HashSet<>();
        taken.add(f.next("polyglot").conversationId);
        taken.add(f.next("polyglot").conversationId);
        assertEquals(java.util.Set.of("c-63-39", "c-0-0"), taken);
        assertEquals(ResultCode.NO_CONVERSATION, f.next("polyglot").result, "no other conversation matches all its skills");
        assertNull(f.book.validateInternalState());
    }

    @Test
    void shouldKeepSkillSlotsForAgentsWhenConversationsBringTooManyNames()
    {
        final int conversationSlots = SkillRegistry.MAX_SKILLS - SkillRegistry.AGENT_RESERVE;
        for (int i = 0; i < conversationSlots; i++)
        {
            assertEquals(ResultCode.OK, f.open("junk-" + i, NORMAL, 1, "junk-skill-" + i).result);
        }
        assertEquals(ResultCode.SKILL_LIMIT_REACHED, f.open("one-more", NORMAL, 1, "junk-skill-x").result);
        assertEquals(ResultCode.OK, f.agent("ann", 1, "french").result, "an admin may still give an agent a new skill");
        assertEquals(ResultCode.OK, f.open("french-1", NORMAL, 1, "french").result, "a skill an agent holds is no new name");
    }

    @Test
    void shouldReclaimSkillNamesThatNoKeptConversationOrAgentHolds() throws Exception
    {
        final BookFixture small = new BookFixture(1, 100);
        final int conversationSlots = SkillRegistry.MAX_SKILLS - SkillRegistry.AGENT_RESERVE;
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < conversationSlots; i++)
            {
                final String id = "junk-" + round + "-" + i;
                assertEquals(ResultCode.OK, small.open(id, NORMAL, 1, "skill-" + round + "-" + i).result, id);
                assertEquals(ResultCode.OK, small.on(CommandType.RESOLVE, id).result);
            }
        }
        assertEquals(ResultCode.OK, small.open("wanted", NORMAL, 1, "german").result);
        small.agent("ann", 1, "german");
        final Reply stats = small.apply(Command.of(CommandType.STATS));
        boolean named = false;
        for (int i = 0; i < stats.skillSetCount; i++)
        {
            named |= stats.skillSetNames[i].equals("german") && stats.skillSetOpen[i] == 1;
        }
        assertTrue(named, "a reclaimed slot is shown under its new name");
        assertEquals("wanted", small.next("ann").conversationId);
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        BookSnapshot.write(small.book, new java.io.DataOutputStream(bytes));
        final BookFixture restored = new BookFixture(1, 100);
        BookSnapshot.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), restored.book);
        assertEquals(small.book.stateHash(), restored.book.stateHash());
        assertNull(restored.book.validateInternalState(), "skill counts rebuilt from the snapshot");
    }

    /**
     * A queue in one class whose heap is in score order (each opened a second after the last): listing k of them
     * leaves 3k + 1 candidates in the scan. Found by reading: the scan was sized for 2k, so TOP 700 threw on the
     * processor thread and halted the engine.
     */
    @Test
    void shouldListTheLongestTopOfAQueueWhoseHeapIsInScoreOrder()
    {
        for (int i = 0; i < 5_000; i++)
        {
            f.open("c" + i, NORMAL, 1);
            f.advance(1_000);
        }
        for (final int n : new int[] { 700, dev.triage.engine.ground.Limits.MAX_TOP })
        {
            final Reply top = f.apply(Command.top(n, null));
            assertEquals(ResultCode.OK, top.result, top.toString());
            assertEquals(n, top.topCount);
            assertEquals("c0", top.topIds[0]);
            assertEquals("c" + (n - 1), top.topIds[n - 1], "oldest first, none skipped");
        }
    }

    @Test
    void shouldListTopAsAnAgentWouldSeeIt()
    {
        f.agent("en", 5, "en");
        f.open("de", CRITICAL, 1, "de");
        f.open("en-low", LOW, 1, "en");
        f.open("en-high", HIGH, 1, "en");
        f.open("any", NORMAL, 1);
        final Reply all = f.apply(Command.top(10, null));
        assertEquals(4, all.topCount);
        assertEquals(List.of("de", "en-high", "any", "en-low"), Arrays.asList(all.topIds).subList(0, 4));
        final Reply en = f.apply(Command.top(2, "en"));
        assertEquals(2, en.topCount);
        assertEquals("en-high", en.topIds[0]);
        assertEquals("any", en.topIds[1]);
        assertEquals(4, f.book.openCount());
    }

    @Test
    void shouldCountStats()
    {
        f.agent("ann", 5);
        f.open("a", NORMAL, 1);
        f.open("b", HIGH, 1);
        f.open("c", HIGH, 1);
        f.next("ann");
        f.on(CommandType.AGENT_REPLIED, "c");
        final Reply stats = f.apply(Command.of(CommandType.STATS));
        assertEquals(1, stats.open);
        assertEquals(1, stats.assigned);
        assertEquals(1, stats.pending);
        assertEquals(1, stats.openByUrgency[NORMAL.ordinal()]);
        assertEquals(1, stats.assignmentsTotal);
    }

    @Test
    void shouldReorderQueueWhenPolicyChanges()
    {
        f.agent("ann", 5);
        f.open("old-low", LOW, 1);
        f.advance(30 * MINUTE);
        f.open("new-normal", NORMAL, 1);
        assertEquals("new-normal", top1());
        final Reply r = f.apply(Command.setPolicy(Policy.builder().agePointsPerMinute(10).build()));
        assertEquals(2, r.policyVersion);
        assertEquals("old-low", top1());
    }

    @Test
    void shouldHashEveryPolicySetting()
    {
        final BookFixture other = new BookFixture();
        f.apply(Command.setPolicy(Policy.builder().leaseMs(60_000).build()));
        other.apply(Command.setPolicy(Policy.builder().leaseMs(90_000).build()));
        assertTrue(f.book.stateHash() != other.book.stateHash(), "books under different leases hash alike");
    }

    @Test
    void shouldFireAtMostTheTimerLimitPerTick()
    {
        final BookFixture limited = new BookFixture(10, 2);
        limited.agent("ann", 10);
        for (int i = 0; i < 5; i++)
        {
            limited.open("c" + i, NORMAL, 1);
            limited.next("ann");
        }
        limited.advance(60_000).tick();
        assertTrue(limited.book.timersBacklog());
        assertEquals(2, limited.book.leaseExpiries());
        limited.tick();
        limited.tick();
        assertFalse(limited.book.timersBacklog());
        assertEquals(5, limited.book.leaseExpiries());
    }

    @Test
    void shouldForgetOldestResolvedBeyondRetention()
    {
        final BookFixture small = new BookFixture(1, 10);
        small.open("a", NORMAL, 1);
        small.open("b", NORMAL, 1);
        small.on(CommandType.RESOLVE, "a");
        small.on(CommandType.RESOLVE, "b");
        assertEquals(ResultCode.CONVERSATION_NOT_FOUND, small.on(CommandType.REOPEN, "a").result);
        assertEquals(ResultCode.OK, small.on(CommandType.REOPEN, "b").result);
        assertEquals(ResultCode.OK, small.open("a", HIGH, 1).result);
    }

    private String top1()
    {
        final Reply top = f.apply(Command.top(1, null));
        return top.topCount == 0 ? null : top.topIds[0];
    }
}
