package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine through its ring, with real threads.
 */
class TriageEngineTest
{
    private static final long WAIT_S = 10;

    /**
     * A caller's reply listener that throws for every call (as gRPC does for answers to callers who left) must not
     * stop the engine, nor log a stack trace per call: a flood of them once filled the disk.
     */
    @org.junit.jupiter.api.Test
    @Timeout(60)
    void shouldLogFailingReplyListenersOnceAnIntervalAndAnswerEveryoneElse() throws Exception
    {
        final java.util.logging.Logger logger = java.util.logging.Logger.getLogger(ReplyHandler.class.getName());
        final List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.logging.Handler capture = new java.util.logging.Handler()
        {
            @Override
            public void publish(final java.util.logging.LogRecord record)
            {
                records.add(record);
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        logger.addHandler(capture);
        try (TriageEngine engine = TriageEngine.start(new EngineContext().tickIntervalMs(0)))
        {
            final CountDownLatch failed = new CountDownLatch(100);
            for (int i = 0; i < 100; i++)
            {
                final Command open = Command.open("thrown-" + i, Urgency.NORMAL, 1);
                open.reply = new Reply(r ->
                {
                    failed.countDown();
                    throw new IllegalStateException("call already cancelled");
                });
                while (!engine.tryPublish(open))
                {
                    Thread.onSpinWait();
                }
            }
            assertTrue(failed.await(20, TimeUnit.SECONDS));
            assertEquals(ResultCode.OK, engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS).result,
                "everyone else is still answered");
        }
        finally
        {
            logger.removeHandler(capture);
        }
        assertEquals(1, records.size(), "one line for the burst, not one per call");
        assertTrue(records.get(0).getMessage().contains("failures since start"), records.get(0).getMessage());
    }

    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    @Timeout(60)
    void shouldAssignEveryConversationExactlyOnceUnderConcurrentPublishers(final EngineContext.Pipeline pipeline) throws Exception
    {
        final int producers = 4;
        final int perProducer = 5_000;
        final int agents = 4;
        final int total = producers * perProducer;
        final Set<String> assigned = ConcurrentHashMap.newKeySet();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger published = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(producers + agents);
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).ringSize(1024).tickIntervalMs(1)))
        {
            for (int a = 0; a < agents; a++)
            {
                assertEquals(ResultCode.OK, engine.submit(Command.upsertAgent("agent-" + a, 1)).get(WAIT_S, TimeUnit.SECONDS).result);
            }
            final List<Future<?>> work = new ArrayList<>();
            for (int p = 0; p < producers; p++)
            {
                final int producer = p;
                work.add(pool.submit(() ->
                {
                    for (int i = 0; i < perProducer; i++)
                    {
                        final Urgency urgency = Urgency.ofLevel(i % Urgency.count());
                        final Reply r = submitUntilAccepted(engine, Command.open("p" + producer + "-" + i, urgency, 1 + i % 50), published);
                        assertEquals(ResultCode.OK, r.result, r.toString());
                        answered.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int a = 0; a < agents; a++)
            {
                final String agent = "agent-" + a;
                final long waitMs = a % 2 == 0 ? 0 : 20;
                work.add(pool.submit(() ->
                {
                    while (assigned.size() < total)
                    {
                        final Reply next = submitUntilAccepted(engine, Command.nextBest(agent, waitMs), published);
                        answered.incrementAndGet();
                        if (next.result == ResultCode.OK)
                        {
                            if (!assigned.add(next.conversationId))
                            {
                                duplicates.incrementAndGet();
                            }
                            final Reply resolved = submitUntilAccepted(
                                engine, Command.onConversation(CommandType.RESOLVE, next.conversationId), published);
                            answered.incrementAndGet();
                            assertEquals(ResultCode.OK, resolved.result);
                        }
                        else
                        {
                            assertTrue(next.result == ResultCode.NO_CONVERSATION || next.result == ResultCode.TIMED_OUT, next.toString());
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> f : work)
            {
                f.get(50, TimeUnit.SECONDS);
            }
            assertEquals(0, duplicates.get());
            assertEquals(total, assigned.size());
            assertEquals(published.get(), answered.get());
            final Reply stats = engine.submit(Command.of(CommandType.STATS)).get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(0, stats.open);
            assertEquals(0, stats.assigned);
            assertEquals(total, stats.assignmentsTotal);
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    @Timeout(30)
    void shouldAnswerParkedNextBestWhenAConversationArrives(final EngineContext.Pipeline pipeline) throws Exception
    {
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).tickIntervalMs(0)))
        {
            engine.submit(Command.upsertAgent("ann", 2, "en")).get(WAIT_S, TimeUnit.SECONDS);
            final var waiting = engine.submit(Command.nextBest("ann", 60_000));
            final Reply opened = engine.submit(Command.open("c1", Urgency.HIGH, 3, "en")).get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, opened.result);
            final Reply served = waiting.get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, served.result);
            assertEquals("c1", served.conversationId);
            assertTrue(served.completedAtSequence > served.sequence);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    @Timeout(30)
    void shouldTimeOutParkedNextBestOnTick(final EngineContext.Pipeline pipeline) throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_000_000);
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).tickIntervalMs(0).clock(clock)))
        {
            engine.submit(Command.upsertAgent("ann", 2)).get(WAIT_S, TimeUnit.SECONDS);
            final var waiting = engine.submit(Command.nextBest("ann", 5_000));
            engine.submit(Command.of(CommandType.STATS)).get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(!waiting.isDone());
            clock.advance(5_000);
            engine.submit(Command.of(CommandType.TICK));
            assertEquals(ResultCode.TIMED_OUT, waiting.get(WAIT_S, TimeUnit.SECONDS).result);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    @Timeout(30)
    void shouldRefuseAtOnceWhenTheRingIsFullAndAnswerAllOnceDrained(final EngineContext.Pipeline pipeline) throws Exception
    {
        final CountDownLatch gate = new CountDownLatch(1);
        final EventHandler<Command> blockingJournal = (event, sequence, endOfBatch) -> gate.await();
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).ringSize(8).tickIntervalMs(0).journalHandler(blockingJournal)))
        {
            final List<java.util.concurrent.CompletableFuture<Reply>> accepted = new ArrayList<>();
            int rejected = 0;
            for (int i = 0; i < 20; i++)
            {
                final var f = engine.submit(Command.open("c" + i, Urgency.LOW, 1));
                if (f.isDone() && f.get().result == ResultCode.REJECTED)
                {
                    rejected++;
                }
                else
                {
                    accepted.add(f);
                }
            }
            assertEquals(8, accepted.size());
            assertEquals(12, rejected);
            for (final var f : accepted)
            {
                assertTrue(!f.isDone(), "answered before journaled");
            }
            gate.countDown();
            for (final var f : accepted)
            {
                assertEquals(ResultCode.OK, f.get(WAIT_S, TimeUnit.SECONDS).result);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    @Timeout(30)
    void shouldHaltAndRefuseIntakeAfterAFatalStageError(final EngineContext.Pipeline pipeline) throws Exception
    {
        final EventHandler<Command> failingJournal = (event, sequence, endOfBatch) ->
        {
            if (event.type == CommandType.RESOLVE)
            {
                throw new java.io.IOException("disk full");
            }
        };
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).tickIntervalMs(0).journalHandler(failingJournal)))
        {
            assertEquals(ResultCode.OK, engine.submit(Command.open("c1", Urgency.LOW, 1)).get(WAIT_S, TimeUnit.SECONDS).result);
            final var resolve = engine.submit(Command.onConversation(CommandType.RESOLVE, "c1"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!engine.isHalted() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertTrue(engine.isHalted());
            assertTrue(!resolve.isDone(), "a command that was not journaled must not be answered");
            assertEquals(ResultCode.HALTED, engine.submit(Command.open("c2", Urgency.LOW, 1)).get().result);
        }
    }

    private static Reply submitUntilAccepted(final TriageEngine engine, final Command command, final AtomicInteger published)
        throws Exception
    {
        while (true)
        {
            final Reply reply = engine.submit(command).get(WAIT_S, TimeUnit.SECONDS);
            if (reply.result != ResultCode.REJECTED)
            {
                published.incrementAndGet();
                return reply;
            }
            Thread.yield();
        }
    }
}
