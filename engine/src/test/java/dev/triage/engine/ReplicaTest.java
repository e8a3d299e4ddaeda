package dev.triage.engine;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.journal.DecisionLog;
import dev.triage.engine.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster replica restarts from the cluster's snapshot and is fed the log after it again: its directory's journal
 * and decision log must hold each command and decision once, and the state must be the one a replica that never
 * stopped reaches.
 */
class ReplicaTest
{
    @TempDir
    Path root;

    @Test
    void restartFromSnapshotWritesEachCommandOnce() throws Exception
    {
        final List<Supplier<Command>> log = log(120);
        final Path reference = root.resolve("reference");
        final long referenceHash;
        try (Replica once = replica(reference))
        {
            once.start(null);
            for (final Supplier<Command> c : log)
            {
                once.apply(c.get());
            }
            referenceHash = once.book().stateHash();
        }

        final Path restarted = root.resolve("restarted");
        try (Replica first = replica(restarted))
        {
            first.start(null);
            for (int i = 0; i < 90; i++)
            {
                first.apply(log.get(i).get());
            }
        }
        final byte[] snapshot;
        // The snapshot at entry 60, taken by a replica that applied the same log (every replica's is the same).
        try (Replica atSixty = new Replica(new EngineContext().clock(() -> BookFixture.T0)))
        {
            atSixty.start(null);
            for (int i = 0; i < 60; i++)
            {
                atSixty.apply(log.get(i).get());
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes))
            {
                atSixty.writeSnapshot(out);
            }
            snapshot = bytes.toByteArray();
        }
        // The process died after entry 90; the cluster restores entry 60's snapshot and replays 61..120.
        try (Replica second = replica(restarted))
        {
            assertTrue(second.journaledThrough() > 0);
            second.start(new DataInputStream(new ByteArrayInputStream(snapshot)));
            for (int i = 60; i < log.size(); i++)
            {
                second.apply(log.get(i).get());
            }
            assertEquals(referenceHash, second.book().stateHash(), "the restarted replica's state");
        }

        assertEquals(journaled(reference), journaled(restarted), "each command journaled once, in order");
        assertEquals(DecisionLog.read(reference), DecisionLog.read(restarted), "each decision logged once, in order");
        assertTrue(DecisionLog.read(reference).size() > 10, "the log made decisions");
    }

    @Test
    void journalBehindTheClusterSnapshotStopsTheStart() throws Exception
    {
        final List<Supplier<Command>> log = log(30);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Replica replica = replica(root.resolve("a")))
        {
            replica.start(null);
            for (final Supplier<Command> c : log)
            {
                replica.apply(c.get());
            }
            try (DataOutputStream out = new DataOutputStream(bytes))
            {
                replica.writeSnapshot(out);
            }
        }
        try (Replica empty = replica(root.resolve("b")))
        {
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> empty.start(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
            assertTrue(e.getMessage().contains("the journal lost records"), e.getMessage());
        }
    }

    private static Replica replica(final Path dir)
    {
        return new Replica(new EngineContext().journalDir(dir).clock(() -> BookFixture.T0));
    }

    /** Sequences of the journal's commands. */
    private static List<Long> journaled(final Path dir)
    {
        final List<Long> sequences = new ArrayList<>();
        try (Journal journal = Journal.readOnly(dir))
        {
            journal.replay(c -> sequences.add(c.sequence));
        }
        for (int i = 0; i < sequences.size(); i++)
        {
            assertEquals(i + 1, sequences.get(i), "journal sequences are contiguous from 1");
        }
        return sequences;
    }

    /**
     * A cluster log: agents, opens, claims, acks, resolves and reads, each at the log's time. Fresh commands each
     * time (a replica fills and clears them).
     */
    private static List<Supplier<Command>> log(final int entries)
    {
        final List<Supplier<Command>> log = new ArrayList<>();
        for (int i = 0; i < entries; i++)
        {
            final int n = i;
            final long at = BookFixture.T0 + 250L * i;
            log.add(() ->
            {
                final Command c;
                switch (n % 6)
                {
                    case 0 -> c = Command.upsertAgent("agent-" + n / 6 % 2, 5, "billing");
                    case 1, 2 -> c = Command.open("c-" + n, Urgency.values()[n % Urgency.values().length], 1 + n, "billing");
                    case 3 -> c = Command.nextBest("agent-" + n / 6 % 2, 0);
                    case 4 -> c = Command.top(5, null);
                    default -> c = Command.onConversation(CommandType.RESOLVE, "c-" + (n - 4));
                }
                c.timestampMs = at;
                c.reply = Replica.unwatchedReply(c.type);
                return c;
            });
        }
        return log;
    }
}
