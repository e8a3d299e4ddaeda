package dev.triage.bench.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code triage load}: drives a running Triage server (and, side by side, Redis and PostgreSQL) with a seeded
 * workload and writes report.json and report.html.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Drive Triage (and peers) with a seeded support workload; write report.json and report.html.",
        "Profiles: steady (Poisson arrivals, agents working), spike (steady plus an incident burst), replay-shape (arrival",
        "times from a journal), throughput (open N as fast as possible, then claim them all), compare (throughput then",
        "steady, per target, with a table of ratios), ingest (Triage only: stream N over Ingest)."})
public final class LoadCommand implements Callable<Integer>
{
    @Option(names = "--profile", defaultValue = "steady", description = "steady, spike, replay-shape, throughput, compare, ingest (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--target", defaultValue = "triage", split = ",",
        description = "triage, triage-session (agents multiplexed on one Session stream), redis, postgres, postgres-lateral; several run one after the other (default: ${DEFAULT-VALUE})")
    List<String> targets;

    @Option(names = "--triage", defaultValue = "localhost:7411", description = "Triage server (default: ${DEFAULT-VALUE})")
    String triageAddress;

    @Option(names = "--token", defaultValue = "${env:TRIAGE_TOKEN}", description = "bearer token for Triage")
    String token;

    @Option(names = "--triage-durability", defaultValue = "journal on, durability process (page cache; survives a killed process)",
        description = "how the Triage server was started, for the report")
    String triageDurability;

    @Option(names = "--server-pid", defaultValue = "0", description = "Triage server process, to report its RSS")
    long serverPid;

    @Option(names = "--redis", defaultValue = "127.0.0.1:6390", description = "Redis (default: ${DEFAULT-VALUE}; bench/peers.sh starts it)")
    String redis;

    @Option(names = "--postgres", defaultValue = "jdbc:postgresql://127.0.0.1:55432/postgres?user=postgres",
        description = "PostgreSQL JDBC URL (default: ${DEFAULT-VALUE}; bench/peers.sh starts it)")
    String postgres;

    @Option(names = "--rate", defaultValue = "500", description = "arrivals per second, steady/spike (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--seconds", defaultValue = "30", description = "run length, steady/spike (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--agents", defaultValue = "16", description = "simulated agents (default: ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "--handle-ms", defaultValue = "20", description = "mean handle time, exponential (default: ${DEFAULT-VALUE}; throughput runs use 0)")
    double handleMs;

    @Option(names = "--release-share", defaultValue = "0.05", description = "share of claims released back (default: ${DEFAULT-VALUE})")
    double releaseShare;

    @Option(names = "--long-poll-ms", defaultValue = "1000", description = "NextBest wait after an empty answer (Triage only) (default: ${DEFAULT-VALUE})")
    int longPollMs;

    @Option(names = "--openers", defaultValue = "4", description = "integration threads opening conversations (default: ${DEFAULT-VALUE})")
    int openers;

    @Option(names = "--spike-count", defaultValue = "100000", description = "conversations in the spike (default: ${DEFAULT-VALUE})")
    int spikeCount;

    @Option(names = "--spike-at", defaultValue = "10", description = "spike start, seconds (default: ${DEFAULT-VALUE})")
    double spikeAt;

    @Option(names = "--spike-seconds", defaultValue = "10", description = "spike length, seconds (default: ${DEFAULT-VALUE})")
    double spikeSeconds;

    @Option(names = "--journal", description = "replay-shape: the journal whose OPEN times to follow")
    Path journal;

    @Option(names = "--speed", defaultValue = "1", description = "replay-shape: time compression (default: ${DEFAULT-VALUE})")
    double speed;

    @Option(names = "--conversations", defaultValue = "100000", description = "throughput/compare/ingest: how many (default: ${DEFAULT-VALUE})")
    int conversations;

    @Option(names = "--batch", defaultValue = "500",
        description = "ingest: conversations per IngestBatch message; 1 uses the per-item Ingest stream (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--warmup", defaultValue = "-1",
        description = "conversations of an unrecorded throughput pass before measuring each target (JIT of server and client); " +
            "default: 20000 for compare, else 0")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "workload seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", defaultValue = "load-report", description = "report directory (default: ./${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--quiet", description = "no progress line")
    boolean quiet;

