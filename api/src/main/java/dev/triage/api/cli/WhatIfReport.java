package dev.triage.api.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.triage.api.service.ProtoMapper;
import dev.triage.engine.policy.Policy;
import dev.triage.engine.whatif.WhatIfResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * What-if results as JSON (deterministic: the same result gives the same bytes), a text summary, and a self-contained
 * HTML page with two charts (XChart PNGs inlined, as the load report does).
 */
final class WhatIfReport
{
    private static final String[] GROUPS = { "critical", "urgent", "high", "normal", "low", "all" };

    private WhatIfReport()
    {
    }

    static String json(final WhatIfResult r)
    {
        final JsonObject doc = new JsonObject();
        doc.addProperty("from", Instant.ofEpochMilli(r.fromMs()).toString());
        doc.addProperty("to", Instant.ofEpochMilli(r.toMs()).toString());
        doc.addProperty("commands", r.commands());
        final WhatIfResult.Agreement a = r.agreement();
        final JsonObject agreement = new JsonObject();
        agreement.addProperty("recordedAssignments", a.recordedAssignments());
        agreement.addProperty("identicalAssignments", a.identical());
        agreement.addProperty("identicalShare", Math.round(a.identicalShare() * 10_000) / 10_000.0);
        agreement.addProperty("medianAbsoluteWaitErrorMs", a.medianAbsoluteWaitErrorMs());
        final JsonObject errors = new JsonObject();
        for (final String g : GROUPS)
        {
            final WhatIfResult.Waits rec = r.recorded().waits().get(g);
            final WhatIfResult.Waits base = r.baseline().waits().get(g);
            final JsonObject e = new JsonObject();
            e.addProperty("p50RecordedMs", rec.p50());
            e.addProperty("p50BaselineMs", base.p50());
            e.addProperty("p90RecordedMs", rec.p90());
            e.addProperty("p90BaselineMs", base.p90());
            errors.add(g, e);
        }
        agreement.add("byUrgency", errors);
        agreement.addProperty("warning", a.warning());
        doc.add("baselineAgreement", agreement);
        doc.addProperty("candidateLabel", candidateLabel(r));
        doc.addProperty("policyTimeline", r.replace() ? "replace" : "override");
        doc.add("recordedPolicy", policy(r.recordedPolicy()));
        doc.add("candidatePolicy", policy(r.candidatePolicy()));
        doc.add("policyChanges", changes(r.recordedPolicy(), r.candidatePolicy()));
        doc.addProperty("recordedPoliciesInWindow", r.policies().size());
        doc.add("recorded", run(r.recorded()));
        doc.add("baseline", run(r.baseline()));
        doc.add("candidate", run(r.candidate()));
        final JsonObject deltas = new JsonObject();
        for (final String g : GROUPS)
        {
            final WhatIfResult.Waits base = r.baseline().waits().get(g);
            final WhatIfResult.Waits cand = r.candidate().waits().get(g);
            final JsonObject d = new JsonObject();
            d.addProperty("p50Ms", cand.p50() - base.p50());
            d.addProperty("p90Ms", cand.p90() - base.p90());
            d.addProperty("neverAssigned", cand.unassigned() - base.unassigned());
            deltas.add(g, d);
        }
        doc.add("candidateMinusBaseline", deltas);
        final JsonArray changed = new JsonArray();
        for (final WhatIfResult.Changed c : r.mostChanged())
        {
            final JsonObject o = new JsonObject();
            o.addProperty("id", c.id());
            o.addProperty("urgency", c.urgency().name().toLowerCase(Locale.ROOT));
            o.addProperty("impact", c.impact());
            o.addProperty("incident", c.incident());
            o.addProperty("baselineWaitMs", c.baselineWaitMs());
            o.addProperty("candidateWaitMs", c.candidateWaitMs());
            o.addProperty("recordedWaitMs", c.recordedWaitMs());
            changed.add(o);
        }
        doc.add("mostChanged", changed);
        doc.addProperty("candidateAgentsOffTrace", r.offTrace());
        doc.addProperty("assignmentsWithDrawnHandling", r.drawnHandlingUsed());
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(doc);
    }

