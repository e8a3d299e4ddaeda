package dev.triage.api.client;

import dev.triage.api.auth.BearerCredentials;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.AgentReply;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.CustomerRepliedRequest;
import dev.triage.proto.v1.GetPolicyRequest;
import dev.triage.proto.v1.InfoReply;
import dev.triage.proto.v1.InfoRequest;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.PolicyReply;
import dev.triage.proto.v1.QueueEvent;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.SetPolicyRequest;
import dev.triage.proto.v1.SnapshotReply;
import dev.triage.proto.v1.SnapshotRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpdateRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The reference Java client of a Triage server: every unary call asynchronous (a {@link CompletableFuture} that
 * fails with the call's {@link io.grpc.StatusRuntimeException}), each with the client's deadline (NextBest adds its
 * wait to it), and the agents' {@link AgentSession} stream. One channel (netty, plaintext or TLS), an optional
 * bearer token. gRPC's transparent retries are off: a call is sent once, because Open, Resolve, NextBest and the
 * other writes are not idempotent in what they answer; {@link Builder#retryReads} turns retries on for the reads
 * only (Top, Stats, Info, GetPolicy), on UNAVAILABLE. The CLI and the load generator use this client, so the project
 * measures what its users get.
 * <pre>
 * try (TriageClient triage = TriageClient.builder("localhost:7411").token(t).build()) {
 *     triage.open(OpenRequest.newBuilder().setId("c1").setUrgency(Urgency.HIGH).setImpact(1).build()).join();
 *     NextBestReply next = triage.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).join();
 * }
 * </pre>
 */
public final class TriageClient implements AutoCloseable
{
    /** Default call deadline. */
    public static final long DEADLINE_MS_DEFAULT = 10_000;

    private final ManagedChannel channel;
    private final TriageGrpc.TriageStub stub;
    private final long deadlineMs;

    private TriageClient(final Builder b)
    {
        channel = b.channel();
        final TriageGrpc.TriageStub plain = TriageGrpc.newStub(channel);
        stub = b.token == null || b.token.isBlank() ? plain : plain.withCallCredentials(new BearerCredentials(b.token));
        deadlineMs = b.deadlineMs;
    }

    /**
     * @param server HOST:PORT of the server.
     * @return a builder.
     */
    public static Builder builder(final String server)
    {
        return new Builder(server);
    }

    public CompletableFuture<ConversationReply> open(final OpenRequest request)
    {
        return unary((s, o) -> s.open(request, o));
    }

    public CompletableFuture<ConversationReply> update(final UpdateRequest request)
    {
        return unary((s, o) -> s.update(request, o));
    }

    public CompletableFuture<ConversationReply> customerReplied(final CustomerRepliedRequest request)
    {
        return unary((s, o) -> s.customerReplied(request, o));
    }

    public CompletableFuture<ConversationReply> reopen(final CustomerRepliedRequest request)
    {
        return unary((s, o) -> s.reopen(request, o));
    }

    public CompletableFuture<ConversationReply> agentReplied(final ConversationRef request)
    {
        return unary((s, o) -> s.agentReplied(request, o));
    }

    public CompletableFuture<ConversationReply> resolve(final ConversationRef request)
    {
        return unary((s, o) -> s.resolve(request, o));
    }

    public CompletableFuture<AgentReply> upsertAgent(final UpsertAgentRequest request)
    {
        return unary((s, o) -> s.upsertAgent(request, o));
    }

    public CompletableFuture<AgentReply> setAgentStatus(final SetAgentStatusRequest request)
    {
        return unary((s, o) -> s.setAgentStatus(request, o));
    }

    /**
     * @param request the request; its wait is added to the call's deadline, so a long-poll gets its whole wait.
     * @return the answer.
     */
    public CompletableFuture<NextBestReply> nextBest(final NextBestRequest request)
    {
        return unary(deadlineMs + Integer.toUnsignedLong(request.getWaitMs()), (s, o) -> s.nextBest(request, o));
    }

    public CompletableFuture<ConversationReply> ack(final AgentConversationRequest request)
    {
        return unary((s, o) -> s.ack(request, o));
    }

    public CompletableFuture<ConversationReply> release(final AgentConversationRequest request)
    {
        return unary((s, o) -> s.release(request, o));
    }

    public CompletableFuture<TopReply> top(final TopRequest request)
    {
        return unary((s, o) -> s.top(request, o));
    }

    public CompletableFuture<dev.triage.proto.v1.IncidentActionReply> incidentReply(final dev.triage.proto.v1.IncidentActionRequest request)
    {
        return unary((s, o) -> s.incidentReply(request, o));
    }

    public CompletableFuture<dev.triage.proto.v1.IncidentActionReply> resolveIncident(final dev.triage.proto.v1.IncidentActionRequest request)
    {
        return unary((s, o) -> s.resolveIncident(request, o));
    }

    public CompletableFuture<dev.triage.proto.v1.IncidentInfo> getIncident(final String incident)
    {
        return unary((s, o) -> s.getIncident(dev.triage.proto.v1.IncidentRequest.newBuilder().setIncident(incident).build(), o));
    }

    public CompletableFuture<StatsReply> stats()
    {
        return unary((s, o) -> s.stats(StatsRequest.getDefaultInstance(), o));
    }

    public CompletableFuture<InfoReply> info()
    {
        return unary((s, o) -> s.info(InfoRequest.getDefaultInstance(), o));
    }

    public CompletableFuture<PolicyReply> getPolicy()
    {
        return unary((s, o) -> s.getPolicy(GetPolicyRequest.getDefaultInstance(), o));
    }

    public CompletableFuture<PolicyReply> setPolicy(final SetPolicyRequest request)
    {
        return unary((s, o) -> s.setPolicy(request, o));
    }

    public CompletableFuture<SnapshotReply> snapshot()
    {
        return unary((s, o) -> s.snapshot(SnapshotRequest.getDefaultInstance(), o));
    }

    /**
     * Queue events as they happen, with no deadline, until the server ends the stream or the caller cancels it.
     *
     * @param events receives them on a gRPC thread.
     */
    public void watch(final StreamObserver<QueueEvent> events)
    {
        stub.watch(WatchRequest.getDefaultInstance(), events);
    }

    /**
     * @return a new agents' Session stream on this client's channel (close it when done).
     */
    public AgentSession session()
    {
        return new AgentSession(stub, deadlineMs);
    }

    /**
     * @return the stub with this client's credentials and no deadline, for the client streams (Ingest, IngestBatch).
     */
    public TriageGrpc.TriageStub stub()
    {
        return stub;
    }

    /** Close the channel; calls still open fail with UNAVAILABLE. */
    @Override
    public void close()
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private <R> CompletableFuture<R> unary(final BiConsumer<TriageGrpc.TriageStub, StreamObserver<R>> call)
    {
        return unary(deadlineMs, call);
    }

    private <R> CompletableFuture<R> unary(final long callDeadlineMs, final BiConsumer<TriageGrpc.TriageStub, StreamObserver<R>> call)
    {
        final CompletableFuture<R> answer = new CompletableFuture<>();
        call.accept(stub.withDeadlineAfter(callDeadlineMs, TimeUnit.MILLISECONDS), new StreamObserver<>()
        {
            @Override
            public void onNext(final R value)
            {
                answer.complete(value);
            }

            @Override
            public void onError(final Throwable t)
            {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted()
            {
                if (!answer.isDone())
                {
                    answer.completeExceptionally(io.grpc.Status.INTERNAL.withDescription("no answer").asRuntimeException());
                }
            }
        });
        return answer;
    }

    /** Settings of a {@link TriageClient}. */
    public static final class Builder
    {
        private final String server;
        private String token;
        private Path tlsCa;
        private Path tlsCert;
        private Path tlsKey;
        private long deadlineMs = DEADLINE_MS_DEFAULT;
        private boolean retryReads;

        private Builder(final String server)
        {
            this.server = server;
        }

        /**
         * @param token a bearer token, or null/blank for none.
         * @return this.
         */
        public Builder token(final String token)
        {
            this.token = token;
            return this;
        }

        /**
         * @param ca trust this CA (PEM) and connect over TLS; null for plaintext.
         * @param cert mutual TLS: this client's certificate (PEM), or null.
         * @param key mutual TLS: its PKCS#8 key (PEM), or null.
         * @return this.
         */
        public Builder tls(final Path ca, final Path cert, final Path key)
        {
            if ((cert == null) != (key == null))
            {
                throw new IllegalArgumentException("a client certificate and its key go together");
            }
            if (ca == null && cert != null)
            {
                throw new IllegalArgumentException("a client certificate needs TLS: give the server's CA too");
            }
            this.tlsCa = ca;
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        /**
         * @param ms every call's deadline (a NextBest's wait is added to it).
         * @return this.
         */
        public Builder deadlineMs(final long ms)
        {
            if (ms < 1)
            {
                throw new IllegalArgumentException("deadline must be >= 1 ms, was " + ms);
            }
            this.deadlineMs = ms;
            return this;
        }

        /**
         * @param retry retry Top, Stats, Info and GetPolicy on UNAVAILABLE (up to 3 attempts); writes are never retried.
         * @return this.
         */
        public Builder retryReads(final boolean retry)
        {
            this.retryReads = retry;
            return this;
        }

        public TriageClient build()
        {
            return new TriageClient(this);
        }

        private ManagedChannel channel()
        {
            final int colon = server.lastIndexOf(':');
            if (colon < 0)
            {
                throw new IllegalArgumentException("the server must be HOST:PORT, was " + server);
            }
            final int port;
            try
            {
                port = Integer.parseInt(server.substring(colon + 1));
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("the server must be HOST:PORT, was " + server);
            }
            final NettyChannelBuilder builder = NettyChannelBuilder.forAddress(server.substring(0, colon), port);
            if (retryReads)
            {
                builder.defaultServiceConfig(readRetries()).enableRetry();
            }
            else
            {
                builder.disableRetry();
            }
            if (tlsCa == null)
            {
                return builder.usePlaintext().build();
            }
            try
            {
                final SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(tlsCa.toFile());
                if (tlsCert != null)
                {
                    tls.keyManager(tlsCert.toFile(), tlsKey.toFile());
                }
                return builder.sslContext(tls.build()).build();
            }
            catch (final javax.net.ssl.SSLException | IllegalArgumentException e)
            {
                throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage());
            }
        }

        private static Map<String, Object> readRetries()
        {
            final List<Map<String, Object>> names = List.of(
                Map.of("service", TriageGrpc.SERVICE_NAME, "method", "Top"),
                Map.of("service", TriageGrpc.SERVICE_NAME, "method", "Stats"),
                Map.of("service", TriageGrpc.SERVICE_NAME, "method", "Info"),
                Map.of("service", TriageGrpc.SERVICE_NAME, "method", "GetPolicy"));
            final Map<String, Object> retryPolicy = Map.of(
                "maxAttempts", 3.0,
                "initialBackoff", "0.1s",
                "maxBackoff", "1s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
            return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", retryPolicy)));
        }
    }
}
