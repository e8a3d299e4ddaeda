package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engine stopped and started on the same journal directory comes back with the same state.
 */
@Timeout(60)
class EngineRestartTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecoverStateAndDropLongPollsOfThePreviousRun() throws Exception
    {
        final long hashBefore;
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0)))
        {
            call(engine, Command.upsertAgent("ann", 2, "en"));
            call(engine, Command.upsertAgent("bob", 1, "de"));
            call(engine, Command.open("C-1", Urgency.NORMAL, 1, "en"));
            call(engine, Command.open("C-2", Urgency.HIGH, 5, "en"));
            assertEquals("C-2", call(engine, Command.nextBest("ann", 0)).conversationId);
            call(engine, Command.byAgent(CommandType.ACK, "ann", "C-2"));
            final CompletableFuture<Reply> parked = engine.submit(Command.nextBest("bob", 60_000));
            call(engine, Command.of(CommandType.STATS));
            assertTrue(!parked.isDone());
            engine.close();
            hashBefore = engine.book().stateHash();
        }
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0)))
        {
            assertEquals(7, engine.recovered().commands());
            final Reply stats = call(engine, Command.of(CommandType.STATS));
            assertEquals(1, stats.open);
            assertEquals(1, stats.assigned);
            assertEquals(0, stats.parkedAgents, "the previous run's long-poll has no caller any more");
            assertEquals(1, stats.assignmentsTotal);
            final Reply opened = call(engine, Command.open("C-3", Urgency.NORMAL, 1, "en"));
            assertTrue(opened.sequence > 7, "sequences continue the journal's");
            assertEquals("C-1", call(engine, Command.nextBest("ann", 0)).conversationId, "C-1 was opened first");
            engine.close();
            assertEquals(ConversationState.ASSIGNED, engine.book().conversation("C-2").state());
        }
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0)))
        {
            engine.close();
            assertEquals(null, engine.book().validateInternalState());
            assertTrue(engine.book().stateHash() != hashBefore);
            assertEquals(10, engine.recovered().commands());
        }
    }

    @Test
    void shouldAnswerALongPollAsSoonAsItsMatchArrivesAfterARestart() throws Exception
    {
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0)))
        {
            call(engine, Command.upsertAgent("ann", 1, "en"));
            for (int i = 0; i < 20; i++)
            {
                call(engine, Command.of(CommandType.STATS));
                call(engine, Command.upsertAgent("filler-" + i, 1));
            }
        }
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0)))
        {
            final CompletableFuture<Reply> parked = engine.submit(Command.nextBest("ann", 60_000));
            final Reply opened = call(engine, Command.open("C-1", Urgency.NORMAL, 1, "en"));
            // The open that met the wait is the last command: its answer must not wait for later traffic.
            final Reply late = parked.get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, late.result);
            assertEquals("C-1", late.conversationId);
            assertTrue(opened.sequence > 40, "the journal's sequences continue across the restart");
        }
    }

    @Test
    void shouldFireTimersThatFellDueWhileTheServerWasDownWithoutWaitingForTraffic() throws Exception
    {
        final java.util.concurrent.atomic.AtomicLong nowMs = new java.util.concurrent.atomic.AtomicLong(1_700_000_000_000L);
        final EngineContext context = new EngineContext().journalDir(dir).tickIntervalMs(5).clock(nowMs::get);
        try (TriageEngine engine = TriageEngine.start(context))
        {
            call(engine, Command.upsertAgent("ann", 1, "en"));
            call(engine, Command.open("C-1", Urgency.NORMAL, 1, "en"));
            assertEquals("C-1", call(engine, Command.nextBest("ann", 0)).conversationId);
        }
        // Down for an hour: the lease ran out meanwhile.
        nowMs.addAndGet(3_600_000);
        try (TriageEngine engine = TriageEngine.start(context))
        {
            // No request is sent: the decision log alone shows whether the lease expiry fired by itself.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (DecisionLog.read(dir).stream().noneMatch(line -> line.contains("LEASE_EXPIRED")))
            {
                assertTrue(System.nanoTime() < deadline, "the overdue lease did not expire without traffic: " + DecisionLog.read(dir));
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    private static Reply call(final TriageEngine engine, final Command command) throws Exception
    {
        final Reply reply = engine.submit(command).get(10, TimeUnit.SECONDS);
        if (reply.result != ResultCode.OK)
        {
            throw new AssertionError(command + " -> " + reply);
        }
        return reply;
    }
}
