package dev.triage.engine.whatif;

import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The three runs compared: the recording, the baseline simulation (recorded policies) and the candidate simulation.
 * Waits are from a conversation's waiting-since to its first assignment; conversations never assigned by the end
 * count their wait to the end and are reported as unassigned (so percentiles never leave them out silently).
 *
 * @param fromMs window start (the candidate's policy applies from here).
 * @param toMs window end (exclusive).
 * @param commands journaled commands read.
 * @param recordedPolicy the policy recorded in force at {@code fromMs}.
 * @param candidatePolicy the candidate at {@code fromMs}.
 * @param replace whether the candidate replaced the recorded policy changes after {@code fromMs} (else it was applied
 * on top of each).
 * @param policies each policy recorded in force in the window (the one at its start, then each change) with the
 * candidate's version of it (null where the candidate replaced it).
 * @param recorded what really happened.
 * @param baseline the simulation under the recorded policies.
 * @param candidate the simulation under the candidate.
 * @param mostChanged the 20 conversations whose wait changed most from baseline to candidate.
 * @param agreement the baseline against the recording: how far the simulation is from what happened.
 * @param offTrace agents the candidate simulation acted for (it assigned them something the recording did not).
 * @param drawnHandlingUsed assignments (baseline + candidate) of conversations the recording never handled, handled for
 * a time drawn from their skill set's recorded spread.
 */
public record WhatIfResult(
    long fromMs,
    long toMs,
    long commands,
    Policy recordedPolicy,
    Policy candidatePolicy,
    boolean replace,
    List<Policy[]> policies,
    Run recorded,
    Run baseline,
    Run candidate,
    List<Changed> mostChanged,
    Agreement agreement,
    long offTrace,
    long drawnHandlingUsed)
{
    /** Below this share of identical assignments, or past {@link #WAIT_TOLERANCE} on a percentile, the report warns. */
    public static final double IDENTICAL_SHARE_EXPECTED = 0.99;
    /** Largest relative error of a group's p50 or p90 (baseline vs recorded) before the report warns. */
    public static final double WAIT_TOLERANCE = 0.05;
    /** Errors below this many ms never warn (a few ms on a 20 ms wait is not a model failure). */
    public static final long WAIT_TOLERANCE_FLOOR_MS = 100;

    /** Conversations listed in {@link #mostChanged}. */
    public static final int MOST_CHANGED = 20;
    /** Incidents listed per run, the most members first. */
    public static final int INCIDENTS = 20;

    /**
     * Waits of one group of conversations, ms.
     *
     * @param conversations opened in the window.
     * @param assigned assigned before the end.
     * @param unassigned still waiting at the end (their wait counts to the end).
     * @param p50 median wait.
     * @param p90 90th percentile.
     * @param p99 99th percentile.
     * @param max longest.
     */
    public record Waits(long conversations, long assigned, long unassigned, long p50, long p90, long p99, long max)
    {
    }

    /**
     * An incident's members, first report to first response.
     *
     * @param key incident key.
     * @param members members opened in the window.
     * @param firstResponseMs from the first member's waiting-since to the first assignment of any member (-1: none).
     * @param medianWaitMs the members' median wait.
     * @param p90WaitMs their 90th percentile.
     * @param unassigned members never assigned by the end.
     */
    public record IncidentResponse(String key, long members, long firstResponseMs, long medianWaitMs, long p90WaitMs,
        long unassigned)
    {
    }

    /**
     * One run's figures.
     *
     * @param name recorded, baseline or candidate.
     * @param waits by urgency name (low..critical) and "all".
     * @param slaAtRisk conversations with an SLA first assigned inside its at-risk window.
     * @param slaBreached conversations with an SLA first assigned after it, or never.
     * @param newestFirstAnswers assignments made from newest-first classes.
     * @param assignmentsPerAgent assignments by agent (agents with none included).
     * @param maxPerAgent most assignments of one agent.
     * @param minPerAgent fewest.
     * @param gini Gini coefficient of assignments over agents (0 = even).
     * @param incidents the incidents with the most members.
     * @param depth queue depth samples, {engine time ms, open conversations} (simulations only).
     */
    public record Run(String name, Map<String, Waits> waits, long slaAtRisk, long slaBreached, long newestFirstAnswers,
        Map<String, Long> assignmentsPerAgent, long maxPerAgent, long minPerAgent, double gini,
        List<IncidentResponse> incidents, List<long[]> depth)
    {
    }

    /**
     * A conversation whose wait moved.
     *
     * @param id conversation.
     * @param urgency its urgency at open.
     * @param impact its impact at open.
     * @param incident its incident key, or null.
     * @param baselineWaitMs its wait in the baseline.
     * @param candidateWaitMs its wait in the candidate.
     * @param recordedWaitMs its wait in the recording.
     */
    public record Changed(String id, Urgency urgency, int impact, String incident, long baselineWaitMs, long candidateWaitMs,
        long recordedWaitMs)
    {
    }

    /**
     * How far the baseline is from the recording. A candidate's effect is only believable beside a baseline that
     * reproduces what happened.
     *
     * @param recordedAssignments assignments the recording made in the window.
     * @param identical of those, how many the baseline made alike (the same conversation's k-th assignment, to the same
     * agent, at the same time).
     * @param medianAbsoluteWaitErrorMs median over conversations of |baseline wait - recorded wait|.
     * @param worstGroup the urgency (or "all") whose p50 or p90 is relatively furthest from the recording, or null.
     * @param worstError that relative error (0.05 = 5%).
     * @param warning why the baseline should not be trusted, or null when it agrees.
     */
    public record Agreement(long recordedAssignments, long identical, long medianAbsoluteWaitErrorMs, String worstGroup,
        double worstError, String warning)
    {
        /**
         * @return identical / recorded assignments (1 when the recording made none).
         */
        public double identicalShare()
        {
            return recordedAssignments == 0 ? 1 : identical / (double)recordedAssignments;
        }
    }

    static WhatIfResult of(final long fromMs, final long toMs, final long commands, final Policy recordedPolicy, final Policy candidatePolicy,
        final boolean replace, final RunTracker recorded, final Simulation baseline, final Simulation candidate)
    {
        final Run r = run(recorded, toMs, recordedPolicy);
        final Run b = run(baseline.tracker, toMs, recordedPolicy);
        final Run c = run(candidate.tracker, toMs, candidatePolicy);
        // The most changed, kept in a bounded heap whose head is the least changed of those kept.
        final Comparator<Changed> mostFirst = Comparator.comparingLong((Changed x) -> -Math.abs(x.candidateWaitMs - x.baselineWaitMs))
            .thenComparing(Changed::id);
        final java.util.PriorityQueue<Changed> kept = new java.util.PriorityQueue<>(MOST_CHANGED + 1, mostFirst.reversed());
        final long[] errors = new long[baseline.tracker.conversations.size()];
        int errorCount = 0;
        for (final RunTracker.Tracked base : baseline.tracker.conversations.values())
        {
            final RunTracker.Tracked cand = candidate.tracker.conversations.get(base.id);
            final RunTracker.Tracked rec = recorded.conversations.get(base.id);
            final long baseWait = base.waitMs(toMs);
            final long recordedWait = rec == null ? -1 : rec.waitMs(toMs);
            if (cand != null)
            {
                final long candWait = cand.waitMs(toMs);
                if (kept.size() < MOST_CHANGED || Math.abs(candWait - baseWait) >= Math.abs(kept.peek().candidateWaitMs - kept.peek().baselineWaitMs))
                {
                    kept.add(new Changed(base.id, base.urgency, base.impact, base.incident, baseWait, candWait, recordedWait));
                    if (kept.size() > MOST_CHANGED)
                    {
                        kept.poll();
                    }
                }
            }
            if (rec != null)
            {
                errors[errorCount++] = Math.abs(baseWait - recordedWait);
            }
        }
        final List<Changed> changed = new ArrayList<>(kept);
        changed.sort(mostFirst);
        final long[] e = Arrays.copyOf(errors, errorCount);
        Arrays.sort(e);
        return new WhatIfResult(fromMs, toMs, commands, recordedPolicy, candidatePolicy, replace, List.copyOf(candidate.policies),
            r, b, c, List.copyOf(changed.subList(0, Math.min(MOST_CHANGED, changed.size()))),
            agreement(recorded, baseline.tracker, r, b, percentile(e, 0.5)), candidate.offTrace().size(),
            baseline.drawnHandlingUsed + candidate.drawnHandlingUsed);
    }

    private static Agreement agreement(final RunTracker recorded, final RunTracker baseline, final Run r, final Run b,
        final long medianAbsoluteErrorMs)
    {
        long identical = 0;
        for (final org.agrona.collections.LongHashSet.LongIterator a = baseline.assignments.iterator(); a.hasNext(); )
        {
            identical += recorded.assignments.contains(a.nextValue()) ? 1 : 0;
        }
        String worstGroup = null;
        double worst = 0;
        String worstText = null;
        for (final Map.Entry<String, Waits> g : r.waits.entrySet())
        {
            final Waits rec = g.getValue();
            final Waits base = b.waits.get(g.getKey());
            final long[] real = { rec.p50, rec.p90 };
            final long[] simulated = { base.p50, base.p90 };
            for (int i = 0; i < 2; i++)
            {
                final long diff = Math.abs(simulated[i] - real[i]);
                final double error = diff / (double)Math.max(1, real[i]);
                if (diff > WAIT_TOLERANCE_FLOOR_MS && error > worst)
                {
                    worst = error;
                    worstGroup = g.getKey();
                    worstText = String.format(Locale.ROOT, "%s %s %d ms recorded, %d ms in the baseline", g.getKey(),
                        i == 0 ? "p50" : "p90", real[i], simulated[i]);
                }
            }
        }
        final long total = recorded.assignments.size();
        final double share = total == 0 ? 1 : identical / (double)total;
        String warning = null;
        if (share < IDENTICAL_SHARE_EXPECTED || worst > WAIT_TOLERANCE)
        {
            warning = String.format(Locale.ROOT, "the baseline is NOT the recording: %.1f%% of its assignments identical%s; " +
                "read the candidate's figures as a model's, not a forecast", share * 100,
                worst > WAIT_TOLERANCE ? String.format(Locale.ROOT, ", %s (%.0f%% off)", worstText, worst * 100) : "");
        }
        return new Agreement(total, identical, medianAbsoluteErrorMs, worstGroup, worst, warning);
    }

    private static Run run(final RunTracker t, final long endMs, final Policy policy)
    {
        final Map<String, List<RunTracker.Tracked>> groups = new LinkedHashMap<>();
        for (final Urgency u : Urgency.values())
        {
            groups.put(u.name().toLowerCase(Locale.ROOT), new ArrayList<>());
        }
        groups.put("all", new ArrayList<>());
        long atRisk = 0;
        long breached = 0;
        final Map<String, List<RunTracker.Tracked>> byIncident = new TreeMap<>();
        for (final RunTracker.Tracked c : t.conversations.values())
        {
            groups.get(c.urgency.name().toLowerCase(Locale.ROOT)).add(c);
            groups.get("all").add(c);
            if (c.respondByMs > 0)
            {
                final long answeredMs = c.firstAssignedMs >= 0 ? c.firstAssignedMs : endMs;
                breached += answeredMs > c.respondByMs ? 1 : 0;
                atRisk += answeredMs <= c.respondByMs && answeredMs > c.respondByMs - policy.slaAtRiskWindowMs() ? 1 : 0;
            }
            if (c.incident != null)
            {
                byIncident.computeIfAbsent(c.incident, k -> new ArrayList<>()).add(c);
            }
        }
        final Map<String, Waits> waits = new LinkedHashMap<>();
        groups.forEach((name, list) -> waits.put(name, waits(list, endMs)));
        final List<IncidentResponse> incidents = new ArrayList<>();
        byIncident.forEach((key, members) ->
        {
            final long firstSince = members.stream().mapToLong(m -> m.sinceMs).min().orElse(0);
            final long firstAssigned = members.stream().mapToLong(m -> m.firstAssignedMs).filter(a -> a >= 0).min().orElse(-1);
            final Waits w = waits(members, endMs);
            incidents.add(new IncidentResponse(key, members.size(), firstAssigned < 0 ? -1 : firstAssigned - firstSince,
                w.p50, w.p90, w.unassigned));
        });
        incidents.sort(Comparator.comparingLong((IncidentResponse i) -> -i.members).thenComparing(IncidentResponse::key));
        final long[] perAgent = t.assignmentsByAgent.values().stream().mapToLong(Long::longValue).sorted().toArray();
        return new Run(t.name, waits, atRisk, breached, t.newestFirstAnswers, t.assignmentsByAgent,
            perAgent.length == 0 ? 0 : perAgent[perAgent.length - 1], perAgent.length == 0 ? 0 : perAgent[0], gini(perAgent),
            List.copyOf(incidents.subList(0, Math.min(INCIDENTS, incidents.size()))), t.depth);
    }

    private static Waits waits(final List<RunTracker.Tracked> list, final long endMs)
    {
        final long[] w = list.stream().mapToLong(c -> c.waitMs(endMs)).sorted().toArray();
        final long assigned = list.stream().filter(c -> c.firstAssignedMs >= 0).count();
        return new Waits(w.length, assigned, w.length - assigned, percentile(w, 0.50), percentile(w, 0.90), percentile(w, 0.99),
            w.length == 0 ? 0 : w[w.length - 1]);
    }

    /** Nearest-rank percentile of sorted values; 0 when empty. */
    static long percentile(final long[] sorted, final double p)
    {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, (int)Math.ceil(p * sorted.length) - 1)];
    }

    /** Gini of sorted non-negative values: 0 when all equal, near 1 when one has everything. */
    static double gini(final long[] sorted)
    {
        final long total = Arrays.stream(sorted).sum();
        if (sorted.length == 0 || total == 0)
        {
            return 0;
        }
        double weighted = 0;
        for (int i = 0; i < sorted.length; i++)
        {
            weighted += (i + 1) * (double)sorted[i];
        }
        return Math.round((2 * weighted / (sorted.length * (double)total) - (sorted.length + 1.0) / sorted.length) * 1e4) / 1e4;
    }
}
