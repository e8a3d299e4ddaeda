package dev.triage.api.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The answering side of a client stream (Ingest, IngestBatch, Session): open in {@link OpenCalls} until it is closed,
 * so an engine halt ends it at once with the reason; ended by the server once the client is done and everything it
 * sent is answered. Subclasses synchronise on this object, as these methods do.
 *
 * @param <R> the type of the answers.
 */
abstract class AnsweredStream<R> implements OpenCalls.Call
{
    protected final StreamObserver<R> out;
    private final OpenCalls openCalls;
    protected boolean closed;
    protected boolean clientDone;

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

    /**
     * The client went away: what was published stays published; nothing more to answer.
     *
     * @param t why.
     */
    public synchronized void onError(final Throwable t)
    {
        markClosed();
    }

    /**
     * The client sent its last request: the stream ends once every one is answered.
     */
    public synchronized void onCompleted()
    {
        clientDone = true;
        completeIfDone();
    }

    /** Holding this object's lock: end the stream once the client is done and nothing is left to answer. */
    protected void completeIfDone()
    {
        if (clientDone && !closed && allAnswered())
        {
            markClosed();
            out.onCompleted();
        }
    }

    /**
     * @return true when everything received has been answered (called holding this object's lock).
     */
    protected abstract boolean allAnswered();

    /** Nothing more will be sent on this stream. Call holding this object's lock. */
    protected void markClosed()
    {
        closed = true;
        openCalls.remove(this);
    }
}
