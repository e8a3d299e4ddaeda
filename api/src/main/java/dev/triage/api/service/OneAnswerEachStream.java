package dev.triage.api.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * A client stream answered one answer per request (Ingest, Session), in any order. Back-pressure by manual inbound
 * flow control: at most {@code window} requests are read ahead of their answers, replenished by half windows (each
 * request(n) is a task on the transport's event loop, so not one per answer).
 *
 * @param <R> the type of the answers.
 */
abstract class OneAnswerEachStream<R> extends AnsweredStream<R>
{
    private final ServerCallStreamObserver<R> call;
    private final int window;
    private long received;
    private long answered;
    private int owed;

    OneAnswerEachStream(final StreamObserver<R> out, final OpenCalls openCalls, final int window)
    {
        super(out, openCalls);
        this.window = window;
        if (out instanceof ServerCallStreamObserver<R> serverCall)
        {
            call = serverCall;
            call.disableAutoRequest();
            call.request(window);
        }
        else
        {
            call = null;
        }
    }

    /**
     * Count a request as it arrives.
     *
     * @return its position in the stream.
     */
    protected synchronized long received()
    {
        return received++;
    }

    /**
     * Send a request's answer (any thread).
     *
     * @param answer the answer.
     */
    protected synchronized void answer(final R answer)
    {
        if (closed)
        {
            return;
        }
        out.onNext(answer);
        answered++;
        if (call != null && !clientDone && ++owed >= Math.max(1, window / 2))
        {
            call.request(owed);
            owed = 0;
        }
        completeIfDone();
    }

    @Override
    protected boolean allAnswered()
    {
        return answered == received;
    }
}
