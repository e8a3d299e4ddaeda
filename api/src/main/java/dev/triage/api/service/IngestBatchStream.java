package dev.triage.api.service;

import dev.triage.engine.Engine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.proto.v1.IngestBatchResult;
import dev.triage.proto.v1.OpenBatch;
import dev.triage.proto.v1.OpenRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayDeque;

/**
 * One IngestBatch stream. Items are validated and published in order, at most a window of them in the ring at once
 * (the next go in as earlier ones are answered); a batch's result goes out once all its items are decided, in batch
 * order. At most two batches are read ahead, so a fast client is slowed by HTTP/2 flow control, not refused. A batch
 * refused whole (empty, too large) ends the stream with INVALID_ARGUMENT, but only after every batch before it has
 * its result: nothing after it is published or read.
 */
final class IngestBatchStream extends AnsweredStream<IngestBatchResult> implements StreamObserver<OpenBatch>
{
    /** Items per message. */
    static final int MAX_ITEMS = 1_000;

    /** A batch being decided. */
    private static final class Batch
    {
        final long index;
        final OpenBatch items;
        final IngestBatchResult.Builder result;
        /** Why the whole batch is refused, or null. */
        final String refusal;
        int next;
        int decided;

        Batch(final long index, final OpenBatch items, final String refusal)
        {
            this.index = index;
            this.items = items;
            this.refusal = refusal;
            result = IngestBatchResult.newBuilder().setBatch(index);
        }

        boolean finished()
        {
            return refusal == null && decided == items.getItemsCount();
        }
    }

    private final Engine engine;
    private final EpochClock clock;
    private final boolean backdateFreely = TriageService.mayBackdateFreely(dev.triage.api.auth.Principal.current());
    private final ServerCallStreamObserver<IngestBatchResult> call;
    private final int window;
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private long received;
    private int inFlight;
    private boolean refused;

    IngestBatchStream(final Engine engine, final EpochClock clock, final StreamObserver<IngestBatchResult> out,
        final OpenCalls openCalls)
    {
        super(out, openCalls);
        this.engine = engine;
        this.clock = clock;
        window = IngestStream.window(engine);
        if (out instanceof ServerCallStreamObserver<IngestBatchResult> serverCall)
        {
            call = serverCall;
            call.disableAutoRequest();
            call.request(2);
        }
        else
        {
            call = null;
        }
    }

    @Override
    public synchronized void onNext(final OpenBatch batch)
    {
        if (closed || refused)
        {
            return;
        }
        if (batch.getItemsCount() == 0 || batch.getItemsCount() > MAX_ITEMS)
        {
            // Refused once every batch before it is answered: their items are published and will be decided.
            refused = true;
            batches.addLast(new Batch(received, batch, "batch " + received + ": items must hold 1.." + MAX_ITEMS +
                " conversations, held " + batch.getItemsCount()));
            received++;
            emitFinished();
            return;
        }
        batches.addLast(new Batch(received++, batch, null));
        pump();
    }

    /** Publish what the window allows, in order; emit finished batches from the head. Holds the lock. */
    private void pump()
    {
        for (final Batch b : batches)
        {
            if (b.refusal != null)
            {
                break;
            }
            while (b.next < b.items.getItemsCount() && inFlight < window)
            {
                final int position = b.next++;
                final OpenRequest request = b.items.getItems(position);
                final StatusRuntimeException invalid = RequestValidator.open(request, clock.time(), backdateFreely);
                if (invalid != null)
                {
                    fail(b, position, request.getId(), Status.Code.INVALID_ARGUMENT, invalid.getStatus().getDescription());
                    continue;
                }
                final Command command = ProtoMapper.open(request);
                command.reply = new Reply(reply -> answered(b, position, reply));
                inFlight++;
                final ResultCode published = engine.publish(command);
                if (published != ResultCode.OK)
                {
                    inFlight--;
                    fail(b, position, request.getId(), StatusMapper.codeOf(published), published.description());
                }
            }
            if (inFlight >= window)
            {
                break;
            }
        }
        emitFinished();
    }

    private synchronized void answered(final Batch b, final int position, final Reply reply)
    {
        inFlight--;
        if (reply.result == ResultCode.OK)
        {
            b.result.setOpened(b.result.getOpened() + 1);
            b.decided++;
        }
        else
        {
            fail(b, position, reply.conversationId, StatusMapper.codeOf(reply.result), StatusMapper.statusOf(reply).getDescription());
        }
        // Refill in halves (not per answer), and emit as soon as the head batch is decided.
        if (!closed && (inFlight <= window / 2 || b == batches.peekFirst() && b.finished()))
        {
            pump();
        }
    }

    private static void fail(final Batch b, final int position, final String id, final Status.Code code, final String message)
    {
        b.result.addFailed(IngestStream.result(position, id, code, message));
        b.decided++;
    }

    private void emitFinished()
    {
        while (!batches.isEmpty() && batches.peekFirst().finished())
        {
            final Batch done = batches.pollFirst();
            if (!closed)
            {
                out.onNext(done.result.build());
                if (call != null && !clientDone && !refused)
                {
                    call.request(1);
                }
            }
        }
        if (!batches.isEmpty() && batches.peekFirst().refusal != null && !closed)
        {
            markClosed();
            out.onError(Status.INVALID_ARGUMENT.withDescription(batches.peekFirst().refusal).asRuntimeException());
            return;
        }
        completeIfDone();
    }

    @Override
    public synchronized void onCompleted()
    {
        clientDone = true;
        emitFinished();
    }

    @Override
    protected boolean allAnswered()
    {
        return batches.isEmpty();
    }
}
