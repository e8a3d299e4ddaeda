package dev.triage.api;

import com.google.rpc.BadRequest;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.AgentStatus;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.ConversationState;
import dev.triage.proto.v1.CustomerRepliedRequest;
import dev.triage.proto.v1.GetPolicyRequest;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.PolicyReply;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.SetPolicyRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpdateRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every RPC end to end over real netty on loopback.
 */
@Timeout(60)
class TriageServiceIT
{
    private ServerFixture fixture;
    private TriageGrpc.TriageBlockingStub stub;

    @BeforeEach
    void start() throws Exception
    {
        fixture = new ServerFixture();
        stub = fixture.stub();
    }

    @AfterEach
    void stop() throws Exception
    {
        fixture.close();
    }

    @Test
    void shouldRunAConversationThroughItsWholeLife()
    {
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").addSkills("billing").setCapacity(2).build());
        assertEquals(ConversationState.OPEN, stub.open(open("C-1", Urgency.NORMAL, 1, "billing")).getState());
        stub.open(open("C-2", Urgency.HIGH, 40, ""));

        final TopReply top = stub.top(TopRequest.newBuilder().setN(5).build());
        assertEquals(List.of("C-2", "C-1"), top.getEntriesList().stream().map(e -> e.getId()).toList());

        final NextBestReply next = stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
        assertTrue(next.getAssigned());
        assertEquals("C-2", next.getConversationId());
        assertEquals(300 + 60 * 5, next.getScore().getUrgency() + next.getScore().getImpact(), 1e-9);
        assertEquals("C-1", next.getRunnerUpId());
        assertEquals(2, next.getCandidates());
        assertTrue(next.getLeaseDeadlineMs() > 0);

        assertEquals(ConversationState.ASSIGNED, stub.ack(byAgent("ann", "C-2")).getState());
        assertEquals(ConversationState.PENDING, stub.agentReplied(ref("C-2")).getState());
        assertEquals(ConversationState.OPEN, stub.customerReplied(CustomerRepliedRequest.newBuilder().setId("C-2").build()).getState());
        assertEquals(ConversationState.OPEN, stub.update(UpdateRequest.newBuilder().setId("C-2").setUrgency(Urgency.CRITICAL).build()).getState());
        assertEquals("C-2", stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).getConversationId());
        assertEquals(ConversationState.OPEN, stub.release(byAgent("ann", "C-2")).getState());
        assertEquals(ConversationState.RESOLVED, stub.resolve(ref("C-2")).getState());
        assertEquals(ConversationState.RESOLVED, stub.resolve(ref("C-2")).getState());
        assertEquals(ConversationState.OPEN, stub.reopen(CustomerRepliedRequest.newBuilder().setId("C-2").build()).getState());

