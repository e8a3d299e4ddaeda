package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The audit trail recomputed from a journal explains each assignment exactly as the live engine made it.
 */
class AuditTrailTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExplainEveryAssignmentOfAConversation()
    {
        final BookFixture live = new BookFixture(100_000, 4_096);
        try (Journal journal = new Journal(dir))
        {
            final JournalHandler handler = new JournalHandler(journal);
            final java.util.function.Consumer<Command> run = c ->
            {
                live.apply(c);
                handler.append(c);
            };
            run.accept(Command.upsertAgent("ann", 2));
            run.accept(Command.upsertAgent("bob", 2));
            run.accept(Command.open("C-1", Urgency.NORMAL, 1));
            live.advance(60_000);
            run.accept(Command.open("C-2", Urgency.HIGH, 7));
            run.accept(Command.nextBest("ann", 0));
            live.advance(30_000);
            run.accept(Command.of(CommandType.TICK));
            run.accept(Command.nextBest("bob", 0));
            run.accept(Command.byAgent(CommandType.ACK, "bob", "C-2"));
            run.accept(Command.onConversation(CommandType.RESOLVE, "C-2"));
            handler.onShutdown();
        }

        final List<AuditTrail.Entry> c2 = AuditTrail.ofConversation(dir, new EngineContext(), "C-2");
        assertEquals(List.of("OPEN", "ASSIGNED", "RETURNED", "ASSIGNED", "ACK", "RESOLVE"), c2.stream().map(AuditTrail.Entry::kind).toList());
        final AuditTrail.Entry first = c2.get(1);
        assertEquals("ann", first.agentId());
        assertEquals("NEXT_BEST", first.cause());
        assertEquals(300 + 60 * 3, first.assignment().score(), 1e-9);
        assertEquals("C-1", first.assignment().runnerUpId());
        assertEquals(100 + 60 + 2, first.assignment().runnerUpScore(), 1e-9);
        assertEquals(2, first.assignment().candidates());
        assertEquals("LEASE_EXPIRED", c2.get(2).cause());
        assertEquals("bob", c2.get(3).agentId());
        assertEquals(1.0, c2.get(3).assignment().age(), 1e-9, "30 s waited at 2 points a minute");

        final List<AuditTrail.Entry> ann = AuditTrail.ofAgent(dir, new EngineContext(), "ann", Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(List.of("UPSERT_AGENT", "NEXT_BEST", "ASSIGNED", "RETURNED"), ann.stream().map(AuditTrail.Entry::kind).toList());
        assertNull(ann.get(0).assignment());
    }
}
