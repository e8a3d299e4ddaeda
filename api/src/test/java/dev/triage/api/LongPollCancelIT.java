package dev.triage.api;

import dev.triage.engine.EngineContext;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.journal.Journal;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.SessionReply;
import dev.triage.proto.v1.SessionRequest;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long-poll whose caller went away, over real netty: before, the wait stayed parked, the next matching conversation
 * was assigned to nobody and held for the lease while an agent really waiting was passed over. Now the cancelled call
 * (or closed Session stream) ends its wait with a journaled CANCEL_WAIT, and the conversation stays in the queue.
 */
@Timeout(60)
class LongPollCancelIT
{
    @TempDir
    Path dir;

    @Test
    void shouldEndTheWaitOfACancelledUnaryLongPoll() throws Exception
    {
        final Path journal = dir.resolve("journal");
        try (ServerFixture fixture = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = fixture.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).addSkills("billing").build());
            final Context.CancellableContext call = Context.current().withCancellation();
            final AtomicInteger answers = new AtomicInteger();
            call.run(() -> TriageGrpc.newStub(fixture.channel).nextBest(
                NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(60_000).build(), counting(answers)));
            await(() -> stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() == 1, "ann's long-poll is parked");
            call.cancel(null);
            await(() -> stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() == 0, "the cancelled wait ends");
            final ConversationReply opened = stub.open(TriageServiceIT.open("G-1", Urgency.HIGH, 1, "billing"));
            assertEquals("OPEN", opened.getState().name(), "nobody is waiting: G-1 stays in the queue");
        }
        assertTrue(journaled(journal, CommandType.CANCEL_WAIT) == 1, "the cancel is journaled, so replay frees ann too");
        final CliRun replay = CliRun.execute("replay", "--verify", "--journal", journal.toString());
        assertEquals(0, replay.exit(), replay.out() + replay.err());
        assertTrue(replay.out().contains("open 1, assigned 0"), replay.out());
    }

    @Test
    void shouldEndTheWaitsOfACancelledSessionStream() throws Exception
    {
        try (ServerFixture fixture = new ServerFixture(new EngineContext().journalDir(dir.resolve("journal")), null))
        {
            final var stub = fixture.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(2).build());
            final Context.CancellableContext tab = Context.current().withCancellation();
            final AtomicInteger answers = new AtomicInteger();
            final StreamObserver<SessionRequest>[] session = new StreamObserver[1];
            tab.run(() -> session[0] = TriageGrpc.newStub(fixture.channel).session(counting(answers)));
            session[0].onNext(SessionRequest.newBuilder().setCorrelationId(1)
                .setNextBest(NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(60_000)).build());
            session[0].onNext(SessionRequest.newBuilder().setCorrelationId(2)
                .setNextBest(NextBestRequest.newBuilder().setAgentId("bob").setWaitMs(60_000)).build());
            await(() -> stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() == 2, "both waits are parked");
            // The agent closed the tab: the front end's stream is cancelled.
            tab.cancel(null);
            await(() -> stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() == 0, "both waits end with the stream");
            assertEquals("OPEN", stub.open(TriageServiceIT.open("G-2", Urgency.HIGH, 1, "")).getState().name());
            assertEquals(0, answers.get(), "nothing was sent to a stream that is gone");
        }
    }

    @Test
    void shouldLeaveALaterWaitOfTheSameAgentAlone() throws Exception
    {
        try (ServerFixture fixture = new ServerFixture(new EngineContext().journalDir(dir.resolve("journal")), null))
        {
            final var stub = fixture.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
            final Context.CancellableContext first = Context.current().withCancellation();
            final AtomicInteger answers = new AtomicInteger();
            first.run(() -> TriageGrpc.newStub(fixture.channel).nextBest(
                NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(60_000).build(), counting(answers)));
            await(() -> stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() == 1, "the first wait is parked");
            // A second tab takes over (superseding the first wait), then the first tab's call is cancelled.
            final Collected<NextBestReply> second = new Collected<>();
            TriageGrpc.newStub(fixture.channel).nextBest(NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(60_000).build(),
                second);
            await(() -> answers.get() == 1, "the first wait was superseded");
            first.cancel(null);
            await(() -> stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() == 1, "the second wait stays");
            stub.open(TriageServiceIT.open("G-3", Urgency.HIGH, 1, ""));
            assertEquals("G-3", second.await(10).get(0).getConversationId(), "the agent who is there gets it");
        }
    }

    private static long journaled(final Path journal, final CommandType type)
    {
        final long[] count = { 0 };
        try (Journal j = Journal.readOnly(journal))
        {
            j.replay(c -> count[0] += c.type == type ? 1 : 0);
        }
        return count[0];
    }

    private static <T> StreamObserver<T> counting(final AtomicInteger answers)
    {
        return new StreamObserver<>()
        {
            @Override
            public void onNext(final T value)
            {
                answers.incrementAndGet();
            }

            @Override
            public void onError(final Throwable t)
            {
                if (!(t instanceof io.grpc.StatusRuntimeException e && e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED))
                {
                    answers.incrementAndGet();
                }
            }

            @Override
            public void onCompleted()
            {
            }
        };
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }
}
