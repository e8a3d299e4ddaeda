package dev.triage.api.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The answering side of a client stream (Ingest, IngestBatch): open in {@link OpenCalls} until it is closed, so an
 * engine halt ends it at once with the reason. Subclasses synchronise on this object, as these methods do.
 *
 * @param <R> the type of the answers.
 */
abstract class AnsweredStream<R> implements OpenCalls.Call
{
    protected final StreamObserver<R> out;
    private final OpenCalls openCalls;
    protected boolean closed;

    AnsweredStream(final StreamObserver<R> out, final OpenCalls openCalls)
    {
        this.out = out;
        this.openCalls = openCalls;
        openCalls.add(this);
    }

    /** The engine halted: no item still in flight will be answered, so the stream ends now, saying why. */
    @Override
    public synchronized void fail(final Status status)
    {
        if (!closed)
        {
            markClosed();
            out.onError(status.asRuntimeException());
        }
    }

    /** Nothing more will be sent on this stream. Call holding this object's lock. */
    protected void markClosed()
    {
        closed = true;
        openCalls.remove(this);
    }
}