    /**
     * Ids are prefixed per run so runs against one long-lived server never collide: an Open of an id the server
     * still keeps (resolved) is an idempotent no-op, and such a run would find nothing to claim. The prefix is this
     * invocation's start in base 36 (a new one every millisecond) and a count of runs in it.
     */
    private final String invocation = Long.toString(System.currentTimeMillis(), 36);
    private int runs;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        final CommandLine cli = new CommandLine(new LoadCommand());
        cli.setExecutionExceptionHandler((e, line, parsed) ->
        {
            line.getErr().println("load: " + e.getMessage());
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final List<RunResult> results = new ArrayList<>();
        for (final String name : targets)
        {
            try (Target target = target(name))
            {
                final int warm = warmup >= 0 ? warmup : profile.equals("compare") ? 20_000 : 0;
                if (warm > 0)
                {
                    new LoadRun(target, Schedule.burst(nextRun(), seed + 1, agents, warm),
                        new LoadRun.Settings("warmup", seed, openers, 0, 0, 0, 0, false), true).runThroughput();
                }
                switch (profile)
                {
                    case "steady", "spike", "replay-shape" -> results.add(paced(target, profile));
                    case "throughput" -> results.add(throughput(target));
                    case "compare" ->
                    {
                        results.add(throughput(target));
                        results.add(paced(target, "steady"));
                    }
                    case "ingest" -> results.add(ingest(target));
                    default -> throw new IllegalArgumentException("--profile must be steady, spike, replay-shape, throughput, compare or " +
                        "ingest, was '" + profile + "'");
                }
            }
        }
        final String table = table(results);
        System.out.println(table);
        Report.write(out, machine(), results, table);
        System.out.println("report: " + out.resolve("report.html").toAbsolutePath() + " and report.json");
        return 0;
    }

    private Target target(final String name) throws Exception
    {
        return switch (name)
        {
            case "triage" -> new TriageTarget(triageAddress, token, triageDurability);
            case "triage-session" -> new TriageTarget(triageAddress, token, triageDurability, true);
            case "redis" -> new RedisTarget(redis.substring(0, redis.lastIndexOf(':')), Integer.parseInt(redis.substring(redis.lastIndexOf(':') + 1)));
            case "postgres" -> new PostgresTarget(postgres, false);
            case "postgres-lateral" -> new PostgresTarget(postgres, true);
            default -> throw new IllegalArgumentException("--target must be triage, triage-session, redis, postgres or postgres-lateral, was '" + name + "'");
        };
    }

    private RunResult paced(final Target target, final String shape) throws Exception
    {
        final Schedule schedule = switch (shape)
        {
            case "spike" -> Schedule.poisson(nextRun(), seed, agents, rate, seconds, spikeCount, spikeAt, spikeSeconds);
            case "replay-shape" ->
            {
                if (journal == null)
                {
                    throw new IllegalArgumentException("--profile replay-shape needs --journal DIR");
                }
                yield Schedule.fromJournal(nextRun(), journal, agents, speed);
            }
            default -> Schedule.poisson(nextRun(), seed, agents, rate, seconds, 0, 0, 0);
        };
        final LoadRun runner = new LoadRun(target, schedule,
            new LoadRun.Settings(shape, seed, openers, handleMs, releaseShare, longPollMs, seconds, true), quiet);
        return withRss(runner.runPaced(), target);
    }

    private RunResult throughput(final Target target) throws Exception
    {
        final Schedule schedule = Schedule.burst(nextRun(), seed, agents, conversations);
        final LoadRun runner = new LoadRun(target, schedule,
            new LoadRun.Settings("throughput", seed, openers, 0, 0, 0, 0, false), quiet);
        return withRss(runner.runThroughput(), target);
    }

    private RunResult ingest(final Target target) throws Exception
    {
        if (!(target instanceof TriageTarget triage))
        {
            throw new IllegalArgumentException("--profile ingest streams over Triage's Ingest RPC; use --target triage");
        }
        final Schedule schedule = Schedule.burst(nextRun(), seed, agents, conversations);
        triage.reset(schedule.agents);
        final java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        final long t0 = System.nanoTime();
        final java.util.function.LongConsumer progress = n ->
        {
            final long total = done.addAndGet(n);
            if (!quiet && total / 100_000 != (total - n) / 100_000)
            {
                System.err.printf("\ringest %,d / %,d (%,.0f/s)   ", total, schedule.conversations.size(), total / ((System.nanoTime() - t0) / 1e9));
            }
        };
        final long failed = batch > 1
            ? triage.ingestBatches(schedule.conversations, batch, r -> progress.accept(r.getOpened() + r.getFailedCount()))
            : triage.ingest(schedule.conversations, r -> progress.accept(1));
        final double secs = (System.nanoTime() - t0) / 1e9;
        if (!quiet)
        {
            System.err.println();
        }
        final RunResult result = new RunResult();
        result.target = target.name();
        result.durability = target.durability();
        result.profile = batch > 1 ? "ingest x" + batch : "ingest";
        result.seed = seed;
        result.seconds = secs;
        result.opensPerSecond = (schedule.conversations.size() - failed) / secs;
        if (failed > 0)
        {
            result.errors.put("Ingest not OK", failed);
        }
        return withRss(result, target);
    }

    private RunResult withRss(final RunResult result, final Target target) throws Exception
    {
        try (Target.Session session = target.session())
        {
            result.openAtEnd = session.depthAndOldestWait()[0];
        }
        if (serverPid > 0 && target instanceof TriageTarget)
        {
            for (final String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    result.serverRssBytes = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        return result;
    }

    private String nextRun()
    {
        return invocation + (char)('a' + runs++ % 26);
    }

    /** One line per run; with Triage and peers, the ratios Triage/peer. */
    static String table(final List<RunResult> results)
    {
        final StringBuilder sb = new StringBuilder(2048);
        sb.append(String.format(Locale.ROOT, "%-17s %-11s %12s %12s %10s %10s %10s %10s %10s %9s  %s%n", "target", "profile", "opens/s",
            "claims/s", "Open p99", "NB p50", "NB p99", "NB p99.9", "Res p99", "errors", "durability"));
        for (final RunResult r : results)
        {
            final RunResult.Latency open = r.rpc.get("Open");
            final RunResult.Latency nb = r.rpc.get("NextBest");
            final RunResult.Latency res = r.rpc.get("Resolve");
            final double opens = r.opensPerSecond > 0 ? r.opensPerSecond : open == null ? 0 : open.perSecond;
            final double claims = r.claimsPerSecond > 0 ? r.claimsPerSecond : nb == null ? 0 : r.timeToAssignment.values().stream()
                .mapToLong(l -> l.count).sum() / Math.max(1e-9, r.seconds);
            sb.append(String.format(Locale.ROOT, "%-17s %-11s %,12.0f %,12.0f %10s %10s %10s %10s %10s %,9d  %s%n", r.target, r.profile, opens,
                claims, ms(open == null ? null : open.p99), ms(nb == null ? null : nb.p50), ms(nb == null ? null : nb.p99),
                ms(nb == null ? null : nb.p999), ms(res == null ? null : res.p99), r.errors.values().stream().mapToLong(Long::longValue).sum(),
                r.durability));
            if (r.spikeWindow != null)
            {
                sb.append(String.format(Locale.ROOT, "%17s NextBest p99 in the spike %.3f ms vs %.3f ms outside it (%.2fx)%n", "",
                    r.nextBestP99Spike, r.nextBestP99Steady, r.nextBestP99Spike / Math.max(1e-9, r.nextBestP99Steady)));
            }
            if (r.serverRssBytes > 0)
            {
                sb.append(String.format(Locale.ROOT, "%17s server RSS %,.1f MB with %,d open%n", "", r.serverRssBytes / 1048576.0, r.openAtEnd));
            }
        }
        final Map<String, RunResult> triage = new LinkedHashMap<>();
        results.stream().filter(r -> r.target.equals("triage")).forEach(r -> triage.put(r.profile, r));
        final List<String> ratios = new ArrayList<>();
        for (final RunResult peer : results)
        {
            final RunResult ours = triage.get(peer.profile);
            if (peer.target.equals("triage") || ours == null)
            {
                continue;
            }
            if (peer.profile.equals("throughput"))
            {
                ratios.add(String.format(Locale.ROOT, "triage/%-16s throughput: opens/s %.2fx, claims/s %.2fx, NextBest p99 %.2fx lower, Open p99 %.2fx lower",
                    peer.target, ours.opensPerSecond / peer.opensPerSecond, ours.claimsPerSecond / peer.claimsPerSecond,
                    peer.rpc.get("NextBest").p99 / ours.rpc.get("NextBest").p99, peer.rpc.get("Open").p99 / ours.rpc.get("Open").p99));
            }
            else
            {
                ratios.add(String.format(Locale.ROOT, "triage/%-16s %s: NextBest p99 %.2fx lower, Open p99 (from intended send) %.2fx lower",
                    peer.target, peer.profile, peer.rpc.get("NextBest").p99 / ours.rpc.get("NextBest").p99,
                    peer.rpc.get("Open").p99 / ours.rpc.get("Open").p99));
            }
        }
        ratios.forEach(line -> sb.append(line).append('\n'));
        return sb.toString();
    }

    private static String ms(final Double value)
    {
        return value == null ? "-" : String.format(Locale.ROOT, "%.3fms", value);
    }

    private static Map<String, Object> machine()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        try
        {
            Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                .ifPresent(l -> m.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
            Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                .ifPresent(l -> m.put("memory", l.substring(l.indexOf(':') + 1).trim()));
        }
        catch (final java.io.IOException ignored)
        {
            // not Linux: the report has less about the machine
        }
        return m;
    }
}