    /** What the candidate is, said so it is true: "no change" only when it changes nothing in the window. */
    static String candidateLabel(final WhatIfResult r)
    {
        final List<Policy[]> timeline = r.policies();
        final int recordedChanges = Math.max(0, timeline.size() - 1);
        if (r.replace())
        {
            final boolean same = timeline.stream().allMatch(p -> p[0].equals(r.candidatePolicy()));
            if (same)
            {
                return "the recorded policy (no change)";
            }
            return "replaces the recorded policy from the start of the window with " +
                describe(changes(r.recordedPolicy(), r.candidatePolicy())) +
                (recordedChanges == 0 ? "" : "; the " + recordedChanges + " recorded policy change" + (recordedChanges == 1 ? "" : "s") +
                    " after it " + (recordedChanges == 1 ? "is" : "are") + " left out");
        }
        final JsonObject union = new JsonObject();
        for (final Policy[] p : timeline)
        {
            final JsonObject c = changes(p[0], p[1]);
            c.keySet().forEach(k -> union.add(k, c.get(k)));
        }
        if (union.size() == 0)
        {
            return "the recorded policy (no change)";
        }
        final int policies = timeline.size();
        return "overrides " + union.size() + " field" + (union.size() == 1 ? "" : "s") + " (" + describe(union) + ") of " +
            (policies == 1 ? "the recorded policy" : "each of the " + policies + " recorded policies");
    }

    private static String describe(final JsonObject changes)
    {
        return changes.size() == 0 ? "nothing changed" : String.join(", ", changes.keySet().stream()
            .map(k -> k + " " + changes.getAsJsonArray(k).get(0) + " -> " + changes.getAsJsonArray(k).get(1)).toList());
    }

    private static JsonObject policy(final Policy p)
    {
        final JsonObject o = new JsonObject();
        final dev.triage.proto.v1.Policy proto = ProtoMapper.policy(p);
        proto.getDescriptorForType().getFields().forEach(f ->
        {
            final Object value = proto.getField(f);
            if (value instanceof Number n)
            {
                o.addProperty(f.getName(), n);
            }
            else
            {
                o.addProperty(f.getName(), value.toString());
            }
        });
        return o;
    }

    private static JsonObject changes(final Policy recorded, final Policy candidate)
    {
        final JsonObject a = policy(recorded);
        final JsonObject b = policy(candidate);
        final JsonObject o = new JsonObject();
        for (final String key : a.keySet())
        {
            if (!a.get(key).equals(b.get(key)))
            {
                final JsonArray pair = new JsonArray();
                pair.add(a.get(key));
                pair.add(b.get(key));
                o.add(key, pair);
            }
        }
        return o;
    }

    private static JsonObject run(final WhatIfResult.Run run)
    {
        final JsonObject o = new JsonObject();
        final JsonObject waits = new JsonObject();
        run.waits().forEach((group, w) ->
        {
            final JsonObject g = new JsonObject();
            g.addProperty("conversations", w.conversations());
            g.addProperty("assigned", w.assigned());
            g.addProperty("unassigned", w.unassigned());
            g.addProperty("p50Ms", w.p50());
            g.addProperty("p90Ms", w.p90());
            g.addProperty("p99Ms", w.p99());
            g.addProperty("maxMs", w.max());
            waits.add(group, g);
        });
        o.add("waitBeforeFirstAssignment", waits);
        o.addProperty("slaAtRisk", run.slaAtRisk());
        o.addProperty("slaBreached", run.slaBreached());
        o.addProperty("newestFirstAnswers", run.newestFirstAnswers());
        final JsonObject fairness = new JsonObject();
        fairness.addProperty("agents", run.assignmentsPerAgent().size());
        fairness.addProperty("maxPerAgent", run.maxPerAgent());
        fairness.addProperty("minPerAgent", run.minPerAgent());
        fairness.addProperty("gini", run.gini());
        final JsonObject perAgent = new JsonObject();
        run.assignmentsPerAgent().forEach(perAgent::addProperty);
        fairness.add("assignmentsPerAgent", perAgent);
        o.add("fairness", fairness);
        final JsonArray incidents = new JsonArray();
        for (final WhatIfResult.IncidentResponse i : run.incidents())
        {
            final JsonObject io = new JsonObject();
            io.addProperty("key", i.key());
            io.addProperty("members", i.members());
            io.addProperty("firstResponseMs", i.firstResponseMs());
            io.addProperty("medianWaitMs", i.medianWaitMs());
            io.addProperty("p90WaitMs", i.p90WaitMs());
            io.addProperty("neverAssigned", i.unassigned());
            incidents.add(io);
        }
        o.add("incidents", incidents);
        return o;
    }

