package dev.triage.api.client;

import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.ResolveAndNextRequest;
import dev.triage.proto.v1.SessionError;
import dev.triage.proto.v1.SessionReply;
import dev.triage.proto.v1.SessionRequest;
import dev.triage.proto.v1.TriageGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Session stream carrying many agents' requests, as a helpdesk front end multiplexes its agents: each request
 * gets a correlation id and a future; the server answers in any order (a waiting NextBest when its match arrives).
 * A request's error (the status its unary call would have failed with, and the same field violations) fails its
 * future with a {@link io.grpc.StatusRuntimeException}; the stream ending fails every pending one with UNAVAILABLE.
 * Each request also has the client's deadline (plus a NextBest's wait): the future fails with DEADLINE_EXCEEDED when
 * it passes, whatever the server does later. Thread-safe.
 */
public final class AgentSession implements AutoCloseable
{
    private final StreamObserver<SessionRequest> out;
    private final Map<Long, CompletableFuture<SessionReply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final long deadlineMs;
    private volatile Status ended;

    AgentSession(final TriageGrpc.TriageStub stub, final long deadlineMs)
    {
        this.deadlineMs = deadlineMs;
        out = stub.session(new StreamObserver<>()
        {
            @Override
            public void onNext(final SessionReply reply)
            {
                final CompletableFuture<SessionReply> waiting = pending.remove(reply.getCorrelationId());
                if (waiting == null)
                {
                    return;
                }
                if (reply.hasError())
                {
                    waiting.completeExceptionally(failure(reply.getError()));
                }
                else
                {
                    waiting.complete(reply);
                }
            }

            @Override
            public void onError(final Throwable t)
            {
                end(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted()
            {
                end(Status.UNAVAILABLE.withDescription("the server ended the session"));
            }
        });
    }

    public CompletableFuture<SessionReply> nextBest(final NextBestRequest request)
    {
        return send(SessionRequest.newBuilder().setNextBest(request), deadlineMs + Integer.toUnsignedLong(request.getWaitMs()));
    }

    public CompletableFuture<SessionReply> resolveAndNext(final ResolveAndNextRequest request)
    {
        return send(SessionRequest.newBuilder().setResolveAndNext(request), deadlineMs + Integer.toUnsignedLong(request.getWaitMs()));
    }

    public CompletableFuture<SessionReply> ack(final AgentConversationRequest request)
    {
        return send(SessionRequest.newBuilder().setAck(request), deadlineMs);
    }

    public CompletableFuture<SessionReply> release(final AgentConversationRequest request)
    {
        return send(SessionRequest.newBuilder().setRelease(request), deadlineMs);
    }

    public CompletableFuture<SessionReply> resolve(final AgentConversationRequest request)
    {
        return send(SessionRequest.newBuilder().setResolve(request), deadlineMs);
    }

    public CompletableFuture<SessionReply> agentReplied(final AgentConversationRequest request)
    {
        return send(SessionRequest.newBuilder().setAgentReplied(request), deadlineMs);
    }

    private CompletableFuture<SessionReply> send(final SessionRequest.Builder request, final long timeoutMs)
    {
        final CompletableFuture<SessionReply> reply = new CompletableFuture<>();
        final Status status = ended;
        if (status != null)
        {
            reply.completeExceptionally(status.asRuntimeException());
            return reply;
        }
        final long id = nextId.incrementAndGet();
        pending.put(id, reply);
        synchronized (out)
        {
            out.onNext(request.setCorrelationId(id).build());
        }
        reply.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((r, t) ->
        {
            if (t instanceof java.util.concurrent.TimeoutException && pending.remove(id) != null)
            {
                reply.obtrudeException(Status.DEADLINE_EXCEEDED
                    .withDescription("no answer within " + timeoutMs + " ms on the session").asRuntimeException());
            }
        });
        return reply;
    }

    private void end(final Status status)
    {
        ended = status;
        for (final Long id : pending.keySet())
        {
            final CompletableFuture<SessionReply> waiting = pending.remove(id);
            if (waiting != null)
            {
                waiting.completeExceptionally(status.asRuntimeException());
            }
        }
    }

    /**
     * @return the failure the request's unary call would have ended with: its status, and for INVALID_ARGUMENT the
     *         same google.rpc.BadRequest details (so {@code FieldViolations.of} reads both alike).
     */
    static io.grpc.StatusRuntimeException failure(final SessionError error)
    {
        Status.Code code;
        try
        {
            code = Status.Code.valueOf(error.getCode());
        }
        catch (final IllegalArgumentException e)
        {
            code = Status.Code.UNKNOWN;
        }
        final com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value())
            .setMessage(error.getMessage());
        if (error.getFieldViolationsCount() > 0)
        {
            final com.google.rpc.BadRequest.Builder bad = com.google.rpc.BadRequest.newBuilder();
            for (final dev.triage.proto.v1.SessionFieldViolation v : error.getFieldViolationsList())
            {
                bad.addFieldViolations(com.google.rpc.BadRequest.FieldViolation.newBuilder()
                    .setField(v.getField()).setDescription(v.getDescription()));
            }
            status.addDetails(com.google.protobuf.Any.pack(bad.build()));
        }
        return io.grpc.protobuf.StatusProto.toStatusRuntimeException(status.build());
    }

    /** Half-close: the server answers what it has, then ends the stream. */
    @Override
    public void close()
    {
        synchronized (out)
        {
            out.onCompleted();
        }
    }
}
