package dev.triage.bench;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;

import java.lang.management.ManagementFactory;

/**
 * CPU an idle engine burns with a given wait strategy (ticker on), as a share of one core over 5 s:
 * {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.triage.bench.IdleCpu BACKOFF}. Run one strategy per JVM so JIT warm-up does not count.
 */
public final class IdleCpu
{
    private IdleCpu()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        final EngineContext.WaitStrategyKind strategy = EngineContext.WaitStrategyKind.valueOf(args.length > 0 ? args[0] : "BACKOFF");
        try (TriageEngine engine = TriageEngine.start(new EngineContext().waitStrategy(strategy)))
        {
            Thread.sleep(1_000);
            final long cpu0 = os.getProcessCpuTime();
            final long t0 = System.nanoTime();
            Thread.sleep(5_000);
            System.out.printf("%s idle: %.1f%% of one core%n", strategy, 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - t0));
        }
    }
}