    static String summary(final WhatIfResult r)
    {
        final StringBuilder sb = new StringBuilder(2048);
        final WhatIfResult.Waits all = r.recorded().waits().get("all");
        sb.append(String.format(Locale.ROOT, "what-if over %s .. %s: %,d conversations opened, %,d commands read%n",
            Instant.ofEpochMilli(r.fromMs()), Instant.ofEpochMilli(r.toMs()), all.conversations(), r.commands()));
        final WhatIfResult.Agreement a = r.agreement();
        sb.append(String.format(Locale.ROOT, "baseline vs recording: %.1f%% of %,d assignments identical; " +
                "worst p50/p90 error %s; median |wait difference| %s%n", a.identicalShare() * 100, a.recordedAssignments(),
            a.worstGroup() == null ? "none past " + duration(WhatIfResult.WAIT_TOLERANCE_FLOOR_MS) : String.format(Locale.ROOT, "%.0f%% (%s)", a.worstError() * 100, a.worstGroup()),
            duration(a.medianAbsoluteWaitErrorMs())));
        if (a.warning() != null)
        {
            sb.append("WARNING: ").append(a.warning()).append('\n');
        }
        sb.append("candidate: ").append(candidateLabel(r)).append('\n');
        sb.append(String.format(Locale.ROOT, "%nwait before first assignment, p50 / p90 / max (unassigned at the end)%n%-9s %-32s %-32s %-32s %s%n",
            "", "recorded", "baseline", "candidate", "candidate - baseline: p50 / p90 / never assigned"));
        for (final String g : GROUPS)
        {
            final WhatIfResult.Waits base = r.baseline().waits().get(g);
            final WhatIfResult.Waits cand = r.candidate().waits().get(g);
            sb.append(String.format(Locale.ROOT, "%-9s %-32s %-32s %-32s %s%n", g, waits(r.recorded().waits().get(g)),
                waits(base), waits(cand), base.conversations() == 0 ? "-" : signed(cand.p50() - base.p50()) + " / " +
                    signed(cand.p90() - base.p90()) + " / " + signedCount(cand.unassigned() - base.unassigned())));
        }
        sb.append(String.format(Locale.ROOT, "%-9s %-32s %-32s %-32s%n", "SLA", sla(r.recorded()), sla(r.baseline()), sla(r.candidate())));
        sb.append(String.format(Locale.ROOT, "%-9s %-32s %-32s %-32s%n", "fairness", fairness(r.recorded()), fairness(r.baseline()),
            fairness(r.candidate())));
        sb.append(String.format(Locale.ROOT, "%-9s %-32d %-32d %-32d%n", "newest1st", r.recorded().newestFirstAnswers(),
            r.baseline().newestFirstAnswers(), r.candidate().newestFirstAnswers()));
        final List<WhatIfResult.IncidentResponse> incidents = r.baseline().incidents();
        if (!incidents.isEmpty())
        {
            sb.append(String.format(Locale.ROOT, "%nincidents (widest first): first response / members' p50 / p90 / never assigned%n" +
                "%-24s %-36s %-36s %s%n", "", "recorded", "baseline", "candidate"));
            for (final WhatIfResult.IncidentResponse base : incidents.subList(0, Math.min(5, incidents.size())))
            {
                sb.append(String.format(Locale.ROOT, "%-24s %-36s %-36s %s%n", base.key() + " (" + base.members() + ")",
                    incident(find(r.recorded(), base.key())), incident(base), incident(find(r.candidate(), base.key()))));
            }
        }
        sb.append(String.format(Locale.ROOT, "%nthe candidate acted for %d agent%s from their first assignment the recording did " +
            "not make (before it, they did what they did)%n", r.offTrace(), r.offTrace() == 1 ? "" : "s"));
        if (r.drawnHandlingUsed() > 0)
        {
            sb.append(String.format(Locale.ROOT, "%,d simulated assignments were of conversations the recording never handled: " +
                "their handling time was drawn from their skill set's recorded spread%n", r.drawnHandlingUsed()));
        }
        if (!r.mostChanged().isEmpty() && r.mostChanged().get(0).candidateWaitMs() != r.mostChanged().get(0).baselineWaitMs())
        {
            sb.append(String.format(Locale.ROOT, "%nwaits that changed most (baseline -> candidate):%n"));
            for (final WhatIfResult.Changed c : r.mostChanged().subList(0, Math.min(10, r.mostChanged().size())))
            {
                sb.append(String.format(Locale.ROOT, "  %-24s %-8s impact %-7d %-20s %10s -> %-10s (%s)%n", c.id(),
                    c.urgency().name().toLowerCase(Locale.ROOT), c.impact(), c.incident() == null ? "" : "incident " + c.incident(),
                    duration(c.baselineWaitMs()), duration(c.candidateWaitMs()), signed(c.candidateWaitMs() - c.baselineWaitMs())));
            }
        }
        return sb.toString();
    }

