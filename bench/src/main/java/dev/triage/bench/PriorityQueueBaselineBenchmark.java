package dev.triage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * What a team would write with the JDK alone, beside {@link ProcessorBenchmark} on the same workload and cycle:
 * one {@code java.util.PriorityQueue} per skill set ordered by the same time-invariant key, a {@code HashMap} by
 * id, and a lock around each command. Simpler than ours (no SLA, incidents, newest-first, timers), so a fair
 * lower bound for a plain implementation.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = { "-Xms3g", "-Xmx3g", "-XX:+UseParallelGC" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PriorityQueueBaselineBenchmark
{
    private static final long AGE_UNITS_PER_MS = 2;
    private static final long[] URGENCY_POINTS = { 0, 100, 300, 600, 1000 };

    static final class Conv
    {
        final String id;
        final int skillSet;
        final long key;
        final long seq;
        String agent;
        boolean acked;

        Conv(final String id, final int skillSet, final long key, final long seq)
        {
            this.id = id;
            this.skillSet = skillSet;
            this.key = key;
            this.seq = seq;
        }
    }

    private static final Comparator<Conv> ORDER = Comparator.<Conv>comparingLong(c -> -c.key).thenComparingLong(c -> c.seq);

    @Param({ "10000", "100000", "1000000" })
    public int depth;

    private final Workload workload = new Workload(42);
    private final Object lock = new Object();
    @SuppressWarnings("unchecked")
    private final PriorityQueue<Conv>[] queues = new PriorityQueue[Workload.SKILL_SETS];
    private final Map<String, Conv> byId = new HashMap<>();
    private final int[][] eligible = new int[Workload.AGENTS][];
    private final ArrayDeque<String> freeIds = new ArrayDeque<>();
    private long sequence;
    private long nowMs = 1_767_225_600_000L;

    @Setup(Level.Trial)
    public void setUp()
    {
        for (int s = 0; s < Workload.SKILL_SETS; s++)
        {
            queues[s] = new PriorityQueue<>(ORDER);
        }
        for (int a = 0; a < Workload.AGENTS; a++)
        {
            final java.util.Set<String> held = java.util.Set.of(workload.agentSkills[a]);
            eligible[a] = java.util.stream.IntStream.range(0, Workload.SKILL_SETS)
                .filter(s -> held.containsAll(java.util.Arrays.asList(workload.skillSets[s]))).toArray();
        }
        for (int i = 0; i < depth + 1_024; i++)
        {
            freeIds.add("conversation-" + i);
        }
        for (int i = 0; i < depth; i++)
        {
            open();
        }
    }

    /**
     * One open, next-best, ack and resolve, each under the lock: four commands per op.
     *
     * @return the assigned id.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String mixedCycle()
    {
        final int agent = workload.agentFor(open());
        final String assigned;
        synchronized (lock)
        {
            nowMs++;
            Conv best = null;
            long bestScore = 0;
            for (final int s : eligible[agent])
            {
                final Conv head = queues[s].peek();
                if (head != null)
                {
                    final long score = head.key + AGE_UNITS_PER_MS * nowMs;
                    if (best == null || score > bestScore || (score == bestScore && head.seq < best.seq))
                    {
                        best = head;
                        bestScore = score;
                    }
                }
            }
            queues[best.skillSet].poll();
            best.agent = workload.agentIds[agent];
            assigned = best.id;
        }
        synchronized (lock)
        {
            byId.get(assigned).acked = true;
        }
        synchronized (lock)
        {
            byId.remove(assigned);
        }
        freeIds.addLast(assigned);
        return assigned;
    }

    private int open()
    {
        final int skillSet = workload.skillSetIndex();
        final String id = freeIds.pollFirst();
        final int urgency = workload.urgency().ordinal();
        final int impact = workload.impact();
        workload.hasSla();
        synchronized (lock)
        {
            nowMs++;
            final long points = URGENCY_POINTS[urgency] + 60L * (63 - Long.numberOfLeadingZeros(1 + impact));
            final Conv c = new Conv(id, skillSet, points * 60_000 - AGE_UNITS_PER_MS * nowMs, ++sequence);
            byId.put(id, c);
            queues[skillSet].add(c);
        }
        return skillSet;
    }
}