        final StatsReply stats = stub.stats(StatsRequest.getDefaultInstance());
        assertEquals(2, stats.getOpen());
        assertEquals(1, stats.getOpenCritical());
        assertEquals(List.of("CRITICAL 1 C-2", "URGENT 0 ", "HIGH 0 ", "NORMAL 1 C-1", "LOW 0 "),
            stats.getWaitingByUrgencyList().stream().map(w -> w.getUrgency() + " " + w.getWaiting() + " " + w.getOldestId()).toList());
        assertTrue(stats.getWaitingByUrgency(3).getOldestWaitMs() >= 0 && stats.getWaitingByUrgency(2).getOldestWaitMs() == 0);
        assertEquals(java.util.Map.of("", 1L, "billing", 1L), stats.getOpenBySkillsMap());
        assertTrue(stats.getWaitP99Ms() >= stats.getWaitP50Ms());
        assertEquals(2, stats.getAssignmentsTotal());
        assertEquals(2, stats.getAssignmentsLastMinute());
        assertEquals(1, stats.getAgents());
    }

    @Test
    void shouldNameTheInvalidFieldAndKeepBadInputOutOfTheEngine()
    {
        final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> stub.open(open("bad id!", Urgency.URGENCY_UNSPECIFIED, 0, "")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        final List<String> fields = new ArrayList<>();
        for (final com.google.protobuf.Any detail : StatusProto.fromThrowable(e).getDetailsList())
        {
            try
            {
                detail.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> fields.add(v.getField()));
            }
            catch (final com.google.protobuf.InvalidProtocolBufferException ex)
            {
                throw new AssertionError(ex);
            }
        }
        assertEquals(List.of("id", "urgency", "impact"), fields);
        assertEquals(0, stub.stats(StatsRequest.getDefaultInstance()).getOpen());
    }

    @Test
    void shouldRefuseAnOversizedRequest()
    {
        final String huge = "x".repeat(2 << 20);
        assertCode(Status.Code.RESOURCE_EXHAUSTED, () -> stub.open(OpenRequest.newBuilder().setId("C-1").setIncident(huge).build()));
        assertEquals(0, stub.stats(StatsRequest.getDefaultInstance()).getOpen());
    }

    @Test
    void shouldMapEngineOutcomesToStatusCodes()
    {
        assertCode(Status.Code.NOT_FOUND, () -> stub.resolve(ref("nope")));
        assertCode(Status.Code.NOT_FOUND, () -> stub.nextBest(NextBestRequest.newBuilder().setAgentId("nobody").build()));
        stub.open(open("C-1", Urgency.LOW, 1, ""));
        assertCode(Status.Code.ALREADY_EXISTS, () -> stub.open(open("C-1", Urgency.HIGH, 1, "")));
        assertEquals(ConversationState.OPEN, stub.open(open("C-1", Urgency.LOW, 1, "")).getState());
        assertCode(Status.Code.FAILED_PRECONDITION, () -> stub.reopen(CustomerRepliedRequest.newBuilder().setId("C-1").build()));
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
        assertCode(Status.Code.FAILED_PRECONDITION, () -> stub.ack(byAgent("ann", "C-1")));
        stub.setAgentStatus(SetAgentStatusRequest.newBuilder().setAgentId("ann").setStatus(AgentStatus.AWAY).build());
        assertCode(Status.Code.FAILED_PRECONDITION, () -> stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> stub.update(UpdateRequest.newBuilder().setId("C-1").build()));
    }

    @Test
    void shouldServeALongPollWhenAConversationArrives() throws Exception
    {
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
        final CompletableFuture<NextBestReply> waiting = new CompletableFuture<>();
        TriageGrpc.newStub(fixture.channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .nextBest(NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(15_000).build(), observer(waiting));
        awaitWaitingAgents(1);
        stub.open(open("C-9", Urgency.URGENT, 1, ""));
        final NextBestReply served = waiting.get(10, TimeUnit.SECONDS);
        assertTrue(served.getAssigned());
        assertEquals("C-9", served.getConversationId());
    }

    @Test
    void shouldAnswerALongPollEmptyBeforeTheCallDeadline()
    {
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
        final NextBestReply empty = fixture.stub().withDeadlineAfter(2, TimeUnit.SECONDS)
            .nextBest(NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(60_000).build());
        assertFalse(empty.getAssigned());
    }

    @Test
    void shouldReportDeadlineExceededWhenTheEngineCannotAnswerInTime() throws Exception
    {
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        try (ServerFixture stalled = new ServerFixture(
            new EngineContext().journalHandler((event, sequence, endOfBatch) -> gate.await()), null))
        {
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stalled.stub().withDeadlineAfter(200, TimeUnit.MILLISECONDS).stats(StatsRequest.getDefaultInstance()));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            gate.countDown();
        }
    }

    @Test
    void shouldRefuseAtOnceWithResourceExhaustedWhenTheRingIsFull() throws Exception
    {
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        try (ServerFixture stalled = new ServerFixture(
            new EngineContext().ringSize(4).tickIntervalMs(0).journalHandler((event, sequence, endOfBatch) -> gate.await()), null))
        {
            final TriageGrpc.TriageStub async = TriageGrpc.newStub(stalled.channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            final List<CompletableFuture<StatsReply>> inRing = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                final CompletableFuture<StatsReply> f = new CompletableFuture<>();
                async.stats(StatsRequest.getDefaultInstance(), observer(f));
                inRing.add(f);
            }
            // Calls on one channel may overtake each other: probe only once the four are in the ring.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stalled.server.engine().remainingCapacity() > 0 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(0, stalled.server.engine().remainingCapacity());
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stalled.stub().stats(StatsRequest.getDefaultInstance()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            gate.countDown();
            for (final CompletableFuture<StatsReply> f : inRing)
            {
                f.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldGetAndSetPolicy()
    {
        final PolicyReply before = stub.getPolicy(GetPolicyRequest.getDefaultInstance());
        assertEquals(1, before.getVersion());
        assertEquals(2, before.getPolicy().getAgePointsPerMinute());
        final PolicyReply after = stub.setPolicy(SetPolicyRequest.newBuilder()
            .setPolicy(before.getPolicy().toBuilder().setAgePointsPerMinute(5)).build());
        assertEquals(2, after.getVersion());
        assertEquals(5, stub.getPolicy(GetPolicyRequest.getDefaultInstance()).getPolicy().getAgePointsPerMinute());
        assertCode(Status.Code.INVALID_ARGUMENT, () -> stub.setPolicy(SetPolicyRequest.newBuilder()
            .setPolicy(before.getPolicy().toBuilder().setLeaseMs(0)).build()));
    }

    @Test
    void shouldIngestAStreamWithOneResultPerItem() throws Exception
    {
        final Collected<IngestResult> collected = new Collected<>();
        final StreamObserver<OpenRequest> in = TriageGrpc.newStub(fixture.channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .ingest(collected);
        for (int i = 0; i < 1_000; i++)
        {
            in.onNext(open("spike-" + i, Urgency.HIGH, i == 500 ? 0 : 1, ""));
        }
        in.onCompleted();
        final List<IngestResult> results = collected.await(20);
        assertEquals(1_000, results.size());
        assertEquals(1, results.stream().filter(r -> r.getCode().equals("INVALID_ARGUMENT")).count());
        assertEquals(999, stub.stats(StatsRequest.getDefaultInstance()).getOpen());
    }

    @Test
    void shouldSlowAFastIngestStreamDownInsteadOfRefusingItems() throws Exception
    {
        // A ring of 256 slots and a client sending 20,000 items without waiting: flow control, not refusals.
        try (ServerFixture small = new ServerFixture(new EngineContext().ringSize(256).tickIntervalMs(0), null))
        {
            final Collected<IngestResult> collected = new Collected<>();
            final StreamObserver<OpenRequest> in = TriageGrpc.newStub(small.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .ingest(collected);
            for (int i = 0; i < 20_000; i++)
            {
                in.onNext(open("flood-" + i, Urgency.NORMAL, 1, ""));
            }
            in.onCompleted();
            final List<String> other = collected.await(60).stream().map(IngestResult::getCode).filter(c -> !c.equals("OK")).toList();
            assertEquals(0, other.size(), () -> other.size() + " items refused, e.g. " + other.get(0));
            assertEquals(20_000, collected.values.size());
            assertEquals(20_000, small.stub().stats(StatsRequest.getDefaultInstance()).getOpen());
        }
    }

    @Test
    void shouldIngestBatchesWithOneResultPerBatchInOrderEvenOnASmallRing() throws Exception
    {
        try (ServerFixture small = new ServerFixture(new EngineContext().ringSize(256).tickIntervalMs(0), null))
        {
            final Collected<dev.triage.proto.v1.IngestBatchResult> collected = new Collected<>();
            final StreamObserver<dev.triage.proto.v1.OpenBatch> in = TriageGrpc.newStub(small.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .ingestBatch(collected);
            for (int b = 0; b < 30; b++)
            {
                final dev.triage.proto.v1.OpenBatch.Builder batch = dev.triage.proto.v1.OpenBatch.newBuilder();
                for (int i = 0; i < 1_000; i++)
                {
                    // In batch 7: item 3 has a bad id, item 4 no impact.
                    final String id = b == 7 && i == 3 ? "bad id" : "B" + b + "-" + i;
                    batch.addItems(open(id, Urgency.NORMAL, b == 7 && i == 4 ? 0 : 1, ""));
                }
                in.onNext(batch.build());
            }
            in.onCompleted();
            final List<dev.triage.proto.v1.IngestBatchResult> results = collected.await(60);
            assertEquals(30, results.size());
            for (int b = 0; b < 30; b++)
            {
                assertEquals(b, results.get(b).getBatch(), "batch order");
                assertEquals(b == 7 ? 998 : 1_000, results.get(b).getOpened());
            }
            final List<IngestResult> failed = results.get(7).getFailedList();
            assertEquals(List.of(3L, 4L), failed.stream().map(IngestResult::getIndex).sorted().toList());
            assertEquals(List.of("INVALID_ARGUMENT", "INVALID_ARGUMENT"), failed.stream().map(IngestResult::getCode).toList());
            assertEquals(29_998, small.stub().stats(StatsRequest.getDefaultInstance()).getOpen());
        }
    }

    @Test
    void shouldRefuseAnEmptyOrOversizedBatch() throws Exception
    {
        final Collected<dev.triage.proto.v1.IngestBatchResult> collected = new Collected<>();
        final StreamObserver<dev.triage.proto.v1.OpenBatch> in = TriageGrpc.newStub(fixture.channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .ingestBatch(collected);
        in.onNext(dev.triage.proto.v1.OpenBatch.getDefaultInstance());
        final java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class, () -> collected.await(20));
        final Status status = Status.fromThrowable(e.getCause());
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertTrue(status.getDescription().contains("items must hold 1..1000"), status.getDescription());
    }

    @Test
    void shouldExposePrometheusMetrics() throws Exception
    {
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
        stub.open(open("C-1", Urgency.NORMAL, 1, ""));
        stub.open(open("C-2", Urgency.URGENT, 1, ""));
        assertTrue(stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).getAssigned());
        assertCode(Status.Code.NOT_FOUND, () -> stub.resolve(ref("nope")));
        final java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + fixture.server.metricsPort() + "/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        final String body = response.body();
        assertEquals(200, response.statusCode());
        assertTrue(body.contains("triage_open_conversations{urgency=\"normal\"} 1"), body);
        assertTrue(body.contains("triage_open_conversations{urgency=\"urgent\"} 0"), body);
        assertTrue(body.contains("triage_assigned_conversations 1"), body);
        assertTrue(body.contains("triage_assignments_total 1"), body);
        assertTrue(body.contains("triage_wait_before_assignment_seconds_count 1"), body);
        assertTrue(body.contains("triage_rpc_duration_seconds_count{code=\"NOT_FOUND\",method=\"Resolve\"} 1"), body);
        assertTrue(body.contains("triage_ring_remaining_capacity"), body);
        assertTrue(body.contains("triage_calls_waiting_limit 8192.0"), body);
        assertTrue(body.contains("triage_oldest_wait_seconds"), body);
    }

    @Test
    void shouldStreamQueueEventsToAWatcher() throws Exception
    {
        final java.util.concurrent.BlockingQueue<dev.triage.proto.v1.QueueEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        final io.grpc.Context.CancellableContext watching = io.grpc.Context.current().withCancellation();
        watching.run(() -> TriageGrpc.newStub(fixture.channel).watch(dev.triage.proto.v1.WatchRequest.getDefaultInstance(),
            new StreamObserver<>()
            {
                @Override
                public void onNext(final dev.triage.proto.v1.QueueEvent value)
                {
                    events.add(value);
                }

                @Override
                public void onError(final Throwable t)
                {
                }

                @Override
                public void onCompleted()
                {
                }
            }));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.server.watchers() == 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
        stub.open(open("W-1", Urgency.HIGH, 1, ""));
        stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
        stub.release(byAgent("ann", "W-1"));
        stub.resolve(ref("W-1"));
        final List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final dev.triage.proto.v1.QueueEvent e = events.poll(10, TimeUnit.SECONDS);
            assertTrue(e != null, "missing event after " + seen);
            assertEquals("W-1", e.getConversationId());
            seen.add(e.getKind() + (e.getAgentId().isEmpty() ? "" : ":" + e.getAgentId()));
        }
        assertEquals(List.of("OPENED", "ASSIGNED:ann", "RETURNED:ann", "RESOLVED"), seen);
        watching.cancel(null);
    }

    @Test
    void shouldAnswerEveryGoodBatchBeforeRefusingALaterOneOverNetty() throws Exception
    {
        final java.util.concurrent.BlockingQueue<Object> got = new java.util.concurrent.LinkedBlockingQueue<>();
        final StreamObserver<dev.triage.proto.v1.OpenBatch> in = TriageGrpc.newStub(fixture.channel).ingestBatch(new StreamObserver<>()
        {
            @Override
            public void onNext(final dev.triage.proto.v1.IngestBatchResult value)
            {
                got.add(value);
            }

            @Override
            public void onError(final Throwable t)
            {
                got.add(t);
            }

            @Override
            public void onCompleted()
            {
                got.add("completed");
            }
        });
        final dev.triage.proto.v1.OpenBatch.Builder twenty = dev.triage.proto.v1.OpenBatch.newBuilder();
        for (int i = 0; i < 20; i++)
        {
            twenty.addItems(open("good-batch-" + i, Urgency.NORMAL, 1, ""));
        }
        in.onNext(twenty.build());
        in.onNext(dev.triage.proto.v1.OpenBatch.getDefaultInstance());
        in.onCompleted();
        final Object first = got.poll(10, TimeUnit.SECONDS);
        assertTrue(first instanceof dev.triage.proto.v1.IngestBatchResult r && r.getOpened() == 20, String.valueOf(first));
        final Object second = got.poll(10, TimeUnit.SECONDS);
        assertTrue(second instanceof io.grpc.StatusRuntimeException e && e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT,
            String.valueOf(second));
    }

    /**
     * A watcher that reads continuously while a burst arrives by IngestBatch: before, it was cut off with
     * RESOURCE_EXHAUSTED as soon as its transport's buffer filled (after 844-1,897 of 20,000 events); now it reads
     * through the burst and sees every event.
     */
    @Test
    void shouldKeepAWatcherThatReadsThroughABurst() throws Exception
    {
        final int burst = 20_000;
        final java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        final io.grpc.Context.CancellableContext watching = io.grpc.Context.current().withCancellation();
        watching.run(() -> TriageGrpc.newStub(fixture.channel).watch(dev.triage.proto.v1.WatchRequest.getDefaultInstance(),
            new StreamObserver<>()
            {
                @Override
                public void onNext(final dev.triage.proto.v1.QueueEvent value)
                {
                    seen.incrementAndGet();
                }

                @Override
                public void onError(final Throwable t)
                {
                    ended.complete(t);
                }

                @Override
                public void onCompleted()
                {
                    ended.complete(null);
                }
            }));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fixture.server.watchers() == 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        final CompletableFuture<Void> ingested = new CompletableFuture<>();
        final StreamObserver<dev.triage.proto.v1.OpenBatch> in = TriageGrpc.newStub(fixture.channel).ingestBatch(new StreamObserver<>()
        {
            @Override
            public void onNext(final dev.triage.proto.v1.IngestBatchResult value)
            {
            }

            @Override
            public void onError(final Throwable t)
            {
                ingested.completeExceptionally(t);
            }

            @Override
            public void onCompleted()
            {
                ingested.complete(null);
            }
        });
        for (int b = 0; b < burst / 1_000; b++)
        {
            final dev.triage.proto.v1.OpenBatch.Builder batch = dev.triage.proto.v1.OpenBatch.newBuilder();
            for (int i = 0; i < 1_000; i++)
            {
                batch.addItems(open("burst-" + b + "-" + i, Urgency.NORMAL, 1, ""));
            }
            in.onNext(batch.build());
        }
        in.onCompleted();
        ingested.get(30, TimeUnit.SECONDS);
        while (seen.get() < burst && !ended.isDone() && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertTrue(!ended.isDone(), "the watcher was cut off after " + seen.get() + " events: " + ended.getNow(null));
        assertEquals(burst, seen.get(), "every event of the burst reached the watcher");
        watching.cancel(null);
    }

    @Test
    void shouldCutOffAWatcherThatDoesNotReadWithoutSlowingTheEngine() throws Exception
    {
        final io.grpc.Context.CancellableContext watching = io.grpc.Context.current().withCancellation();
        watching.run(() -> TriageGrpc.newStub(fixture.channel).watch(dev.triage.proto.v1.WatchRequest.getDefaultInstance(),
            new io.grpc.stub.ClientResponseObserver<dev.triage.proto.v1.WatchRequest, dev.triage.proto.v1.QueueEvent>()
            {
                @Override
                public void beforeStart(final io.grpc.stub.ClientCallStreamObserver<dev.triage.proto.v1.WatchRequest> call)
                {
                    call.disableAutoRequestWithInitial(0);
                }

                @Override
                public void onNext(final dev.triage.proto.v1.QueueEvent value)
                {
                }

                @Override
                public void onError(final Throwable t)
                {
                }

                @Override
                public void onCompleted()
                {
                }
            }));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fixture.server.watchers() == 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        final TriageGrpc.TriageStub async = TriageGrpc.newStub(fixture.channel);
        int opened = 0;
        while (fixture.server.watchers() > 0 && System.nanoTime() < deadline)
        {
            final CompletableFuture<Void> batch = new CompletableFuture<>();
            final StreamObserver<OpenRequest> in = async.ingest(new StreamObserver<>()
            {
                @Override
                public void onNext(final IngestResult value)
                {
                }

                @Override
                public void onError(final Throwable t)
                {
                    batch.completeExceptionally(t);
                }

                @Override
                public void onCompleted()
                {
                    batch.complete(null);
                }
            });
            for (int i = 0; i < 2_000; i++)
            {
                in.onNext(open("slow-" + opened++, Urgency.LOW, 1, ""));
            }
            in.onCompleted();
            batch.get(20, TimeUnit.SECONDS);
        }
        assertEquals(0, fixture.server.watchers(), "the stalled watcher was never cut off");
        assertEquals(opened, stub.stats(StatsRequest.getDefaultInstance()).getOpen());
        watching.cancel(null);
    }

    @Test
    void shouldReportHealthServing()
    {
        final HealthCheckResponse health = HealthGrpc.newBlockingStub(fixture.channel)
            .check(HealthCheckRequest.newBuilder().setService("triage.v1.Triage").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    private void awaitWaitingAgents(final int n) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stub.stats(StatsRequest.getDefaultInstance()).getWaitingAgents() < n)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("agent never started waiting");
            }
            Thread.onSpinWait();
        }
    }

    static OpenRequest open(final String id, final Urgency urgency, final int impact, final String skill)
    {
        final OpenRequest.Builder b = OpenRequest.newBuilder().setId(id).setUrgency(urgency).setImpact(impact);
        if (!skill.isEmpty())
        {
            b.addSkills(skill);
        }
        return b.build();
    }

    static ConversationRef ref(final String id)
    {
        return ConversationRef.newBuilder().setId(id).build();
    }

    static AgentConversationRequest byAgent(final String agent, final String conversation)
    {
        return AgentConversationRequest.newBuilder().setAgentId(agent).setConversationId(conversation).build();
    }

    @Test
    void shouldRefuseOutOfRangeUnsignedFieldsUnknownEnumsAndAMissingPolicyNamingTheField() throws Exception
    {
        stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
        final int fourBillion = (int)4_000_000_000L;
        assertEquals("n", violations(() -> stub.top(TopRequest.newBuilder().setN(fourBillion).build())).get(0).getField());
        assertEquals("wait_ms", violations(() -> stub.nextBest(
            NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(fourBillion).build())).get(0).getField());
        final int version = stub.getPolicy(GetPolicyRequest.getDefaultInstance()).getVersion();
        final BadRequest.FieldViolation missing = violations(() -> stub.setPolicy(SetPolicyRequest.getDefaultInstance())).get(0);
        assertEquals("policy is required", missing.getField() + " " + missing.getDescription());
        final dev.triage.proto.v1.Policy current = stub.getPolicy(GetPolicyRequest.getDefaultInstance()).getPolicy();
        assertEquals("policy.newest_first_max_urgency", violations(() -> stub.setPolicy(SetPolicyRequest.newBuilder()
            .setPolicy(current.toBuilder().setNewestFirstMaxUrgencyValue(99)).build())).get(0).getField());
        assertEquals(version, stub.getPolicy(GetPolicyRequest.getDefaultInstance()).getVersion(), "nothing was journaled");
    }

    @Test
    void shouldReportTheFirstTenViolationsAndCountTheRest() throws Exception
    {
        final OpenRequest.Builder flood = OpenRequest.newBuilder().setId("C-x").setUrgency(Urgency.HIGH).setImpact(1);
        for (int i = 0; i < 60; i++)
        {
            flood.addSkills("bad skill name number " + i + " with spaces and more words to make the trailers large");
        }
        final StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.open(flood.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().endsWith("; and 51 more"), e.getStatus().getDescription());
        assertEquals(10, violations(() -> stub.open(flood.build())).size());
    }

    private static List<BadRequest.FieldViolation> violations(final Runnable call) throws Exception
    {
        final StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        final com.google.rpc.Status detail = StatusProto.fromThrowable(e);
        return detail.getDetails(0).unpack(BadRequest.class).getFieldViolationsList();
    }

    static void assertCode(final Status.Code code, final Runnable call)
    {
        final StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    }

    static <T> StreamObserver<T> observer(final CompletableFuture<T> future)
    {
        return new StreamObserver<>()
        {
            @Override
            public void onNext(final T value)
            {
                future.complete(value);
            }

            @Override
            public void onError(final Throwable t)
            {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted()
            {
            }
        };
    }
}
