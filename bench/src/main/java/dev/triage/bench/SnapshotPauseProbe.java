package dev.triage.bench;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a snapshot costs the engine's callers: N open conversations (the issue #2 workload) in an engine with a
 * journal, a first snapshot (not measured), then NEXT_BEST + RELEASE round trips through the ring, one at a time,
 * timed for a few seconds without a snapshot and then while the next one is being written (from the SNAPSHOT
 * request until its answer). Prints both windows'
 * p50 / p99 / max, and a window after it.
 * {@code java $FLAGS -cp bench/target/benchmarks.jar dev.triage.bench.SnapshotPauseProbe 1000000 [JOURNAL_DIR]}
 */
public final class SnapshotPauseProbe
{
    private SnapshotPauseProbe()
    {
    }

    /**
     * @param args open conversations; optionally a journal directory (default: a temporary one).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int open = Integer.parseInt(args[0]);
        final Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("snapshot-pause");
        final Workload workload = new Workload(42);
        try (TriageEngine engine = TriageEngine.start(EngineContext.smallHost().journalDir(dir).snapshotEveryCommands(0)
            .expectedConversations(open + 1_024)))
        {
            for (int a = 0; a < Workload.AGENTS; a++)
            {
                engine.submit(Command.upsertAgent(workload.agentIds[a], 1_000, workload.agentSkills[a])).get();
            }
            CompletableFuture<Reply> last = null;
            for (int i = 0; i < open; i++)
            {
                final int set = workload.skillSetIndex();
                final Command c = Command.open("c-" + i, workload.urgency(), workload.impact(), workload.skillSets[set]);
                while ((last = engine.submit(c)).isDone() && last.get().result == ResultCode.REJECTED)
                {
                    Thread.onSpinWait();
                }
            }
            last.get();
            System.out.printf("%,d open; warming up%n", open);
            claims(engine, workload, 3_000, null);
            // A first snapshot, not measured: the snapshot thread builds its book; later ones only move it forward.
            final long first = System.nanoTime();
            final Reply firstSnapshot = engine.submit(Command.of(CommandType.SNAPSHOT)).get();
            System.out.printf("first snapshot (%s) after %,d ms%n", firstSnapshot.result,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first));
            claims(engine, workload, 3_000, null);
            final Histogram without = claims(engine, workload, 3_000, null);
            final long asked = System.nanoTime();
            final CompletableFuture<Reply> snapshot = engine.submit(Command.of(CommandType.SNAPSHOT));
            final Histogram during = claims(engine, workload, 60_000, snapshot);
            final Reply written = snapshot.get();
            final Histogram after = claims(engine, workload, 3_000, null);
            System.out.printf("snapshot %s (%s) answered after %,d ms (the callers' latency during it is below)%n",
                written.snapshotPath, written.result, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
            print("without a snapshot", without);
            print("during the snapshot", during);
            print("after it", after);
        }
    }

    private static Histogram claims(final TriageEngine engine, final Workload workload, final long maxMs,
        final CompletableFuture<Reply> until) throws Exception
    {
        final Histogram h = new Histogram(3);
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
        while (System.nanoTime() < end && (until == null || !until.isDone()))
        {
            final String agent = workload.agentIds[workload.agentFor(workload.skillSetIndex())];
            final long start = System.nanoTime();
            final Reply next = engine.submit(Command.nextBest(agent, 0)).get();
            h.recordValue((System.nanoTime() - start) / 1_000);
            if (next.result == ResultCode.OK)
            {
                engine.submit(Command.byAgent(CommandType.RELEASE, agent, next.conversationId)).get();
            }
        }
        return h;
    }

    private static void print(final String what, final Histogram h)
    {
        System.out.printf("NEXT_BEST %-20s %,8d calls  p50 %,7d us  p99 %,7d us  max %,7d us%n", what, h.getTotalCount(),
            h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }
}
