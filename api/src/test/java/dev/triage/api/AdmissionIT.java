package dev.triage.api;

import dev.triage.api.server.ServerContext;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.Urgency;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static dev.triage.api.TriageServiceIT.observer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload is refused, not queued: with the engine stalled, unary calls waiting on it are bounded; bulk writes are
 * refused at half the bound while agents' and read calls are still admitted, and everything admitted is answered
 * once the engine moves again. Over real netty.
 */
@Timeout(60)
class AdmissionIT
{
    private static final int LIMIT = 8;

    @Test
    void shouldRefuseBulkWritesAtHalfTheBoundAndStillAdmitOtherCallsUpToIt() throws Exception
    {
        final CountDownLatch gate = new CountDownLatch(1);
        try (ServerFixture fixture = new ServerFixture(new ServerContext().maxCallsInFlight(LIMIT)
            .engineContext(new EngineContext().tickIntervalMs(0).journalHandler((event, sequence, endOfBatch) -> gate.await()))))
        {
            final IntSupplier waiting = () -> fixture.server.admission().waiting();
            final TriageGrpc.TriageStub async = TriageGrpc.newStub(fixture.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            final List<CompletableFuture<ConversationReply>> opens = new ArrayList<>();
            for (int i = 0; i < LIMIT / 2; i++)
            {
                final CompletableFuture<ConversationReply> f = new CompletableFuture<>();
                async.open(open("c" + i), observer(f));
                opens.add(f);
            }
            awaitCount(waiting, LIMIT / 2);

            final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> fixture.stub().open(open("one-too-many")));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("writes (Open, Update, CustomerReplied, Reopen) are admitted below 4"),
                refused.getStatus().getDescription());

            // Reads (and agents' calls) are still admitted, up to the whole bound.
            final List<CompletableFuture<?>> others = new ArrayList<>();
            for (int i = 0; i < LIMIT / 2; i++)
            {
                final CompletableFuture<StatsReply> stats = new CompletableFuture<>();
                async.stats(StatsRequest.getDefaultInstance(), observer(stats));
                others.add(stats);
            }
            awaitCount(waiting, LIMIT);
            final StatusRuntimeException full = assertThrows(StatusRuntimeException.class,
                () -> fixture.stub().top(TopRequest.getDefaultInstance()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
            assertTrue(full.getStatus().getDescription().contains("at most 8 are admitted"), full.getStatus().getDescription());

            gate.countDown();
            for (final CompletableFuture<ConversationReply> f : opens)
            {
                f.get(10, TimeUnit.SECONDS);
            }
            for (final CompletableFuture<?> f : others)
            {
                f.get(10, TimeUnit.SECONDS);
            }
            awaitCount(waiting, 0);
            final TopReply top = fixture.stub().top(TopRequest.newBuilder().setN(10).build());
            assertEquals(LIMIT / 2, top.getEntriesCount(), "every admitted Open was applied, the refused one was not");
        }
    }

    private static OpenRequest open(final String id)
    {
        return OpenRequest.newBuilder().setId(id).setUrgency(Urgency.NORMAL).setImpact(1).build();
    }

    private static void awaitCount(final IntSupplier count, final int expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count.getAsInt() != expected && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(expected, count.getAsInt(), "calls waiting on the engine");
    }
}
