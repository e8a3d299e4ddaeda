package dev.triage.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a schedule against a target: integrations open conversations open-loop at their intended times (latency from
 * the intended send time, so a stalled target cannot hide its queueing: coordinated omission corrected), simulated
 * agents work closed-loop (NextBest, hold for an exponentially distributed handle time, Resolve, or Release some),
 * and a sampler records every second. HdrHistogram recorders take values from all threads without locks.
 */
final class LoadRun
{
    static final String[] URGENCY = { "LOW", "NORMAL", "HIGH", "URGENT", "CRITICAL" };
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(10);

    /** Run parameters. */
    record Settings(String profile, long seed, int openers, double handleMsMean, double releaseShare, int longPollMs,
                    double seconds, boolean paced)
    {
    }

    private final Target target;
    private final Schedule schedule;
    private final Settings settings;
    private final Recorder open = recorder();
    private final Recorder nextBest = recorder();
    private final Recorder longPoll = recorder();
    private final Recorder resolve = recorder();
    private final Recorder release = recorder();
    private final Recorder[] toAssignment = new Recorder[URGENCY.length];
    private final Histogram openTotal = histogram();
    private final Histogram nextBestTotal = histogram();
    private final Histogram longPollTotal = histogram();
    private final Histogram resolveTotal = histogram();
    private final Histogram releaseTotal = histogram();
    private final Histogram[] toAssignmentTotal = new Histogram[URGENCY.length];
    private final Histogram nextBestSpike = histogram();
    private final Histogram nextBestSteady = histogram();
    private final AtomicLongArray openedAt;
    private final LongAdder opens = new LongAdder();
    private final LongAdder claims = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger nextOpen = new AtomicInteger();
    private final boolean quiet;

    LoadRun(final Target target, final Schedule schedule, final Settings settings, final boolean quiet)
    {
        this.target = target;
        this.schedule = schedule;
        this.settings = settings;
        this.quiet = quiet;
        openedAt = new AtomicLongArray(schedule.conversations.size());
        for (int u = 0; u < URGENCY.length; u++)
        {
            toAssignment[u] = recorder();
            toAssignmentTotal[u] = histogram();
        }
    }

    private static Recorder recorder()
    {
        return new Recorder(MAX_NANOS, 3);
    }

    private static Histogram histogram()
    {
        return new Histogram(MAX_NANOS, 3);
    }

