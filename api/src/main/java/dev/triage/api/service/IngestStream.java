package dev.triage.api.service;

import dev.triage.engine.Engine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.OpenRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.agrona.concurrent.EpochClock;

/**
 * One Ingest stream: every request is validated and published as it arrives; each gets one result, tagged with its
 * index, in request order (a refused item's result waits for those of the items before it, still in the ring). The
 * stream completes once the client has finished and every item is answered.
 * <p>
 * Back-pressure: the stream reads at most {@link #WINDOW} items (a quarter of the ring at most) ahead of their answers
 * (manual inbound flow control),
 * so a fast client is slowed by HTTP/2 flow control instead of flooding the ring and having items refused.
 */
final class IngestStream extends OneAnswerEachStream<IngestResult> implements StreamObserver<OpenRequest>
{
    private final Engine engine;
    private final EpochClock clock;
    private final boolean backdateFreely = TriageService.mayBackdateFreely(dev.triage.api.auth.Principal.current());
    /** Items read but not yet answered, per stream (at most a quarter of the ring, so streams share it). */
    static final int WINDOW = 4_096;
    /** Results decided but not yet sent, by index modulo the window: flow control keeps at most a window unanswered. */
    private final IngestResult[] decided;
    private long nextToSend;


    IngestStream(final Engine engine, final EpochClock clock, final StreamObserver<IngestResult> out,
        final OpenCalls openCalls)
    {
        super(out, openCalls, window(engine));
        this.engine = engine;
        this.clock = clock;
        decided = new IngestResult[window(engine)];
    }

    @Override
    public void onNext(final OpenRequest request)
    {
        final long index = received();
        final StatusRuntimeException invalid = RequestValidator.open(request, clock.time(), backdateFreely);
        if (invalid != null)
        {
            decide(index, result(index, request.getId(), Status.Code.INVALID_ARGUMENT, invalid.getStatus().getDescription()).build());
            return;
        }
        final Command command = ProtoMapper.open(request);
        command.reply = new Reply(reply -> decide(index, resultOf(index, reply)));
        final ResultCode published = engine.publish(command);
        if (published != ResultCode.OK)
        {
            decide(index, result(index, request.getId(), StatusMapper.codeOf(published), published.description()).build());
        }
    }

    /** Any thread: hold the item's result until every earlier one is sent, then send what is in order. */
    private synchronized void decide(final long index, final IngestResult result)
    {
        decided[(int)(index % decided.length)] = result;
        IngestResult next;
        while ((next = decided[(int)(nextToSend % decided.length)]) != null)
        {
            decided[(int)(nextToSend % decided.length)] = null;
            nextToSend++;
            answer(next);
        }
    }

    private static IngestResult resultOf(final long index, final Reply reply)
    {
        final Status.Code code = StatusMapper.codeOf(reply.result);
        final String message = code == Status.Code.OK ? "" : StatusMapper.statusOf(reply).getDescription();
        return result(index, reply.conversationId, code, message).setState(ProtoMapper.state(reply.conversationState)).build();
    }

    /** One item's result (Ingest: its position in the stream; IngestBatch: its position in the batch). */
    static IngestResult.Builder result(final long index, final String id, final Status.Code code, final String message)
    {
        return IngestResult.newBuilder().setIndex(index).setId(id == null ? "" : id).setCode(code.name())
            .setMessage(message == null ? "" : message);
    }

    /**
     * @param engine the engine.
     * @return how many items a stream may have read but not answered: {@link #WINDOW}, at most a quarter of the ring.
     */
    static int window(final Engine engine)
    {
        return Math.max(1, Math.min(WINDOW, engine.context().ringSize() / 4));
    }
}
