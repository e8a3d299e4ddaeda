package dev.triage.bench;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One command in flight at a time (publish, then wait for its callback): the ring's latency when idle, which is
 * what a wait strategy costs a quiet helpdesk. The caller waits by yielding.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RingLatencyBenchmark
{
    @Param({ "BLOCKING", "LITE_BLOCKING", "SLEEPING", "BACKOFF" })
    public EngineContext.WaitStrategyKind waitStrategy;

    private TriageEngine engine;
    private volatile boolean done;
    private final Reply reply = new Reply(r -> done = true);
    private final Command next = Command.nextBest("nobody-qualified", 0);

    @Setup(Level.Trial)
    public void start()
    {
        engine = TriageEngine.start(new EngineContext().waitStrategy(waitStrategy));
        engine.submit(Command.upsertAgent("nobody-qualified", 1, "no-such-skill")).join();
        next.reply = reply;
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        engine.close();
    }

    /**
     * @return the result, against dead-code elimination.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ResultCode roundTrip()
    {
        done = false;
        reply.reset();
        engine.publish(next);
        while (!done)
        {
            Thread.yield();
        }
        return reply.result;
    }
}
