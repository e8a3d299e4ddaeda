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
    private final Map<Long, java.util.function.Consumer<SessionReply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();

    SessionMux(final TriageGrpc.TriageStub stub)
    {
        out = stub.session(new StreamObserver<>()
        {
            @Override
            public void onNext(final SessionReply reply)
            {
                final java.util.function.Consumer<SessionReply> waiting = pending.remove(reply.getCorrelationId());
                if (waiting != null)
                {
                    waiting.accept(reply);
                }
            }

            @Override
            public void onError(final Throwable t)
            {
                pending.values().forEach(f -> f.accept(failed(t.toString())));
            }

            @Override
            public void onCompleted()
            {
                pending.values().forEach(f -> f.accept(failed("session ended")));
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
        final CompletableFuture<SessionReply> reply = new CompletableFuture<>();
        send(request, reply::complete);
        final SessionReply r = reply.get(timeoutMs, TimeUnit.MILLISECONDS);
        if (r.hasError())
        {
            throw Status.fromCode(Status.Code.valueOf(r.getError().getCode())).withDescription(r.getError().getMessage())
                .asRuntimeException();
        }
        return r;
    }

    /**
     * Send without waiting: {@code onReply} gets the reply (or a SessionError) on a gRPC thread.
     *
     * @param request the request without its correlation id.
     * @param onReply the reply's receiver.
     */
    void send(final SessionRequest.Builder request, final java.util.function.Consumer<SessionReply> onReply)
    {
        final long id = nextId.incrementAndGet();
        pending.put(id, onReply);
        synchronized (out)
        {
            out.onNext(request.setCorrelationId(id).build());
        }
    }

    private static SessionReply failed(final String why)
    {
        return SessionReply.newBuilder().setError(dev.triage.proto.v1.SessionError.newBuilder().setCode("UNAVAILABLE")
            .setMessage(why)).build();
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
