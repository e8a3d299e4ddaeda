package dev.triage.api;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.EngineContext;
import dev.triage.engine.command.Command;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.QueueEvent;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import dev.triage.proto.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the engine halts (here: the journal stage fails on one command, as on a full disk), every open call is
 * answered at once with UNAVAILABLE and the reason, over real netty: a parked long-poll, a Watch stream and an
 * Ingest stream, each of whose own deadlines is a minute away.
 */
@Timeout(60)
class HaltIT
{
    @Test
    void shouldAnswerEveryOpenCallWithUnavailableWhenTheEngineHalts() throws Exception
    {
        final EventHandler<Command> failingJournal = (command, sequence, endOfBatch) ->
        {
            if ("POISON".equals(command.conversationId))
            {
                throw new IllegalStateException("journal append failed: No space left on device");
            }
        };
        try (ServerFixture fixture = new ServerFixture(new EngineContext().journalHandler(failingJournal), null))
        {
            final TriageGrpc.TriageBlockingStub stub = fixture.stub();
            final TriageGrpc.TriageStub async = TriageGrpc.newStub(fixture.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).addSkills("rare").build());

            final CompletableFuture<NextBestReply> parked = new CompletableFuture<>();
            async.nextBest(NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(55_000).build(), TriageServiceIT.observer(parked));
            final Collected<QueueEvent> watch = new Collected<>();
            async.watch(WatchRequest.getDefaultInstance(), watch);
            final Collected<IngestResult> ingestResults = new Collected<>();
            final StreamObserver<OpenRequest> ingest = async.ingest(ingestResults);
            ingest.onNext(TriageServiceIT.open("I-1", Urgency.NORMAL, 1, "other"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ingestResults.values.isEmpty() || fixture.stub().stats(StatsRequest.getDefaultInstance()).getWaitingAgents() < 1 ||
                fixture.server.watchers() < 1)
            {
                assertTrue(System.nanoTime() < deadline, "calls never became open: " + ingestResults.values + " " +
                    fixture.stub().stats(StatsRequest.getDefaultInstance()).getWaitingAgents() + " " + fixture.server.watchers() +
                    " " + parked + " " + watch.done);
                Thread.onSpinWait();
            }

            final StatusRuntimeException poisoned = assertThrows(StatusRuntimeException.class,
                () -> stub.open(TriageServiceIT.open("POISON", Urgency.NORMAL, 1, "")));
            assertUnavailableBecauseHalted(poisoned);
            assertUnavailableBecauseHalted(failureOf(parked));
            assertUnavailableBecauseHalted(failureOf(watch.done));
            assertUnavailableBecauseHalted(failureOf(ingestResults.done));
            assertUnavailableBecauseHalted(assertThrows(StatusRuntimeException.class,
                () -> stub.open(TriageServiceIT.open("after", Urgency.NORMAL, 1, ""))));
            assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING,
                HealthGrpc.newBlockingStub(fixture.channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
        }
    }

    private static Throwable failureOf(final Future<?> call)
    {
        return assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS)).getCause();
    }

    private static void assertUnavailableBecauseHalted(final Throwable t)
    {
        final Status status = Status.fromThrowable(t);
        assertEquals(Status.Code.UNAVAILABLE, status.getCode(), String.valueOf(status));
        assertTrue(String.valueOf(status.getDescription()).contains("halted"), String.valueOf(status));
    }
}
