package dev.triage.engine.whatif;

import dev.triage.engine.EngineContext;
import dev.triage.engine.fixture.RecordedScenario;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What-if on real journals of seeded helpdesk days ({@link RecordedScenario}: agents closed-loop, handling times
 * known): identity, the model against the recording, and policies whose effect has a certain direction.
 */
class WhatIfTest
{
    @TempDir
    Path dir;

    private WhatIfResult run(final RecordedScenario.Settings settings, final UnaryOperator<Policy> candidate)
    {
        RecordedScenario.write(dir, settings);
        return WhatIf.run(dir, new EngineContext(), new WhatIf.Options(Long.MIN_VALUE, Long.MAX_VALUE, candidate, null));
    }

    /** Busy: about 1.3 conversations a minute per agent against 1 minute of handling each. */
    private static RecordedScenario.Settings busyDay(final long seed)
    {
        return new RecordedScenario.Settings(seed, 1_500, 8, 0, 10, 60_000, false, null);
    }

    @Test
    void shouldGiveTheBaselineWhenTheCandidateIsTheRecordedPolicy()
    {
        final WhatIfResult r = run(busyDay(1), p -> p);
        assertEquals(r.baseline().waits(), r.candidate().waits());
        assertEquals(r.baseline().slaAtRisk(), r.candidate().slaAtRisk());
        assertEquals(r.baseline().slaBreached(), r.candidate().slaBreached());
        assertEquals(r.baseline().assignmentsPerAgent(), r.candidate().assignmentsPerAgent());
        assertEquals(r.baseline().incidents(), r.candidate().incidents());
        assertEquals(r.baseline().newestFirstAnswers(), r.candidate().newestFirstAnswers());
        assertEquals(r.baseline().depth().stream().map(d -> d[0] + ":" + d[1]).toList(),
            r.candidate().depth().stream().map(d -> d[0] + ":" + d[1]).toList());
        assertTrue(r.mostChanged().stream().allMatch(c -> c.baselineWaitMs() == c.candidateWaitMs()));
        assertEquals(1_500, r.recorded().waits().get("all").conversations());
    }

    @Test
    void shouldMatchTheRecordingWhenAgentsBehaveAsTheModelSays()
    {
        // The scenario's agents do what the model assumes (ask when done, handling travels with the conversation),
        // so the baseline re-makes the recorded decisions: the model's error here is zero.
        final WhatIfResult r = run(busyDay(2), p -> p);
        assertEquals(0, r.recorded().waits().get("all").unassigned(), "the day drains: every conversation was assigned, " +
            "also those a waiting agent took the moment they opened");
        assertTrue(r.recorded().waits().get("all").p50() < 600_000, "agents keep up: " + r.recorded().waits().get("all"));
        assertEquals(r.recorded().waits(), r.baseline().waits());
        assertEquals(0, r.modelError().medianAbsoluteWaitErrorMs());
        assertEquals(r.recorded().assignmentsPerAgent(), r.baseline().assignmentsPerAgent());
        assertEquals(0, r.medianHandlingUsed());
    }

    @Test
    void shouldShortenHighWaitsAndLengthenLowOnesWhenHighOutranksEverything()
    {
        final WhatIfResult r = run(busyDay(3), p -> p.toBuilder().urgencyPoints(Urgency.HIGH, 100_000).build());
        final long baseHigh = r.baseline().waits().get("high").p50();
        final long candHigh = r.candidate().waits().get("high").p50();
        final long baseLow = r.baseline().waits().get("low").p50();
        final long candLow = r.candidate().waits().get("low").p50();
        assertTrue(candHigh < baseHigh, "HIGH p50 " + baseHigh + " -> " + candHigh);
        assertTrue(candLow > baseLow, "LOW p50 " + baseLow + " -> " + candLow);
        assertEquals(Urgency.HIGH, r.mostChanged().stream().filter(c -> c.candidateWaitMs() < c.baselineWaitMs())
            .findFirst().orElseThrow().urgency(), "the biggest drop is a HIGH conversation's");
    }

    @Test
    void shouldChangeOnlyTheNewestFirstClass()
    {
        // LOW conversations have their own agents: serving them newest-first reorders LOW and touches nothing else.
        // (The recorded policy has newest-first off; the defaults turn it on for wide NORMAL problems.)
        final RecordedScenario.Settings day = new RecordedScenario.Settings(4, 1_200, 6, 2, 9, 60_000, true,
            Policy.defaults().toBuilder().newestFirst(null, 1).build());
        final WhatIfResult r = run(day, p -> p.toBuilder().newestFirst(Urgency.LOW, 1).build());
        for (final String other : new String[]{ "normal", "high", "urgent", "critical" })
        {
            assertEquals(r.baseline().waits().get(other), r.candidate().waits().get(other), other + " unchanged");
        }
        assertNotEquals(r.baseline().waits().get("low"), r.candidate().waits().get("low"), "LOW served in another order");
        assertEquals(0, r.baseline().newestFirstAnswers());
        assertTrue(r.candidate().newestFirstAnswers() > 0);
        assertTrue(r.mostChanged().stream().filter(c -> c.candidateWaitMs() != c.baselineWaitMs())
            .allMatch(c -> c.urgency() == Urgency.LOW));
    }

    @Test
    void shouldBeDeterministic()
    {
        final WhatIfResult a = run(busyDay(5), p -> p.toBuilder().agePointsPerMinute(10).build());
        final WhatIfResult b = WhatIf.run(dir, new EngineContext(),
            new WhatIf.Options(Long.MIN_VALUE, Long.MAX_VALUE, p -> p.toBuilder().agePointsPerMinute(10).build(), null));
        assertEquals(a.candidate().waits(), b.candidate().waits());
        assertEquals(a.mostChanged(), b.mostChanged());
    }
}