    /**
     * Paced runs: openers and agents together for the schedule's length (at least {@code settings.seconds}).
     */
    RunResult runPaced() throws Exception
    {
        target.reset(schedule.agents);
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < settings.openers(); i++)
        {
            threads.add(thread("opener-" + i, () -> openLoop(start, true)));
        }
        for (int i = 0; i < schedule.agents.size(); i++)
        {
            final Target.Agent agent = schedule.agents.get(i);
            final long seed = settings.seed() * 31 + i;
            threads.add(thread(agent.id(), () -> agentLoop(agent, seed, false)));
        }
        threads.forEach(Thread::start);
        final RunResult result = newResult();
        final double seconds = Math.max(settings.seconds(), schedule.seconds());
        sample(start, seconds, result);
        // Every scheduled conversation is sent, however late (its lateness is in the Open latency); then agents stop.
        for (final Thread t : threads.subList(0, settings.openers()))
        {
            t.join(TimeUnit.MINUTES.toMillis(5));
        }
        stop.set(true);
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(40));
        }
        return finish(result, seconds);
    }

    /**
     * Throughput runs: every conversation opened as fast as the openers can (opens/s), then every agent claims and
     * resolves as fast as it can until the queue is empty (claims/s).
     */
    RunResult runThroughput() throws Exception
    {
        target.reset(schedule.agents);
        final RunResult result = newResult();
        final long t0 = System.nanoTime();
        final List<Thread> openers = new ArrayList<>();
        for (int i = 0; i < settings.openers(); i++)
        {
            openers.add(thread("opener-" + i, () -> openLoop(t0, false)));
        }
        openers.forEach(Thread::start);
        final Thread sampler = thread("sampler", () -> sampleQuietly(t0, result));
        sampler.start();
        for (final Thread t : openers)
        {
            t.join();
        }
        final long t1 = System.nanoTime();
        result.opensPerSecond = opens.sum() / ((t1 - t0) / 1e9);
        final boolean async = target.claimAllAsync(schedule.agents, latencyNs ->
        {
            nextBest.recordValue(Math.min(MAX_NANOS, latencyNs));
            claims.increment();
        });
        if (!async)
        {
            final List<Thread> agents = new ArrayList<>();
            for (int i = 0; i < schedule.agents.size(); i++)
            {
                final Target.Agent agent = schedule.agents.get(i);
                final long seed = settings.seed() * 31 + i;
                agents.add(thread(agent.id(), () -> agentLoop(agent, seed, true)));
            }
            agents.forEach(Thread::start);
            for (final Thread t : agents)
            {
                t.join();
            }
        }
        final long t2 = System.nanoTime();
        result.claimsPerSecond = claims.sum() / ((t2 - t1) / 1e9);
        stop.set(true);
        sampler.interrupt();
        sampler.join();
        return finish(result, (t2 - t0) / 1e9);
    }

    private RunResult newResult()
    {
        final RunResult result = new RunResult();
        result.target = target.name();
        result.durability = target.durability();
        result.profile = settings.profile();
        result.seed = settings.seed();
        result.agents = schedule.agents.size();
        result.spikeWindow = schedule.spikeWindow;
        return result;
    }

    private Thread thread(final String name, final Runnable body)
    {
        final Thread t = new Thread(body, "load-" + name);
        t.setDaemon(true);
        return t;
    }

    private void openLoop(final long start, final boolean paced)
    {
        try (Target.Session session = target.session())
        {
            while (true)
            {
                final int i = nextOpen.getAndIncrement();
                if (i >= schedule.conversations.size())
                {
                    return;
                }
                final Conversation c = schedule.conversations.get(i);
                final long intended = paced ? start + c.atNanos() : System.nanoTime();
                long now;
                while (paced && (now = System.nanoTime()) < intended)
                {
                    LockSupport.parkNanos(Math.min(intended - now, 1_000_000));
                }
                // Before the call: an agent may be handed it before the reply comes back.
                openedAt.set(i, intended);
                try
                {
                    session.open(c, System.currentTimeMillis());
                    opens.increment();
                    open.recordValue(Math.min(MAX_NANOS, System.nanoTime() - intended));
                }
                catch (final Exception e)
                {
                    error("Open", e);
                }
            }
        }
        catch (final Exception e)
        {
            error("session", e);
        }
    }

    private void agentLoop(final Target.Agent agent, final long seed, final boolean untilEmpty)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        try (Target.Session session = target.session())
        {
            int wait = 0;
            while (!stop.get())
            {
                final long t0 = System.nanoTime();
                final String id;
                try
                {
                    id = session.nextBest(agent, untilEmpty ? 0 : wait);
                }
                catch (final Exception e)
                {
                    error("NextBest", e);
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                final long t1 = System.nanoTime();
                // A long-poll's time is mostly waiting for work to arrive: reported apart, not as service latency.
                (untilEmpty || wait == 0 ? nextBest : longPoll).recordValue(Math.min(MAX_NANOS, t1 - t0));
                if (id == null)
                {
                    if (untilEmpty)
                    {
                        return;
                    }
                    // Triage long-polls; a peer without long-polls is polled again after a millisecond.
                    if (target.longPolls())
                    {
                        wait = settings.longPollMs();
                    }
                    else
                    {
                        LockSupport.parkNanos(1_000_000);
                    }
                    continue;
                }
                wait = 0;
                claims.increment();
                final int index = Conversation.indexOf(id);
                final Conversation c = schedule.conversations.get(index);
                toAssignment[c.urgency() - 1].recordValue(Math.max(0, Math.min(MAX_NANOS, t1 - openedAt.get(index))));
                if (settings.handleMsMean() > 0)
                {
                    final double ms = -Math.log(1 - random.nextDouble()) * settings.handleMsMean();
                    LockSupport.parkNanos((long)(ms * 1e6));
                }
                final boolean giveBack = random.nextDouble() < settings.releaseShare();
                final long t2 = System.nanoTime();
                try
                {
                    if (giveBack)
                    {
                        session.release(agent, id);
                        release.recordValue(Math.min(MAX_NANOS, System.nanoTime() - t2));
                    }
                    else
                    {
                        session.resolve(agent, id);
                        resolve.recordValue(Math.min(MAX_NANOS, System.nanoTime() - t2));
                    }
                }
                catch (final Exception e)
                {
                    error(giveBack ? "Release" : "Resolve", e);
                }
            }
        }
        catch (final Exception e)
        {
            error("session", e);
        }
    }

    private void error(final String rpc, final Exception e)
    {
        errors.computeIfAbsent(rpc + " " + TriageTarget.kindOf(e), k -> new LongAdder()).increment();
    }

    private void sampleQuietly(final long start, final RunResult result)
    {
        try
        {
            sample(start, Double.MAX_VALUE, result);
        }
        catch (final Exception e)
        {
            // interrupted at the end of a throughput run
        }
    }

    /** Every second until {@code seconds}: interval histograms, depth, oldest wait, the progress line. */
    private void sample(final long start, final double seconds, final RunResult result) throws Exception
    {
        try (Target.Session session = target.session())
        {
            Histogram openI = null;
            Histogram nextI = null;
            long lastOpens = 0;
            long lastClaims = 0;
            for (int s = 1; s <= Math.ceil(seconds) && !stop.get(); s++)
            {
                final long due = start + s * 1_000_000_000L;
                long now;
                while ((now = System.nanoTime()) < due)
                {
                    if (Thread.currentThread().isInterrupted())
                    {
                        return;
                    }
                    LockSupport.parkNanos(due - now);
                }
                openI = open.getIntervalHistogram(openI);
                nextI = nextBest.getIntervalHistogram(nextI);
                drainInto();
                openTotal.add(openI);
                nextBestTotal.add(nextI);
                final RunResult.Second second = new RunResult.Second();
                second.t = s;
                second.opens = opens.sum() - lastOpens;
                second.claims = claims.sum() - lastClaims;
                lastOpens += second.opens;
                lastClaims += second.claims;
                second.openP99 = ms(openI.getValueAtPercentile(99));
                second.nextBestP50 = ms(nextI.getValueAtPercentile(50));
                second.nextBestP99 = ms(nextI.getValueAtPercentile(99));
                final boolean inSpike = schedule.spikeWindow != null && s > schedule.spikeWindow[0] && s <= schedule.spikeWindow[1] + 1;
                (inSpike ? nextBestSpike : nextBestSteady).add(nextI);
                try
                {
                    final long[] depth = session.depthAndOldestWait();
                    second.depth = depth[0];
                    second.oldestWaitMs = depth[1];
                }
                catch (final Exception e)
                {
                    error("Stats", e);
                }
                result.timeline.add(second);
                if (!quiet)
                {
                    System.err.printf("\r%-16s t=%4ds opens %,7d/s claims %,7d/s NextBest p99 %7.2f ms open p99 %7.2f ms depth %,8d errors %,d   ",
                        target.name(), s, second.opens, second.claims, second.nextBestP99, second.openP99, second.depth,
                        errors.values().stream().mapToLong(LongAdder::sum).sum());
                }
            }
        }
        finally
        {
            if (!quiet)
            {
                System.err.println();
            }
        }
    }

    private final Histogram[] scratch = new Histogram[URGENCY.length + 3];

    /** The recorders not charted per second go into their totals. */
    private void drainInto()
    {
        scratch[0] = resolve.getIntervalHistogram(scratch[0]);
        resolveTotal.add(scratch[0]);
        scratch[1] = release.getIntervalHistogram(scratch[1]);
        releaseTotal.add(scratch[1]);
        scratch[URGENCY.length + 2] = longPoll.getIntervalHistogram(scratch[URGENCY.length + 2]);
        longPollTotal.add(scratch[URGENCY.length + 2]);
        for (int u = 0; u < URGENCY.length; u++)
        {
            scratch[2 + u] = toAssignment[u].getIntervalHistogram(scratch[2 + u]);
            toAssignmentTotal[u].add(scratch[2 + u]);
        }
    }

    private RunResult finish(final RunResult result, final double seconds)
    {
        openTotal.add(open.getIntervalHistogram());
        final Histogram tail = nextBest.getIntervalHistogram();
        nextBestTotal.add(tail);
        drainInto();
        result.seconds = seconds;
        result.rpc.put("Open", latency(openTotal, seconds));
        result.rpc.put("NextBest", latency(nextBestTotal, seconds));
        result.rpc.put("Resolve", latency(resolveTotal, seconds));
        result.rpc.put("Release", latency(releaseTotal, seconds));
        if (longPollTotal.getTotalCount() > 0)
        {
            result.rpc.put("NextBest long-poll (incl. waiting)", latency(longPollTotal, seconds));
        }
        for (int u = 0; u < URGENCY.length; u++)
        {
            result.timeToAssignment.put(URGENCY[u], latency(toAssignmentTotal[u], seconds));
        }
        errors.forEach((k, v) -> result.errors.put(k, v.sum()));
        result.nextBestP99Spike = ms(nextBestSpike.getValueAtPercentile(99));
        result.nextBestP99Steady = ms(nextBestSteady.getValueAtPercentile(99));
        return result;
    }

    private static RunResult.Latency latency(final Histogram h, final double seconds)
    {
        final RunResult.Latency l = new RunResult.Latency();
        l.count = h.getTotalCount();
        l.perSecond = seconds > 0 ? l.count / seconds : 0;
        l.p50 = ms(h.getValueAtPercentile(50));
        l.p90 = ms(h.getValueAtPercentile(90));
        l.p99 = ms(h.getValueAtPercentile(99));
        l.p999 = ms(h.getValueAtPercentile(99.9));
        l.max = ms(h.getMaxValue());
        if (l.count > 0)
        {
            for (final double p : new double[] { 0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100 })
            {
                l.distribution.add(new double[] { p, ms(h.getValueAtPercentile(p)) });
            }
        }
        return l;
    }

    static double ms(final long nanos)
    {
        return Math.round(nanos / 1e3) / 1e3;
    }
}
