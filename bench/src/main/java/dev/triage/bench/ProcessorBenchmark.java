package dev.triage.bench;

import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The processor alone (no ring, no threads) at a steady queue depth: each cycle opens one conversation and
 * serves one (NEXT_BEST, ACK, RESOLVE), so the depth stays at {@code depth}. Commands and replies are reused and
 * resolved conversations are recycled, as in the live engine. Run with {@code -prof gc}: B/op of a cycle is the
 * sum over its four command types.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = { "-Xms3g", "-Xmx3g", "-XX:+UseParallelGC" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ProcessorBenchmark
{
    @Param({ "10000", "100000", "1000000" })
    public int depth;

    /** Distinct skill names the workload's 64 skill sets and 500 agents draw from. */
    @Param({ "16" })
    public int skills;

    private Workload workload;
    private TriageBook book;
    private final ArrayDeque<String> freeIds = new ArrayDeque<>();
    private final Command open = Command.of(CommandType.OPEN);
    private final Command next = Command.of(CommandType.NEXT_BEST);
    private final Command ack = Command.of(CommandType.ACK);
    private final Command resolve = Command.of(CommandType.RESOLVE);
    private final Command release = Command.of(CommandType.RELEASE);
    private final Command tick = Command.of(CommandType.TICK);
    private final Reply reply = new Reply(r -> { });
    private long sequence;
    private long nowMs = 1_767_225_600_000L;
    private int cycles;

    @Setup(Level.Trial)
    public void setUp()
    {
        workload = new Workload(42, skills);
        book = new TriageBook(depth + 1_024, Workload.AGENTS, Workload.AGENTS, 0, 4_096, r -> { });
        for (int a = 0; a < Workload.AGENTS; a++)
        {
            final Command upsert = Command.upsertAgent(workload.agentIds[a], 1_000, workload.agentSkills[a]);
            apply(upsert);
        }
        for (int i = 0; i < depth + 1_024; i++)
        {
            freeIds.add("conversation-" + i);
        }
        for (int i = 0; i < depth; i++)
        {
            openOne();
        }
        for (final Command c : new Command[]{ open, next, ack, resolve, release, tick })
        {
            c.reply = reply;
        }
    }

    /**
     * One OPEN, NEXT_BEST, ACK and RESOLVE: four commands per op.
     *
     * @return the assigned conversation, so the work cannot be optimised away.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String mixedCycle()
    {
        final String assigned = nextBest(openOne());
        ack.agentId = next.agentId;
        ack.conversationId = assigned;
        apply(ack);
        resolve.conversationId = assigned;
        apply(resolve);
        freeIds.addLast(assigned);
        if ((++cycles & 1023) == 0)
        {
            apply(tick);
        }
        return assigned;
    }

    /**
     * NEXT_BEST, then RELEASE of what it assigned (which restores the queue exactly): the latency of a claim,
     * with the release's own cost included.
     *
     * @return the assigned conversation.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public String nextBestThenRelease()
    {
        final String assigned = nextBest(workload.skillSetIndex());
        release.agentId = next.agentId;
        release.conversationId = assigned;
        apply(release);
        return assigned;
    }

    /**
     * @param skillSet a skill set; the asking agent is one that may take it, so it always finds work.
     */
    private String nextBest(final int skillSet)
    {
        next.agentId = workload.agentIds[workload.agentFor(skillSet)];
        apply(next);
        if (reply.result != ResultCode.OK)
        {
            throw new IllegalStateException("expected an assignment, got " + reply);
        }
        return reply.conversationId;
    }

    private int openOne()
    {
        final int skillSet = workload.skillSetIndex();
        open.conversationId = freeIds.pollFirst();
        open.urgency = workload.urgency();
        open.impact = workload.impact();
        open.requiredSkills = workload.skillSets[skillSet];
        open.respondByMs = workload.hasSla() ? nowMs + 3_600_000 : 0;
        apply(open);
        return skillSet;
    }

    private void apply(final Command command)
    {
        command.sequence = ++sequence;
        command.timestampMs = ++nowMs;
        book.apply(command);
    }
}
