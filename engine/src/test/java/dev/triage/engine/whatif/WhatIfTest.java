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

    private WhatIfResult again(final long fromMs, final long toMs, final UnaryOperator<Policy> candidate, final boolean replace,
        final boolean traced)
    {
        return WhatIf.run(dir, new EngineContext(), new WhatIf.Options(fromMs, toMs, candidate, null, replace, traced));
    }

    private static final long HOUR = 3_600_000L;
    /** LOW outranks everything: a change whose effect on LOW waits cannot be missed. */
    private static final Policy LOW_FIRST = Policy.defaults().toBuilder().urgencyPoints(Urgency.LOW, 100_000).build();

    /** A busy day whose policy changes to LOW_FIRST two hours in. */
    private static RecordedScenario.Settings dayWithAChange(final long seed)
    {
        final java.util.NavigableMap<Long, Policy> changes = new java.util.TreeMap<>();
        changes.put(RecordedScenario.T0 + 2 * HOUR, LOW_FIRST);
        return new RecordedScenario.Settings(seed, 1_500, 8, 0, 10, 60_000, false, Policy.defaults(), changes);
    }

    @Test
    void shouldRemakeTheRecordingAssignmentForAssignment()
    {
        final WhatIfResult r = run(busyDay(6), p -> p.toBuilder().urgencyPoints(Urgency.HIGH, 100_000).build());
        assertEquals(r.agreement().recordedAssignments(), r.agreement().identical(), "every recorded assignment, remade");
        assertEquals(1.0, r.agreement().identicalShare());
        assertEquals(null, r.agreement().warning());
        assertEquals(r.recorded().waits(), r.baseline().waits());
        assertEquals(r.recorded().assignmentsPerAgent(), r.baseline().assignmentsPerAgent());
        assertTrue(r.offTrace() > 0, "the candidate's agents left the trace where its assignments differed");
    }

    @Test
    void shouldKeepTheRecordedPolicyChangesInsideTheWindow()
    {
        RecordedScenario.write(dir, dayWithAChange(8));
        final long from = RecordedScenario.T0 + HOUR;
        // The recorded policy as candidate: no change, however many policies were recorded (the bug this replaces:
        // recorded changes after --from were dropped once a candidate applied).
        final WhatIfResult same = again(from, Long.MAX_VALUE, p -> p, false, true);
        assertEquals(2, same.policies().size(), "the policy at the start of the window, then the recorded change");
        assertTrue(same.policies().stream().allMatch(p -> p[0].equals(p[1])));
        assertEquals(same.baseline().waits(), same.candidate().waits());
        assertEquals(1.0, same.agreement().identicalShare());

        // Override: the candidate's field on top of each recorded policy; the recorded change still happens.
        final WhatIfResult over = again(from, Long.MAX_VALUE, p -> p.toBuilder().agePointsPerMinute(7).build(), false, true);
        assertEquals(2, over.policies().size());
        assertEquals(7, over.policies().get(1)[1].agePointsPerMinute());
        assertEquals(100_000, over.policies().get(1)[1].urgencyPoints(Urgency.LOW), "the recorded change, kept");

        // Replace: the candidate holds; the recorded change is left out, so LOW no longer jumps the queue.
        final WhatIfResult replaced = again(from, Long.MAX_VALUE, p -> p, true, true);
        assertEquals(null, replaced.policies().get(1)[1]);
        assertTrue(replaced.candidate().waits().get("low").p50() > replaced.baseline().waits().get("low").p50(),
            "LOW waits longer without the recorded change: " + replaced.baseline().waits().get("low") + " vs " +
                replaced.candidate().waits().get("low"));
    }

    @Test
    void shouldApplyTheCandidateOnTopOfAChangeBeforeTheWindowAndIgnoreOneAfter()
    {
        RecordedScenario.write(dir, dayWithAChange(9));
        final WhatIfResult after = again(RecordedScenario.T0 + 3 * HOUR, Long.MAX_VALUE, p -> p.toBuilder().agePointsPerMinute(7).build(),
            false, true);
        assertEquals(1, after.policies().size(), "the change came before the window: it is the policy at its start");
        assertEquals(100_000, after.recordedPolicy().urgencyPoints(Urgency.LOW));
        assertEquals(100_000, after.candidatePolicy().urgencyPoints(Urgency.LOW));
        assertEquals(7, after.candidatePolicy().agePointsPerMinute());
        // (From a minute in: the scenario sets its starting policy at T0.)
        final WhatIfResult before = again(RecordedScenario.T0 + 60_000, RecordedScenario.T0 + HOUR, p -> p, false, true);
        assertEquals(1, before.policies().size(), "the change came after the window's end");
        assertEquals(Policy.defaults(), before.recordedPolicy());
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
        // The scenario's agents do what the model of an agent off the trace assumes (ask again at once when done,
        // long-poll, handling travels with the conversation), so even with every agent off the trace from the start
        // the baseline re-makes the recorded decisions: the model's error here is zero.
        RecordedScenario.write(dir, busyDay(2));
        final WhatIfResult r = again(Long.MIN_VALUE, Long.MAX_VALUE, p -> p, false, false);
        assertEquals(0, r.recorded().waits().get("all").unassigned(), "the day drains: every conversation was assigned, " +
            "also those a waiting agent took the moment they opened");
        assertTrue(r.recorded().waits().get("all").p50() < 600_000, "agents keep up: " + r.recorded().waits().get("all"));
        assertEquals(r.recorded().waits(), r.baseline().waits());
        assertEquals(0, r.agreement().medianAbsoluteWaitErrorMs());
        assertEquals(r.recorded().assignmentsPerAgent(), r.baseline().assignmentsPerAgent());
        assertEquals(0, r.drawnHandlingUsed());
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
