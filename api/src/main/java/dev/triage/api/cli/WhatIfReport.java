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
        doc.add("recordedPolicy", policy(r.recordedPolicy()));
        doc.add("candidatePolicy", policy(r.candidatePolicy()));
        doc.add("policyChanges", changes(r.recordedPolicy(), r.candidatePolicy()));
        doc.add("recorded", run(r.recorded()));
        doc.add("baseline", run(r.baseline()));
        doc.add("candidate", run(r.candidate()));
        final JsonArray changed = new JsonArray();
        for (final WhatIfResult.Changed c : r.mostChanged())
        {
            final JsonObject o = new JsonObject();
            o.addProperty("id", c.id());
            o.addProperty("urgency", c.urgency().name().toLowerCase(Locale.ROOT));
            o.addProperty("impact", c.impact());
            o.addProperty("baselineWaitMs", c.baselineWaitMs());
            o.addProperty("candidateWaitMs", c.candidateWaitMs());
            o.addProperty("recordedWaitMs", c.recordedWaitMs());
            changed.add(o);
        }
        doc.add("mostChanged", changed);
        final JsonObject error = new JsonObject();
        error.addProperty("medianAbsoluteWaitErrorMs", r.modelError().medianAbsoluteWaitErrorMs());
        final JsonObject p50 = new JsonObject();
        r.modelError().p50ErrorByUrgency().forEach(p50::addProperty);
        error.add("baselineMinusRecordedP50Ms", p50);
        doc.add("modelError", error);
        doc.addProperty("assignmentsWithMedianHandling", r.medianHandlingUsed());
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(doc);
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
        final JsonObject changes = changes(r.recordedPolicy(), r.candidatePolicy());
        sb.append("candidate: ").append(changes.size() == 0 ? "the recorded policy (no change)" : String.join(", ",
            changes.keySet().stream().map(k -> k + " " + changes.getAsJsonArray(k).get(0) + " -> " + changes.getAsJsonArray(k).get(1)).toList()))
            .append('\n');
        sb.append(String.format(Locale.ROOT, "%nwait before first assignment, p50 / p90 / max (unassigned at the end)%n%-9s %-32s %-32s %-32s%n",
            "", "recorded", "baseline (model)", "candidate"));
        for (final String g : GROUPS)
        {
            sb.append(String.format(Locale.ROOT, "%-9s %-32s %-32s %-32s%n", g, waits(r.recorded().waits().get(g)),
                waits(r.baseline().waits().get(g)), waits(r.candidate().waits().get(g))));
        }
        sb.append(String.format(Locale.ROOT, "%-9s %-32s %-32s %-32s%n", "SLA", sla(r.recorded()), sla(r.baseline()), sla(r.candidate())));
        sb.append(String.format(Locale.ROOT, "%-9s %-32s %-32s %-32s%n", "fairness", fairness(r.recorded()), fairness(r.baseline()),
            fairness(r.candidate())));
        sb.append(String.format(Locale.ROOT, "%-9s %-32d %-32d %-32d%n", "newest1st", r.recorded().newestFirstAnswers(),
            r.baseline().newestFirstAnswers(), r.candidate().newestFirstAnswers()));
        sb.append(String.format(Locale.ROOT, "%nmodel error (baseline vs recorded): median |wait difference| %s; p50 difference, all: %s%n",
            duration(r.modelError().medianAbsoluteWaitErrorMs()), signed(r.modelError().p50ErrorByUrgency().get("all"))));
        if (r.medianHandlingUsed() > 0)
        {
            sb.append(String.format(Locale.ROOT, "%,d simulated assignments were of conversations the recording never assigned: " +
                "they were handled for their skill set's median time%n", r.medianHandlingUsed()));
        }
        if (!r.mostChanged().isEmpty())
        {
            sb.append(String.format(Locale.ROOT, "%nwaits that changed most (baseline -> candidate):%n"));
            for (final WhatIfResult.Changed c : r.mostChanged().subList(0, Math.min(10, r.mostChanged().size())))
            {
                sb.append(String.format(Locale.ROOT, "  %-24s %-8s impact %-7d %10s -> %s%n", c.id(), c.urgency().name().toLowerCase(Locale.ROOT),
                    c.impact(), duration(c.baselineWaitMs()), duration(c.candidateWaitMs())));
            }
        }
        return sb.toString();
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
        return (ms < 0 ? "-" : "+") + duration(Math.abs(ms));
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
            .append("body{font-family:sans-serif;margin:2em}pre{background:#f4f6f7;padding:1em}img{max-width:100%}</style></head><body>")
            .append("<h1>What-if</h1><pre>").append(escape(summary(r))).append("</pre>")
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
        for (final WhatIfResult.Run run : List.of(r.baseline(), r.candidate()))
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
        for (final WhatIfResult.Run run : List.of(r.baseline(), r.candidate()))
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
