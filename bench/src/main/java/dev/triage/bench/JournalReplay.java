package dev.triage.bench;

import dev.triage.engine.EngineContext;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.JournalHandler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Journal figures on the mixed workload: bytes per command, recovery (replay and apply) rate and time, and decode
 * rate alone. {@code java <flags> -cp bench/target/benchmarks.jar dev.triage.bench.JournalReplay 10000000}
 * (flags: the Chronicle set from the root pom's triage.jvm.flags).
 */
public final class JournalReplay
{
    private JournalReplay()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        final Path dir = Files.createTempDirectory("journal-replay");
        try
        {
            final long written = write(dir, n);
            final long bytes = size(dir);
            System.out.printf("journaled %,d commands: %,d bytes on disk, %.1f bytes per command%n", written, bytes, bytes / (double)written);
            final dev.triage.engine.snapshot.SnapshotStore store = new dev.triage.engine.snapshot.SnapshotStore(dir.resolve("snapshots"));
            for (int run = 1; run <= 3; run++)
            {
                final long t0 = System.nanoTime();
                final var loaded = store.loadNewest(() -> new EngineContext().retainResolved(0).newBook(r -> { }));
                final Journal.ReplayResult tail;
                try (Journal journal = new Journal(dir))
                {
                    tail = journal.replayAfter(loaded.sequence(), loaded.journalIndex(), loaded.book()::apply);
                }
                System.out.printf("run %d: recovery from the snapshot at sequence %,d: %,d ms (%,d tail commands)%n",
                    run, loaded.sequence(), (System.nanoTime() - t0) / 1_000_000, tail.commands());
            }
            for (int run = 1; run <= 3; run++)
            {
                final TriageBook book = new EngineContext().retainResolved(0).newBook(r -> { });
                final Journal.ReplayResult recovered;
                try (Journal journal = new Journal(dir))
                {
                    recovered = journal.replay(book::apply);
                }
                final Journal.ReplayResult decoded;
                try (Journal journal = new Journal(dir))
                {
                    decoded = journal.replay(c -> { });
                }
                System.out.printf("run %d: recovery (decode + apply) %,d commands in %,d ms = %,.0f commands/s; decode only %,.0f commands/s; open %,d%n",
                    run, recovered.commands(), recovered.nanos() / 1_000_000, recovered.rate(), decoded.rate(), book.openCount());
            }
        }
        finally
        {
            delete(dir);
        }
    }

    /**
     * Run the mixed cycle (OPEN, NEXT_BEST, ACK, RESOLVE, a TICK every 1024 cycles) at 100k open and journal it.
     */
    private static long write(final Path dir, final long n)
    {
        final Workload workload = new Workload(42);
        final TriageBook book = new EngineContext().retainResolved(0).newBook(r -> { });
        final ArrayDeque<String> freeIds = new ArrayDeque<>();
        final int depth = 100_000;
        for (int i = 0; i < depth + 1_024; i++)
        {
            freeIds.add("conversation-" + i);
        }
        final Reply reply = new Reply(r -> { });
        long sequence = 0;
        long nowMs = 1_767_225_600_000L;
        long written = 0;
        try (Journal journal = new Journal(dir))
        {
            final JournalHandler handler = new JournalHandler(journal);
            final Command c = new Command();
            for (int a = 0; a < Workload.AGENTS && written < n; a++)
            {
                final Command upsert = Command.upsertAgent(workload.agentIds[a], 1_000, workload.agentSkills[a]);
                upsert.sequence = sequence++;
                upsert.timestampMs = nowMs;
                book.apply(upsert);
                handler.append(upsert);
                written++;
            }
            while (written < n)
            {
                final boolean filling = book.openCount() < depth;
                final int skillSet = workload.skillSetIndex();
                c.clear();
                c.type = CommandType.OPEN;
                c.conversationId = freeIds.pollFirst();
                c.urgency = workload.urgency();
                c.impact = workload.impact();
                c.requiredSkills = workload.skillSets[skillSet];
                c.respondByMs = workload.hasSla() ? nowMs + 3_600_000 : 0;
                written += step(book, handler, c, reply, sequence++, ++nowMs);
                if (filling)
                {
                    continue;
                }
                c.clear();
                c.type = CommandType.NEXT_BEST;
                c.agentId = workload.agentIds[workload.agentFor(skillSet)];
                written += step(book, handler, c, reply, sequence++, ++nowMs);
                final String assigned = reply.conversationId;
                final String agent = c.agentId;
                c.clear();
                c.type = CommandType.ACK;
                c.agentId = agent;
                c.conversationId = assigned;
                written += step(book, handler, c, reply, sequence++, ++nowMs);
                c.clear();
                c.type = CommandType.RESOLVE;
                c.conversationId = assigned;
                written += step(book, handler, c, reply, sequence++, ++nowMs);
                freeIds.addLast(assigned);
                if ((sequence & 4095) == 0)
                {
                    c.clear();
                    c.type = CommandType.TICK;
                    written += step(book, handler, c, reply, sequence++, ++nowMs);
                }
            }
            handler.onShutdown();
            final long t0 = System.nanoTime();
            final long index = journal.indexAtOrBefore(book.lastSequence());
            final long t1 = System.nanoTime();
            new dev.triage.engine.snapshot.SnapshotStore(dir.resolve("snapshots")).write(book, index);
            System.out.printf("snapshot at the end (%,d open) written in %,d ms (journal index found in %,d us)%n", book.openCount(),
                (System.nanoTime() - t0) / 1_000_000, (t1 - t0) / 1_000);
        }
        catch (final IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
        return written;
    }

    private static int step(
        final TriageBook book, final JournalHandler handler, final Command c, final Reply reply, final long sequence, final long nowMs)
    {
        c.sequence = sequence;
        c.timestampMs = nowMs;
        c.reply = reply;
        book.apply(c);
        handler.append(c);
        return 1;
    }

    private static long size(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".cq4")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
