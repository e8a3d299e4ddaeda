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
 * @param candidatePolicy the candidate.
 * @param recorded what really happened.
 * @param baseline the simulation under the recorded policies.
 * @param candidate the simulation under the candidate.
 * @param mostChanged the 20 conversations whose wait changed most from baseline to candidate.
 * @param modelError the baseline against the recording.
 * @param medianHandlingUsed assignments (baseline + candidate) of conversations the recording never assigned, handled for
 * the median time of their skill set.
 */
public record WhatIfResult(
    long fromMs,
    long toMs,
    long commands,
    Policy recordedPolicy,
    Policy candidatePolicy,
    Run recorded,
    Run baseline,
    Run candidate,
    List<Changed> mostChanged,
    ModelError modelError,
    long medianHandlingUsed)
{
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
     */
    public record IncidentResponse(String key, long members, long firstResponseMs, long medianWaitMs)
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
     * @param baselineWaitMs its wait in the baseline.
     * @param candidateWaitMs its wait in the candidate.
     * @param recordedWaitMs its wait in the recording.
     */
    public record Changed(String id, Urgency urgency, int impact, long baselineWaitMs, long candidateWaitMs, long recordedWaitMs)
    {
    }

    /**
     * How far the baseline is from the recording: the model's error, to read beside the candidate's effect.
     *
     * @param medianAbsoluteWaitErrorMs median over conversations of |baseline wait - recorded wait|.
     * @param p50ErrorByUrgency baseline p50 minus recorded p50, by urgency name and "all".
     */
    public record ModelError(long medianAbsoluteWaitErrorMs, Map<String, Long> p50ErrorByUrgency)
    {
    }

    static WhatIfResult of(final long fromMs, final long toMs, final long commands, final Policy recordedPolicy, final Policy candidatePolicy,
        final RunTracker recorded, final Simulation baseline, final Simulation candidate)
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
                    kept.add(new Changed(base.id, base.urgency, base.impact, baseWait, candWait, recordedWait));
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
        final Map<String, Long> p50Error = new LinkedHashMap<>();
        b.waits.forEach((group, waits) -> p50Error.put(group, waits.p50 - r.waits.get(group).p50));
        final long[] e = Arrays.copyOf(errors, errorCount);
        Arrays.sort(e);
        return new WhatIfResult(fromMs, toMs, commands, recordedPolicy, candidatePolicy, r, b, c,
            List.copyOf(changed.subList(0, Math.min(MOST_CHANGED, changed.size()))),
            new ModelError(percentile(e, 0.5), p50Error),
            baseline.medianHandlingUsed + candidate.medianHandlingUsed);
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
            incidents.add(new IncidentResponse(key, members.size(), firstAssigned < 0 ? -1 : firstAssigned - firstSince,
                waits(members, endMs).p50));
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
