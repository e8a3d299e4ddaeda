package dev.triage.engine.book;

import dev.triage.engine.command.Reply;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.SlaBand;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The score's three forms agree: the breakdown an assignment reports, the key the index stores plus the drift it
 * adds at a time, and the ordering a class relies on (key order is score order at every time). Random policies,
 * conversations and times, seeded.
 */
class ScorerTest
{
    private static final long SEED = 0x5C07E;
    private static final long T0 = 1_767_225_600_000L;

    @Test
    void shouldGiveTheSameScoreFromTheKeyAndDriftAsFromTheBreakdown()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final SkillRegistry skills = new SkillRegistry();
        for (int i = 0; i < 10_000; i++)
        {
            final Policy policy = policy(random);
            final Conversation c = conversation(random, i);
            final long now = c.waitingSinceMs + random.nextLong(0, 86_400_000L);
            final Reply r = new Reply(x -> { });
            Scorer.breakdown(policy, c, now, r);
            final long viaKey = Scorer.scoreAt(Scorer.keyOf(policy, c), Scorer.classOf(skills, policy, c),
                Scorer.drift(policy.agePointsPerMinute(), now));
            assertEquals(r.scoreUnits, viaKey, "seed " + SEED + " case " + i + ": " + policy);
            assertEquals(r.scoreUnits, r.urgencyUnits + r.impactUnits + r.slaUnits + r.ageUnits);
        }
    }

    @Test
    void shouldKeepKeyOrderAsScoreOrderWithinAClassAtEveryTime()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final SkillRegistry skills = new SkillRegistry();
        for (int i = 0; i < 10_000; i++)
        {
            final Policy policy = policy(random);
            final Conversation a = conversation(random, 2 * i);
            final Conversation b = conversation(random, 2 * i + 1);
            if (Scorer.classOf(skills, policy, a) != Scorer.classOf(skills, policy, b))
            {
                continue;
            }
            final long keyOrder = Long.signum(Scorer.keyOf(policy, a) - Scorer.keyOf(policy, b));
            for (int t = 0; t < 3; t++)
            {
                final long now = Math.max(a.waitingSinceMs, b.waitingSinceMs) + random.nextLong(0, 86_400_000L);
                final Reply ra = new Reply(x -> { });
                final Reply rb = new Reply(x -> { });
                Scorer.breakdown(policy, a, now, ra);
                Scorer.breakdown(policy, b, now, rb);
                assertEquals(keyOrder, Long.signum(ra.scoreUnits - rb.scoreUnits), "seed " + SEED + " case " + i);
            }
        }
    }

    @Test
    void shouldCountAgeAgainstNewestFirstConversations()
    {
        final Policy policy = Policy.builder().newestFirst(Urgency.LOW, 100).build();
        final Conversation outage = conversation(Urgency.LOW, 500, T0);
        final Conversation single = conversation(Urgency.LOW, 1, T0);
        final Reply older = new Reply(x -> { });
        Scorer.breakdown(policy, outage, T0 + 60_000, older);
        assertTrue(older.ageUnits < 0, "a newest-first conversation loses points as it waits: " + older.ageUnits);
        final Reply ordinary = new Reply(x -> { });
        Scorer.breakdown(policy, single, T0 + 60_000, ordinary);
        assertEquals(policy.agePointsPerMinute() * 60_000, ordinary.ageUnits);
    }

    private static Policy policy(final SplittableRandom random)
    {
        final Policy.Builder b = Policy.builder()
            .agePointsPerMinute(random.nextLong(0, 20))
            .impactPointsPerDoubling(random.nextLong(0, 200))
            .slaPoints(random.nextLong(0, 1_000), random.nextLong(0, 2_000));
        for (final Urgency u : Urgency.values())
        {
            b.urgencyPoints(u, random.nextLong(0, 2_000));
        }
        if (random.nextBoolean())
        {
            b.newestFirst(Urgency.ofLevel(random.nextInt(Urgency.count())), random.nextLong(1, 1_000));
        }
        return b.build();
    }

    private static Conversation conversation(final SplittableRandom random, final int handle)
    {
        final Conversation c = conversation(Urgency.ofLevel(random.nextInt(Urgency.count())),
            (int)Math.exp(random.nextDouble() * Math.log(10_000)), T0 + random.nextLong(0, 86_400_000L));
        c.slaBand = (byte)random.nextInt(SlaBand.BREACHED + 1);
        return c;
    }

    private static Conversation conversation(final Urgency urgency, final int impact, final long waitingSinceMs)
    {
        final Conversation c = new Conversation(0);
        c.id = "c";
        c.urgencyLevel = (byte)urgency.ordinal();
        c.impact = impact;
        c.waitingSinceMs = waitingSinceMs;
        c.state = ConversationState.OPEN;
        return c;
    }
}
