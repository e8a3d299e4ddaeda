package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.book.QueueEventSink;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.journal.DecisionRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A watcher and the decision log never see an event the journal does not hold: with the journal stalled on a
 * NEXT_BEST that the processor has already applied (it runs beside the journal in THREE_STAGES), neither the
 * assignment decision nor its ASSIGNED event is handed on until the journal passes it.
 */
class OutputsAfterJournalTest
{
    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    @Timeout(30)
    void shouldHandOnDecisionsAndQueueEventsOnlyOnceTheirCommandIsJournaled(final EngineContext.Pipeline pipeline) throws Exception
    {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicLong journaled = new AtomicLong(-1);
        final EventHandler<Command> journal = (command, sequence, endOfBatch) ->
        {
            if (command.type == CommandType.NEXT_BEST)
            {
                gate.await();
            }
            journaled.set(command.sequence);
        };
        final List<String> aheadOfJournal = new CopyOnWriteArrayList<>();
        final List<Long> decided = new CopyOnWriteArrayList<>();
        final List<Integer> events = new CopyOnWriteArrayList<>();
        final QueueEventSink watcher = (kind, sequence, nowMs, conversationId, agentId, scoreUnits) ->
        {
            events.add(kind);
            if (sequence > journaled.get())
            {
                aheadOfJournal.add("event " + kind + " of sequence " + sequence + ", journal at " + journaled.get());
            }
        };
        final java.util.function.Consumer<DecisionRecord> decisionLog = d ->
        {
            decided.add(d.sequence);
            if (d.sequence > journaled.get())
            {
                aheadOfJournal.add("decision of sequence " + d.sequence + ", journal at " + journaled.get());
            }
        };
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).tickIntervalMs(0)
            .journalHandler(journal).queueEventSink(watcher).decisionObserver(decisionLog)))
        {
            assertEquals(ResultCode.OK, engine.submit(Command.upsertAgent("ann", 1)).get(5, TimeUnit.SECONDS).result);
            assertEquals(ResultCode.OK, engine.submit(Command.agentStatus("ann", dev.triage.engine.ground.AgentStatus.AVAILABLE))
                .get(5, TimeUnit.SECONDS).result);
            assertEquals(ResultCode.OK, engine.submit(Command.open("c1", Urgency.HIGH, 1)).get(5, TimeUnit.SECONDS).result);
            final long beforeNextBest = engine.appliedRingSequence();
            final CompletableFuture<Reply> claim = engine.submit(Command.nextBest("ann", 0));
            if (pipeline == EngineContext.Pipeline.THREE_STAGES)
            {
                // The processor applies the NEXT_BEST (and decides) while the journal is held on it.
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (engine.appliedRingSequence() == beforeNextBest && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                assertTrue(engine.appliedRingSequence() > beforeNextBest, "the processor applied the NEXT_BEST");
            }
            assertFalse(claim.isDone(), "answered before journaled");
            assertTrue(decided.isEmpty(), "decision handed on before its command was journaled: " + decided);
            assertFalse(events.contains(QueueEventSink.ASSIGNED), "ASSIGNED seen before its command was journaled: " + events);

            gate.countDown();
            assertEquals("c1", claim.get(5, TimeUnit.SECONDS).conversationId);
            assertEquals(1, decided.size());
            assertTrue(events.contains(QueueEventSink.OPENED) && events.contains(QueueEventSink.ASSIGNED), events.toString());
            assertTrue(aheadOfJournal.isEmpty(), aheadOfJournal.toString());
        }
    }

    @org.junit.jupiter.api.Test
    @Timeout(30)
    void shouldHandOnEveryOutputOfACommandThatDecidesMoreThanItsSlotHeld() throws Exception
    {
        final List<String> returned = new CopyOnWriteArrayList<>();
        final List<Integer> events = new CopyOnWriteArrayList<>();
        final QueueEventSink watcher = (kind, sequence, nowMs, conversationId, agentId, scoreUnits) -> events.add(kind);
        try (TriageEngine engine = TriageEngine.start(new EngineContext().tickIntervalMs(0).queueEventSink(watcher)
            .decisionObserver(d ->
            {
                if (!d.assignment)
                {
                    returned.add(d.sequence + " " + d.conversationId);
                }
            })))
        {
            engine.submit(Command.upsertAgent("ann", 50)).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++)
            {
                engine.submit(Command.open("c" + i, Urgency.NORMAL, 1)).get(5, TimeUnit.SECONDS);
                assertEquals(ResultCode.OK, engine.submit(Command.nextBest("ann", 0)).get(5, TimeUnit.SECONDS).result);
            }
            events.clear();
            // One command returns all fifty: far more outputs than a slot starts with.
            final Reply offline = engine.submit(Command.agentStatus("ann", dev.triage.engine.ground.AgentStatus.OFFLINE))
                .get(5, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, offline.result);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((returned.size() < 50 || events.stream().filter(k -> k == QueueEventSink.RETURNED).count() < 50)
                && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(50, returned.size(), returned.toString());
            assertTrue(returned.stream().allMatch(r -> r.startsWith(offline.sequence + " ")), "all decided by the one command");
            assertEquals(50, events.stream().filter(k -> k == QueueEventSink.RETURNED).count(), events.toString());
        }
    }
}
