package dev.triage.bench;

import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap held by the engine's state with N open conversations of the benchmark workload (ids included):
 * {@code java -cp bench/target/benchmarks.jar dev.triage.bench.HeapFootprint 1000000}.
 */
public final class HeapFootprint
{
    private HeapFootprint()
    {
    }

    public static void main(final String[] args) throws java.io.IOException
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final Workload workload = new Workload(42);
        final long before = usedAfterGc();
        final TriageBook book = new TriageBook(1_024, Workload.AGENTS, Workload.AGENTS, 0, 4_096, r -> { });
        long sequence = 0;
        long nowMs = 1_767_225_600_000L;
        for (int a = 0; a < Workload.AGENTS; a++)
        {
            final Command upsert = Command.upsertAgent(workload.agentIds[a], 10, workload.agentSkills[a]);
            upsert.sequence = ++sequence;
            upsert.timestampMs = nowMs;
            book.apply(upsert);
        }
        final Command open = Command.of(CommandType.OPEN);
        for (int i = 0; i < n; i++)
        {
            open.conversationId = "conversation-" + i;
            open.urgency = workload.urgency();
            open.impact = workload.impact();
            open.requiredSkills = workload.skillSets[workload.skillSetIndex()];
            open.respondByMs = workload.hasSla() ? nowMs + 3_600_000 : 0;
            open.sequence = ++sequence;
            open.timestampMs = ++nowMs;
            book.apply(open);
        }
        final long after = usedAfterGc();
        final long bytes = after - before;
        System.out.printf("open conversations: %,d%nheap held: %,d bytes (%.1f MB), %.0f bytes per conversation (ids included)%n",
            book.openCount(), bytes, bytes / 1e6, bytes / (double)n);
        if (book.openCount() != n)
        {
            throw new IllegalStateException("expected " + n + " open");
        }
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("snapshot-probe");
        try
        {
            final dev.triage.engine.snapshot.SnapshotStore store = new dev.triage.engine.snapshot.SnapshotStore(dir);
            for (int run = 1; run <= 3; run++)
            {
                final long t0 = System.nanoTime();
                final java.nio.file.Path file = store.write(book, -1);
                final long t1 = System.nanoTime();
                final var loaded = store.loadNewest(() -> new TriageBook(1_024, Workload.AGENTS, Workload.AGENTS, 0, 4_096, r -> { }));
                final long t2 = System.nanoTime();
                System.out.printf("run %d: snapshot of %,d open written in %,d ms (the processor's pause), %,d bytes; loaded in %,d ms%n",
                    run, n, (t1 - t0) / 1_000_000, java.nio.file.Files.size(file), (t2 - t1) / 1_000_000);
                if (loaded == null || loaded.book().stateHash() != book.stateHash())
                {
                    throw new IllegalStateException("snapshot did not restore the same state");
                }
            }
        }
        finally
        {
            JournalReplay.delete(dir);
        }
    }

    private static long usedAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 5; i++)
        {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
