package dev.triage.bench.load;

import com.google.gson.GsonBuilder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.json (every figure) and a self-contained report.html (XChart PNGs inlined as data URIs).
 */
final class Report
{
    private Report()
    {
    }

    static void write(final Path dir, final Map<String, Object> machine, final List<RunResult> runs, final String table) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("runs", runs);
        Files.writeString(dir.resolve("report.json"), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create().toJson(json), StandardCharsets.UTF_8);
        final StringBuilder html = new StringBuilder(1 << 20);
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Triage load report</title><style>")
            .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}")
            .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}pre{background:#f6f6f6;padding:1em}")
            .append("</style></head><body><h1>Triage load report</h1><p>Machine: ").append(escape(machine.toString())).append("</p>");
        if (table != null)
        {
            html.append("<h2>Side by side</h2><pre>").append(escape(table)).append("</pre>");
        }
        for (final RunResult run : runs)
        {
            html.append("<h2>").append(escape(run.target)).append(" — ").append(escape(run.profile)).append("</h2><p>durability: ")
                .append(escape(run.durability)).append("; agents ").append(run.agents).append("; seed ").append(run.seed).append("</p>");
            html.append("<table><tr><th>RPC</th><th>count</th><th>per s</th><th>p50 ms</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
            run.rpc.forEach((name, l) -> html.append(row(name, l)));
            html.append("</table><h3>Time from open to first assignment</h3><table><tr><th>urgency</th><th>count</th><th>per s</th>")
                .append("<th>p50 ms</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
            run.timeToAssignment.forEach((name, l) -> html.append(row(name, l)));
            html.append("</table>");
            if (!run.errors.isEmpty())
            {
                html.append("<h3>Errors by status</h3><pre>").append(escape(run.errors.toString())).append("</pre>");
            }
            if (!run.timeline.isEmpty())
            {
                html.append(img(latencyOverTime(run))).append(img(depthOverTime(run)));
            }
            if (run.rpc.values().stream().anyMatch(l -> l.count > 0))
            {
                html.append(img(distribution(run)));
            }
            if (run.timeToAssignment.values().stream().anyMatch(l -> l.count > 0))
            {
                html.append(img(timeToAssignment(run)));
            }
        }
        html.append("</body></html>");
        Files.writeString(dir.resolve("report.html"), html, StandardCharsets.UTF_8);
    }

    private static String row(final String name, final RunResult.Latency l)
    {
        return String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td><td>%,.0f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>",
            escape(name), l.count, l.perSecond, l.p50, l.p90, l.p99, l.p999, l.max);
    }

    private static XYChart latencyOverTime(final RunResult run)
    {
        final XYChart chart = new XYChartBuilder().width(1000).height(360).title(run.target + ": latency over time")
            .xAxisTitle("seconds").yAxisTitle("ms").build();
        final double[] t = run.timeline.stream().mapToDouble(s -> s.t).toArray();
        line(chart, "NextBest p99", t, run.timeline.stream().mapToDouble(s -> s.nextBestP99).toArray());
        line(chart, "NextBest p50", t, run.timeline.stream().mapToDouble(s -> s.nextBestP50).toArray());
        line(chart, "Open p99 (from intended send)", t, run.timeline.stream().mapToDouble(s -> s.openP99).toArray());
        markSpike(chart, run, run.timeline.stream().mapToDouble(s -> Math.max(s.nextBestP99, s.openP99)).max().orElse(1));
        return chart;
    }

    private static XYChart depthOverTime(final RunResult run)
    {
        final XYChart chart = new XYChartBuilder().width(1000).height(360).title(run.target + ": queue depth, oldest wait, throughput")
            .xAxisTitle("seconds").yAxisTitle("count / s").build();
        final double[] t = run.timeline.stream().mapToDouble(s -> s.t).toArray();
        line(chart, "open conversations", t, run.timeline.stream().mapToDouble(s -> s.depth).toArray());
        line(chart, "opens/s", t, run.timeline.stream().mapToDouble(s -> s.opens).toArray());
        line(chart, "claims/s", t, run.timeline.stream().mapToDouble(s -> s.claims).toArray());
        if (run.timeline.stream().anyMatch(s -> s.oldestWaitMs > 0))
        {
            line(chart, "oldest wait (ms)", t, run.timeline.stream().mapToDouble(s -> Math.max(0, s.oldestWaitMs)).toArray());
        }
        markSpike(chart, run, run.timeline.stream().mapToDouble(s -> Math.max(s.depth, Math.max(s.opens, s.claims))).max().orElse(1));
        return chart;
    }

    private static void markSpike(final XYChart chart, final RunResult run, final double top)
    {
        if (run.spikeWindow != null)
        {
            final XYSeries s = chart.addSeries("spike", new double[] { run.spikeWindow[0], run.spikeWindow[0], run.spikeWindow[1],
                run.spikeWindow[1] }, new double[] { 0, top, top, 0 });
            s.setMarker(SeriesMarkers.NONE);
        }
    }

    private static XYChart distribution(final RunResult run)
    {
        final XYChart chart = new XYChartBuilder().width(1000).height(360).title(run.target + ": latency by percentile")
            .xAxisTitle("percentile (as 1/(1-p): 2 = p50, 100 = p99, 1000 = p99.9)").yAxisTitle("ms").build();
        chart.getStyler().setXAxisLogarithmic(true);
        run.rpc.forEach((name, l) ->
        {
            final List<double[]> points = new ArrayList<>();
            for (final double[] p : l.distribution)
            {
                if (p[0] < 100)
                {
                    points.add(new double[] { 1 / (1 - p[0] / 100), p[1] });
                }
            }
            if (points.size() > 1)
            {
                line(chart, name, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
            }
        });
        return chart;
    }

    private static CategoryChart timeToAssignment(final RunResult run)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(1000).height(360)
            .title(run.target + ": time from open to first assignment, by urgency").xAxisTitle("urgency").yAxisTitle("ms").build();
        final List<String> names = new ArrayList<>(run.timeToAssignment.keySet());
        chart.addSeries("p50", names, names.stream().map(n -> (Number)run.timeToAssignment.get(n).p50).toList());
        chart.addSeries("p99", names, names.stream().map(n -> (Number)run.timeToAssignment.get(n).p99).toList());
        return chart;
    }

    private static void line(final XYChart chart, final String name, final double[] x, final double[] y)
    {
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }

    private static String img(final Chart<?, ?> chart) throws IOException
    {
        final byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        return "<p><img alt=\"" + escape(chart.getTitle()) + "\" src=\"data:image/png;base64," +
            Base64.getEncoder().encodeToString(png) + "\"></p>";
    }

    private static String escape(final String s)
    {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
