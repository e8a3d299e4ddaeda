package dev.triage.bench;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End to end through the ring: 4 threads publish concurrently, each keeping up to 256 commands in flight, and
 * an op counts when published; each iteration ends only when every callback has arrived, so ops/s is
 * publish -> callback throughput. Commands alternate OPEN and RESOLVE of the thread's own ids (with a NEXT_BEST
 * that finds nothing every fourth), so the book stays small and the figure is the pipeline's cost.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(4)
public class RingBenchmark
{
    private static final int WINDOW = 256;

    @Param({ "BLOCKING", "LITE_BLOCKING", "SLEEPING", "BACKOFF", "YIELDING", "PROGRESS_BLOCKING" })
    public EngineContext.WaitStrategyKind waitStrategy;

    /** "off"; "process": every state-changing command appended to a journal in a temp dir; "fsync": also forced per batch. */
    @Param({ "off" })
    public String journal;

    private TriageEngine engine;
    private Path journalDir;

    @Setup(Level.Trial)
    public void start() throws IOException
    {
        final EngineContext context = new EngineContext().waitStrategy(waitStrategy).ringSize(16_384).retainResolved(0);
        if (!journal.equals("off"))
        {
            journalDir = Files.createTempDirectory("ring-journal");
            context.journalDir(journalDir).snapshotEveryCommands(0)
                .durability(journal.equals("fsync") ? EngineContext.Durability.FSYNC : EngineContext.Durability.PROCESS);
        }
        engine = TriageEngine.start(context);
        engine.submit(Command.upsertAgent("nobody-qualified", 1, "no-such-skill")).join();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException
    {
        engine.close();
        if (journalDir != null)
        {
            JournalReplay.delete(journalDir);
        }
    }

    /**
     * One publishing thread's window of reusable replies.
     */
    @State(Scope.Thread)
    public static class Publisher
    {
        private static final AtomicLong THREADS = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final Reply[] replies = new Reply[WINDOW];
        final String[] ids = new String[4 * WINDOW];
        final Command open = Command.open(null, Urgency.NORMAL, 1);
        final Command resolve = Command.of(CommandType.RESOLVE);
        final Command next = Command.nextBest("nobody-qualified", 0);
        long sent;

        @Setup(Level.Trial)
        public void setUp()
        {
            final long thread = THREADS.incrementAndGet();
            for (int i = 0; i < WINDOW; i++)
            {
                // Callbacks for one publisher come from the single reply thread, in order: a plain counter suffices.
                replies[i] = new Reply(r -> completed.lazySet(completed.get() + 1));
            }
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = "t" + thread + "-" + i;
            }
        }

        @TearDown(Level.Iteration)
        public void drain()
        {
            while (completed.get() < sent)
            {
                Thread.yield();
            }
        }
    }

    /**
     * @param p this thread's publisher.
     * @return the sequence count, against dead-code elimination.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long publish(final Publisher p)
    {
        while (p.sent - p.completed.get() >= WINDOW)
        {
            Thread.yield();
        }
        final long n = p.sent;
        final Command command;
        switch ((int)(n & 3))
        {
            case 0:
                command = p.open;
                command.conversationId = p.ids[(int)((n >> 2) % p.ids.length)];
                break;
            case 1:
                command = p.next;
                break;
            default:
                command = p.resolve;
                command.conversationId = p.ids[(int)((n >> 2) % p.ids.length)];
                break;
        }
        final Reply reply = p.replies[(int)(n % WINDOW)];
        reply.reset();
        command.reply = reply;
        while (engine.publish(command) != ResultCode.OK)
        {
            Thread.yield();
        }
        p.sent = n + 1;
        return n;
    }
}
