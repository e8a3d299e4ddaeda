package dev.triage.bench.load;

import dev.triage.api.client.AgentSession;
import dev.triage.api.client.TriageClient;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Triage through its reference client ({@link TriageClient}: netty, plaintext or a bearer token; unary calls or the
 * agents' Session stream). Agents are registered with capacity 1: each
 * simulated agent holds one conversation at a time. Triage's journal durability is the server's setting.
 */
final class TriageTarget implements Target
{
    private final TriageClient client;
    private final TriageGrpc.TriageStub async;
    private final String durability;
    /** Agents' calls over one shared Session stream (multiplexed), or null for unary calls. */
    private final AgentSession mux;

    TriageTarget(final String address, final String token, final String durability)
    {
        this(address, token, durability, false);
    }

    /**
     * @param sessionStream true to send every agent's NextBest, Resolve and Release over one shared Session stream,
     * as a front end multiplexing its agents would; opens stay unary.
     */
    TriageTarget(final String address, final String token, final String durability, final boolean sessionStream)
    {
        // The project's reference client, as a front end would use it: async calls, 30 s deadlines.
        client = TriageClient.builder(address).token(token).deadlineMs(30_000).build();
        async = client.stub();
        this.durability = durability;
        mux = sessionStream ? client.session() : null;
    }

    @Override
    public String name()
    {
        return mux == null ? "triage" : "triage-session";
    }

    @Override
    public boolean longPolls()
    {
        return true;
    }

    @Override
    public String durability()
    {
        return durability;
    }

    @Override
    public void reset(final List<Agent> agents) throws Exception
    {
        final StatsReply stats = await(client.stats());
        if (stats.getOpen() + stats.getAssigned() > 0)
        {
            throw new IllegalStateException("the Triage server already holds " + (stats.getOpen() + stats.getAssigned()) +
                " open or assigned conversations; start it on a new journal directory for a run");
        }
        for (final Agent agent : agents)
        {
            await(client.upsertAgent(
                UpsertAgentRequest.newBuilder().setAgentId(agent.id()).addAllSkills(agent.skills()).setCapacity(1).build()));
        }
    }

    @Override
    public boolean claimAllAsync(final List<Agent> agents, final java.util.function.LongConsumer onClaim)
        throws InterruptedException
    {
        if (mux == null)
        {
            return false;
        }
        final CountDownLatch done = new CountDownLatch(agents.size());
        for (final Agent agent : agents)
        {
            claimNext(agent, null, onClaim, done);
        }
        done.await();
        return true;
    }

    /** One agent's loop as callbacks: resolve what it holds and take the next in one request, until none is left. */
    private void claimNext(final Agent agent, final String held, final java.util.function.LongConsumer onClaim,
        final CountDownLatch done)
    {
        final long sent = System.nanoTime();
        final java.util.concurrent.CompletableFuture<dev.triage.proto.v1.SessionReply> reply = held == null
            ? mux.nextBest(NextBestRequest.newBuilder().setAgentId(agent.id()).build())
            : mux.resolveAndNext(dev.triage.proto.v1.ResolveAndNextRequest.newBuilder().setAgentId(agent.id())
                .setConversationId(held).build());
        reply.whenComplete((r, failure) ->
        {
            if (failure == null && r.getNextBest().getAssigned())
            {
                onClaim.accept(System.nanoTime() - sent);
                claimNext(agent, r.getNextBest().getConversationId(), onClaim, done);
            }
            else
            {
                // Nothing left for this agent (its last resolve came back with an empty NextBest), or a failure.
                done.countDown();
            }
        });
    }

    @Override
    public Session session()
    {
        return new TriageSession();
    }

    static OpenRequest request(final Conversation c)
    {
        final OpenRequest.Builder b = OpenRequest.newBuilder().setId(c.id()).setUrgency(Urgency.forNumber(c.urgency()))
            .setImpact(c.impact()).addSkills(c.skill());
        if (!c.incident().isEmpty())
        {
            b.setIncident(c.incident());
        }
        return b.build();
    }

    /**
     * Stream conversations over Ingest, one per message.
     *
     * @param conversations what to open.
     * @param onResult called per result from a gRPC thread.
     * @return results that were not OK.
     * @throws InterruptedException if interrupted.
     */
    long ingest(final List<Conversation> conversations, final java.util.function.Consumer<IngestResult> onResult)
        throws InterruptedException
    {
        return sendAll("Ingest", async::ingest, conversations.stream().map(TriageTarget::request).iterator(),
            r -> "OK".equals(r.getCode()) ? 0 : 1, onResult);
    }

    /**
     * Stream conversations over IngestBatch, {@code batchSize} per message.
     *
     * @param conversations what to open.
     * @param batchSize items per message.
     * @param onResult called per batch result from a gRPC thread.
     * @return items that were not opened.
     * @throws InterruptedException if interrupted.
     */
    long ingestBatches(final List<Conversation> conversations, final int batchSize,
        final java.util.function.Consumer<dev.triage.proto.v1.IngestBatchResult> onResult) throws InterruptedException
    {
        final java.util.Iterator<dev.triage.proto.v1.OpenBatch> batches = new java.util.Iterator<>()
        {
            private int next;

            @Override
            public boolean hasNext()
            {
                return next < conversations.size();
            }

            @Override
            public dev.triage.proto.v1.OpenBatch next()
            {
                final dev.triage.proto.v1.OpenBatch.Builder batch = dev.triage.proto.v1.OpenBatch.newBuilder();
                final int end = Math.min(conversations.size(), next + batchSize);
                for (; next < end; next++)
                {
                    batch.addItems(request(conversations.get(next)));
                }
                return batch.build();
            }
        };
        return sendAll("IngestBatch", async::ingestBatch, batches, dev.triage.proto.v1.IngestBatchResult::getFailedCount, onResult);
    }

    /**
     * Send every request of a client stream, only while the transport is ready (so the client never buffers more than
     * HTTP/2 flow control lets through), and wait for the server to finish.
     *
     * @return the failures the results count.
     */
    private static <Q, R> long sendAll(final String rpc, final java.util.function.Consumer<ClientResponseObserver<Q, R>> call,
        final java.util.Iterator<Q> requests, final java.util.function.ToLongFunction<R> failures,
        final java.util.function.Consumer<R> onResult) throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        call.accept(new ClientResponseObserver<Q, R>()
        {
            private boolean completed;

            @Override
            public void beforeStart(final ClientCallStreamObserver<Q> out)
            {
                out.setOnReadyHandler(() ->
                {
                    while (out.isReady() && requests.hasNext())
                    {
                        out.onNext(requests.next());
                    }
                    if (!requests.hasNext() && !completed)
                    {
                        completed = true;
                        out.onCompleted();
                    }
                });
            }

            @Override
            public void onNext(final R result)
            {
                failed.addAndGet(failures.applyAsLong(result));
                onResult.accept(result);
            }

            @Override
            public void onError(final Throwable t)
            {
                error.set(t);
                done.countDown();
            }

            @Override
            public void onCompleted()
            {
                done.countDown();
            }
        });
        done.await();
        if (error.get() != null)
        {
            throw new IllegalStateException(rpc + " failed: " + Status.fromThrowable(error.get()), error.get());
        }
        return failed.get();
    }

    @Override
    public void close()
    {
        if (mux != null)
        {
            mux.close();
        }
        client.close();
    }

    /**
     * @return the call's answer.
     * @throws Exception its failure (a StatusRuntimeException for a gRPC status).
     */
    private static <T> T await(final java.util.concurrent.CompletableFuture<T> call) throws Exception
    {
        try
        {
            return call.get();
        }
        catch (final java.util.concurrent.ExecutionException e)
        {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private final class TriageSession implements Session
    {
        @Override
        public void open(final Conversation c, final long openedAtMs) throws Exception
        {
            await(client.open(request(c)));
        }

        @Override
        public String nextBest(final Agent agent, final int waitMs) throws Exception
        {
            if (mux != null)
            {
                final dev.triage.proto.v1.SessionReply r =
                    await(mux.nextBest(NextBestRequest.newBuilder().setAgentId(agent.id()).setWaitMs(waitMs).build()));
                return r.getNextBest().getAssigned() ? r.getNextBest().getConversationId() : null;
            }
            final NextBestReply reply = await(client.nextBest(NextBestRequest.newBuilder().setAgentId(agent.id()).setWaitMs(waitMs).build()));
            return reply.getAssigned() ? reply.getConversationId() : null;
        }

        @Override
        public void resolve(final Agent agent, final String id) throws Exception
        {
            if (mux != null)
            {
                await(mux.resolve(AgentConversationRequest.newBuilder().setAgentId(agent.id()).setConversationId(id).build()));
                return;
            }
            await(client.resolve(ConversationRef.newBuilder().setId(id).build()));
        }

        @Override
        public void release(final Agent agent, final String id) throws Exception
        {
            if (mux != null)
            {
                await(mux.release(AgentConversationRequest.newBuilder().setAgentId(agent.id()).setConversationId(id).build()));
                return;
            }
            await(client.release(AgentConversationRequest.newBuilder().setAgentId(agent.id()).setConversationId(id).build()));
        }

        @Override
        public long[] depthAndOldestWait() throws Exception
        {
            final StatsReply stats = await(client.stats());
            return new long[] { stats.getOpen(), stats.getOldestWaitMs() };
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * @param e a failure.
     * @return its kind for the error table.
     */
    static String kindOf(final Throwable e)
    {
        if (e instanceof StatusRuntimeException s)
        {
            return s.getStatus().getCode().name();
        }
        return e.getClass().getSimpleName();
    }
}
