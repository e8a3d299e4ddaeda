package dev.triage.bench;

import dev.triage.api.client.TriageClient;
import dev.triage.proto.v1.InfoReply;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.Urgency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a leader loss and a long absence cost a three-node cluster on this host, measured from outside: real server
 * processes ({@code java -jar triage.jar serve --cluster FILE --node N}), killed with SIGKILL.
 * <ul>
 * <li>Failover, {@code --rounds} times: a writer opens conversations one at a time through a follower; the leader is
 * killed; the figure is the time from the kill to the first acknowledgement of a command sent after it. The killed
 * node is restarted and caught up before the next round.</li>
 * <li>Catch-up ({@code --catch-up N}, 0 for none): a follower is stopped, N opens go through the others (64 in
 * flight, which also gives the cluster's write throughput), then the follower is started and timed until it has
 * applied what the leader has.</li>
 * </ul>
 * {@code java -cp bench/target/benchmarks.jar dev.triage.bench.ClusterFailover [--rounds 5] [--catch-up 1000000]
 * [--jar api/target/triage.jar] [--cluster docs/cluster-3-loopback.conf]}
 */
public final class ClusterFailover
{
    private final Path jar;
    private final Path conf;
    private final Path root;
    private final int[] ports = { 7411, 7412, 7413 };
    private final Process[] nodes = new Process[3];
    private final TriageClient[] clients = new TriageClient[3];

    private ClusterFailover(final Path jar, final Path conf, final Path root)
    {
        this.jar = jar;
        this.conf = conf;
        this.root = root;
    }

    public static void main(final String[] args) throws Exception
    {
        int rounds = 5;
        long catchUp = 0;
        Path jar = Path.of("api/target/triage.jar");
        Path conf = Path.of("docs/cluster-3-loopback.conf");
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--catch-up" -> catchUp = Long.parseLong(args[i + 1]);
                case "--jar" -> jar = Path.of(args[i + 1]);
                case "--cluster" -> conf = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final ClusterFailover bench = new ClusterFailover(jar, conf, Files.createTempDirectory("triage-cluster-bench"));
        try
        {
            for (int n = 0; n < 3; n++)
            {
                bench.start(n);
            }
            bench.awaitLeader();
            final double[] failovers = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                failovers[r] = bench.failover(r);
                System.out.printf(Locale.ROOT, "round %d: leader loss to next acknowledged command %.0f ms%n", r + 1, failovers[r]);
            }
            if (rounds > 0)
            {
                Arrays.sort(failovers);
                System.out.printf(Locale.ROOT, "failover over %d rounds: median %.0f ms, min %.0f, max %.0f; failed calls by " +
                    "code over all rounds: %s (outcome unknown: each may have been applied)%n", rounds,
                    failovers[rounds / 2], failovers[0], failovers[rounds - 1],
                    bench.totalFailures.isEmpty() ? "none" : bench.totalFailures);
            }
            if (catchUp > 0)
            {
                bench.catchUp(catchUp);
            }
        }
        finally
        {
            bench.close();
        }
    }

    private void start(final int n) throws IOException, InterruptedException
    {
        final Path log = root.resolve("node" + n + ".log");
        Files.deleteIfExists(log);
        nodes[n] = new ProcessBuilder("java", "-XX:-UsePerfData", "-jar", jar.toString(), "serve", "--cluster", conf.toString(),
            "--node", Integer.toString(n), "--journal", root.resolve("node" + n).toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(log) || !Files.readString(log).contains("triage listening"))
        {
            if (System.nanoTime() > deadline || !nodes[n].isAlive())
            {
                throw new IllegalStateException("node " + n + " did not start; see " + log);
            }
            Thread.sleep(20);
        }
        clients[n] = TriageClient.builder("127.0.0.1:" + ports[n]).deadlineMs(30_000).build();
    }

    private void kill(final int n) throws InterruptedException
    {
        nodes[n].destroyForcibly();
        nodes[n].waitFor();
        nodes[n] = null;
        clients[n].close();
        clients[n] = null;
    }

    private InfoReply info(final int n)
    {
        try
        {
            return clients[n].info().get(2, TimeUnit.SECONDS);
        }
        catch (final Exception e)
        {
            return null;
        }
    }

    private int awaitLeader() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            for (int n = 0; n < 3; n++)
            {
                final InfoReply info = nodes[n] == null ? null : info(n);
                if (info != null && "LEADER".equals(info.getCluster().getRole()))
                {
                    return n;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no leader within 60 s");
    }

    /** Wait until every running node has applied the same sequence. */
    private long awaitCaughtUp() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            long sequence = Long.MIN_VALUE;
            boolean same = true;
            for (int n = 0; n < 3 && same; n++)
            {
                final InfoReply info = nodes[n] == null ? null : info(n);
                same = info != null && (sequence == Long.MIN_VALUE || sequence == info.getSequence());
                sequence = info == null ? sequence : info.getSequence();
            }
            if (same)
            {
                return sequence;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the nodes did not converge within 10 minutes");
    }

    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Long> totalFailures = new java.util.TreeMap<>();

    /** A failed call's gRPC status code (UNAVAILABLE, DEADLINE_EXCEEDED, ...), or its exception's name. */
    private static String codeOf(final Throwable e)
    {
        for (Throwable t = e; t != null; t = t.getCause())
        {
            if (t instanceof io.grpc.StatusRuntimeException s)
            {
                return s.getStatus().getCode().name();
            }
        }
        return e.getClass().getSimpleName();
    }

    private double failover(final int round) throws Exception
    {
        final int leader = awaitLeader();
        final int follower = (leader + 1) % 3;
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong firstAckAfter = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final Thread writer = new Thread(() ->
        {
            for (long k = 0; writing.get(); k++)
            {
                final long sent = System.nanoTime();
                try
                {
                    clients[follower].open(OpenRequest.newBuilder().setId("fo-" + round + "-" + k).setUrgency(Urgency.NORMAL)
                        .setImpact(1).build()).get(30, TimeUnit.SECONDS);
                    acked.incrementAndGet();
                    if (sent >= killedAt.get() && firstAckAfter.get() == 0)
                    {
                        firstAckAfter.set(System.nanoTime());
                    }
                }
                catch (final Exception e)
                {
                    // A gap: the next command tells when the cluster serves again. Each failure is counted by its code,
                    // so "no call failed" has evidence, and each is an outcome to report (it may have been applied).
                    failures.computeIfAbsent(codeOf(e), c -> new java.util.concurrent.atomic.LongAdder()).increment();
                }
            }
        }, "failover-writer");
        writer.start();
        while (acked.get() < 200)
        {
            Thread.sleep(5);
        }
        killedAt.set(System.nanoTime());
        kill(leader);
        while (firstAckAfter.get() == 0)
        {
            Thread.sleep(1);
        }
        writing.set(false);
        writer.join();
        final double ms = (firstAckAfter.get() - killedAt.get()) / 1e6;
        System.out.printf(Locale.ROOT, "round %d: %,d acknowledged, failed calls by code: %s%n", round + 1, acked.get(),
            failures.isEmpty() ? "none" : new java.util.TreeMap<>(failures));
        failures.forEach((code, n) -> totalFailures.merge(code, n.sum(), Long::sum));
        failures.clear();
        start(leader);
        awaitCaughtUp();
        return ms;
    }

    private void catchUp(final long commands) throws Exception
    {
        final int leader = awaitLeader();
        final int absent = (leader + 1) % 3;
        final int writeTo = (leader + 2) % 3;
        nodes[absent].destroy();
        nodes[absent].waitFor();
        nodes[absent] = null;
        clients[absent].close();
        clients[absent] = null;
        final Semaphore inFlight = new Semaphore(64);
        final AtomicLong failed = new AtomicLong();
        final long start = System.nanoTime();
        for (long k = 0; k < commands; k++)
        {
            inFlight.acquire();
            final CompletableFuture<?> call = clients[writeTo].open(OpenRequest.newBuilder().setId("cu-" + k)
                .setUrgency(Urgency.values()[1 + (int)(k % 5)]).setImpact(1).build());
            call.whenComplete((r, t) ->
            {
                if (t != null)
                {
                    failed.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(64);
        final double writeSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%,d opens through follower %d with node %d down: %.1f s, %,.0f acknowledged/s, %d failed%n",
            commands, writeTo, absent, writeSeconds, commands / writeSeconds, failed.get());
        final long target = info(leader).getSequence();
        final long restart = System.nanoTime();
        start(absent);
        final long listening = System.nanoTime();
        while (true)
        {
            final InfoReply info = info(absent);
            if (info != null && info.getSequence() >= target)
            {
                break;
            }
            Thread.sleep(20);
        }
        final double seconds = (System.nanoTime() - restart) / 1e9;
        System.out.printf(Locale.ROOT, "node %d, down for %,d commands: caught up to sequence %,d in %.1f s from its start " +
            "(%.1f s of it starting the JVM and Aeron), %,.0f commands/s%n", absent, commands, target, seconds,
            (listening - restart) / 1e9, target / seconds);
    }

    private void close() throws InterruptedException
    {
        for (int n = 0; n < 3; n++)
        {
            if (clients[n] != null)
            {
                clients[n].close();
            }
            if (nodes[n] != null)
            {
                nodes[n].destroyForcibly();
                nodes[n].waitFor();
            }
        }
        final List<Path> paths = new ArrayList<>();
        try (var walk = Files.walk(root))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(paths::add);
        }
        catch (final IOException e)
        {
            return;
        }
        for (final Path p : paths)
        {
            try
            {
                Files.deleteIfExists(p);
            }
            catch (final IOException ignored)
            {
                // Best effort: a temporary directory.
            }
        }
    }
}
