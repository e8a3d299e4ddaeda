package dev.triage.api;

import dev.triage.api.service.TriageService;
import dev.triage.api.service.WatchHub;
import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bulk traffic through the real service over the in-process transport: a 50,000-conversation ingest spike, then
 * agents working through 10,000 of them in priority order.
 */
class BulkInProcessTest
{
    @Test
    @Timeout(120)
    void shouldIngestASpikeAndServeItInPriorityOrder() throws Exception
    {
        final int spike = 50_000;
        final String name = InProcessServerBuilder.generateName();
        try (WatchHub hub = new WatchHub(1_024);
             TriageEngine engine = TriageEngine.start(new EngineContext().queueEventSink(hub)))
        {
            final Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new TriageService(engine, engine.context().clock(), waited -> { }, hub, new dev.triage.api.service.Admission(1_024))).build().start();
            final ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            try
            {
                final TriageGrpc.TriageBlockingStub stub = TriageGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                final Collected<IngestResult> collected = new Collected<>();
                final StreamObserver<OpenRequest> in = TriageGrpc.newStub(channel).ingest(collected);
                for (int i = 0; i < spike; i++)
                {
                    in.onNext(OpenRequest.newBuilder().setId("spike-" + i).setUrgency(Urgency.forNumber(1 + i % 5))
                        .setImpact(1 + i % 100).setIncident(i % 10 == 0 ? "outage" : "").build());
                }
                in.onCompleted();
                final long ok = collected.await(60).stream().filter(r -> r.getCode().equals("OK")).count();
                assertEquals(spike, collected.values.size(), "one result per item");
                final StatsReply stats = stub.stats(StatsRequest.getDefaultInstance());
                assertEquals(ok, stats.getOpen(), "every accepted item is open; refused ones say so");

                stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bulk-agent").setCapacity(1).build());
                final double best = stub.top(TopRequest.newBuilder().setN(1).build()).getEntries(0).getScore();
                double previous = Double.MAX_VALUE;
                final Set<String> seen = new HashSet<>();
                for (int i = 0; i < 10_000; i++)
                {
                    final NextBestReply next = stub.nextBest(NextBestRequest.newBuilder().setAgentId("bulk-agent").build());
                    assertTrue(next.getAssigned());
                    assertTrue(seen.add(next.getConversationId()), "assigned twice: " + next.getConversationId());
                    assertTrue(next.getScore().getTotal() <= previous + 1.0, "served out of order at " + i);
                    previous = next.getScore().getTotal();
                    stub.resolve(ConversationRef.newBuilder().setId(next.getConversationId()).build());
                }
                assertTrue(best >= previous);
                assertEquals(ok - 10_000, stub.stats(StatsRequest.getDefaultInstance()).getOpen());
            }
            finally
            {
                channel.shutdownNow();
                server.shutdownNow();
            }
        }
    }
}