    private static WhatIfResult.IncidentResponse find(final WhatIfResult.Run run, final String key)
    {
        return run.incidents().stream().filter(i -> i.key().equals(key)).findFirst().orElse(null);
    }

    private static String incident(final WhatIfResult.IncidentResponse i)
    {
        return i == null ? "-" : (i.firstResponseMs() < 0 ? "none" : duration(i.firstResponseMs())) + " / " +
            duration(i.medianWaitMs()) + " / " + duration(i.p90WaitMs()) + " / " + i.unassigned();
    }

    private static String signedCount(final long n)
    {
        return (n > 0 ? "+" : "") + n;
    }

    private static String waits(final WhatIfResult.Waits w)
    {
        return w.conversations() == 0 ? "-" : duration(w.p50()) + " / " + duration(w.p90()) + " / " + duration(w.max()) +
            (w.unassigned() > 0 ? " (" + w.unassigned() + ")" : "");
    }

    private static String sla(final WhatIfResult.Run run)
    {
        return run.slaAtRisk() + " at risk, " + run.slaBreached() + " breached";
    }

    private static String fairness(final WhatIfResult.Run run)
    {
        return "max " + run.maxPerAgent() + " min " + run.minPerAgent() + " gini " + run.gini();
    }

    private static String signed(final long ms)
    {
        return ms == 0 ? "0" : (ms < 0 ? "-" : "+") + duration(Math.abs(ms));
    }

    static String duration(final long ms)
    {
        if (ms < 1_000)
        {
            return ms + "ms";
        }
        if (ms < 60_000)
        {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        if (ms < 3_600_000)
        {
            return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, ms / 1000 % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", ms / 3_600_000, ms / 60_000 % 60);
    }

    static String html(final WhatIfResult r, final String json)
    {
        System.setProperty("java.awt.headless", "true");
        final StringBuilder html = new StringBuilder(1 << 18);
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Triage what-if</title><style>")
            .append("body{font-family:sans-serif;margin:2em}pre{background:#f4f6f7;padding:1em}img{max-width:100%}")
            .append(".warning{background:#c0392b;color:#fff;padding:1em;font-weight:bold}</style></head><body><h1>What-if</h1>");
        if (r.agreement().warning() != null)
        {
            html.append("<p class=\"warning\">WARNING: ").append(escape(r.agreement().warning())).append("</p>");
        }
        html.append("<pre>").append(escape(summary(r))).append("</pre>")
            .append("<h2>Wait before first assignment by urgency</h2>").append(img(waitChart(r)))
            .append("<h2>Queue depth over time</h2>").append(img(depthChart(r)))
            .append("<h2>Every figure (whatif.json)</h2><pre>").append(escape(json)).append("</pre></body></html>");
        return html.toString();
    }

    private static CategoryChart waitChart(final WhatIfResult r)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(1000).height(400)
            .title("wait before first assignment, p50 and p90 (minutes)").xAxisTitle("urgency").yAxisTitle("minutes").build();
        final List<String> groups = List.of(GROUPS);
        for (final WhatIfResult.Run run : List.of(r.recorded(), r.baseline(), r.candidate()))
        {
            for (final String p : List.of("p50", "p90"))
            {
                final List<Number> values = new ArrayList<>();
                for (final String g : groups)
                {
                    final WhatIfResult.Waits w = run.waits().get(g);
                    values.add((p.equals("p50") ? w.p50() : w.p90()) / 60_000.0);
                }
                chart.addSeries(run.name() + " " + p, groups, values);
            }
        }
        return chart;
    }

    private static XYChart depthChart(final WhatIfResult r)
    {
        final XYChart chart = new XYChartBuilder().width(1000).height(400).title("open conversations in the queue")
            .xAxisTitle("minutes from the start").yAxisTitle("open").build();
        for (final WhatIfResult.Run run : List.of(r.recorded(), r.baseline(), r.candidate()))
        {
            final List<long[]> depth = run.depth().isEmpty() ? List.of(new long[]{ r.fromMs(), 0 }) : run.depth();
            final double[] x = depth.stream().mapToDouble(d -> (d[0] - r.fromMs()) / 60_000.0).toArray();
            final double[] y = depth.stream().mapToDouble(d -> d[1]).toArray();
            chart.addSeries(run.name(), x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        return chart;
    }

    private static String img(final Chart<?, ?> chart)
    {
        try
        {
            return "<img alt=\"chart\" src=\"data:image/png;base64," +
                Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)) + "\">";
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
