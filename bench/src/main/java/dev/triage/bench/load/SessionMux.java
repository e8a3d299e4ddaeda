package dev.triage.bench.load;

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
 * Many agent threads over one Session stream, as a front end multiplexes its agents: each call gets a correlation
 * id, is sent on the shared stream, and waits for the reply carrying that id. A per-request SessionError is thrown
 * as the status its unary call would have failed with.
 */
final class SessionMux implements AutoCloseable
{
    private final StreamObserver<SessionRequest> out;
    private final Map<Long, CompletableFuture<SessionReply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();

    SessionMux(final TriageGrpc.TriageStub stub)
    {
        out = stub.session(new StreamObserver<>()
        {
            @Override
            public void onNext(final SessionReply reply)
            {
                final CompletableFuture<SessionReply> waiting = pending.remove(reply.getCorrelationId());
                if (waiting != null)
                {
                    waiting.complete(reply);
                }
            }

            @Override
            public void onError(final Throwable t)
            {
                pending.values().forEach(f -> f.completeExceptionally(t));
            }

            @Override
            public void onCompleted()
            {
                pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("session ended")));
            }
        });
    }

    /**
     * @param request the request without its correlation id.
     * @param timeoutMs how long to wait for the reply.
     * @return the reply (never an error).
     * @throws Exception the request's failure, as a StatusRuntimeException, or a time-out.
     */
    SessionReply call(final SessionRequest.Builder request, final long timeoutMs) throws Exception
    {
        final long id = nextId.incrementAndGet();
        final CompletableFuture<SessionReply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        synchronized (out)
        {
            out.onNext(request.setCorrelationId(id).build());
        }
        final SessionReply r = reply.get(timeoutMs, TimeUnit.MILLISECONDS);
        if (r.hasError())
        {
            throw Status.fromCode(Status.Code.valueOf(r.getError().getCode())).withDescription(r.getError().getMessage())
                .asRuntimeException();
        }
        return r;
    }

    @Override
    public void close()
    {
        synchronized (out)
        {
            out.onCompleted();
        }
    }
}
