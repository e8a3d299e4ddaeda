package dev.triage.api.service;

import dev.triage.engine.Engine;
import dev.triage.engine.EngineContext;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.JournalSpace;
import dev.triage.proto.v1.IngestBatchResult;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.OpenBatch;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order of the Ingest and IngestBatch streams' answers, without threads: an engine that holds every published
 * command until the test decides it, so an answer that overtakes an earlier one is caught every time, not by luck.
 */
class IngestStreamsTest
{
    private final HeldEngine engine = new HeldEngine();

    @Test
    void shouldAnswerIngestItemsInRequestOrderWhenARefusedOneOvertakesEarlierOnes()
    {
        final Collected<IngestResult> out = new Collected<>();
        final IngestStream stream = new IngestStream(engine, () -> 1_700_000_000_000L, out, new OpenCalls());
        stream.onNext(open("a"));
        stream.onNext(open("b"));
        stream.onNext(OpenRequest.newBuilder().setId("").setUrgency(Urgency.HIGH).setImpact(1).build());
        stream.onNext(open("d"));
        stream.onCompleted();
        assertEquals(List.of(), out.values, "nothing may go out before item 0, still in the ring");
        engine.decideAll();
        assertEquals(List.of(0L, 1L, 2L, 3L), out.values.stream().map(IngestResult::getIndex).toList());
        assertEquals("INVALID_ARGUMENT", out.values.get(2).getCode());
        assertTrue(out.completed, "completed once every item is answered");
    }

    @Test
    void shouldSendEveryEarlierBatchResultBeforeRefusingABatch()
    {
        final Collected<IngestBatchResult> out = new Collected<>();
        final IngestBatchStream stream = new IngestBatchStream(engine, () -> 1_700_000_000_000L, out, new OpenCalls());
        final OpenBatch.Builder twenty = OpenBatch.newBuilder();
        for (int i = 0; i < 20; i++)
        {
            twenty.addItems(open("c" + i));
        }
        stream.onNext(twenty.build());
        stream.onNext(OpenBatch.getDefaultInstance());
        stream.onNext(OpenBatch.newBuilder().addItems(open("after-the-refusal")).build());
        stream.onCompleted();
        assertEquals(List.of(), out.values, "batch 0 is still in the ring");
        assertEquals(null, out.error);
        assertEquals(20, engine.held.size(), "nothing after the refused batch is published");
        engine.decideAll();
        assertEquals(1, out.values.size(), out.values.toString());
        assertEquals(20, out.values.get(0).getOpened());
        assertTrue(out.error != null && out.error.getMessage().contains("batch 1: items must hold 1..1000 conversations, held 0"),
            String.valueOf(out.error));
    }

    private static OpenRequest open(final String id)
    {
        return OpenRequest.newBuilder().setId(id).setUrgency(Urgency.HIGH).setImpact(1).build();
    }

    /** What a stream sent. */
    private static final class Collected<T> implements StreamObserver<T>
    {
        final List<T> values = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        public void onNext(final T value)
        {
            values.add(value);
        }

        @Override
        public void onError(final Throwable t)
        {
            error = t;
        }

        @Override
        public void onCompleted()
        {
            completed = true;
        }
    }

    /** Takes every command and answers none until told: the ring with the reply stage stopped. */
    private static final class HeldEngine implements Engine
    {
        final List<Command> held = new ArrayList<>();
        private final EngineContext context = new EngineContext().conclude();

        @Override
        public ResultCode publish(final Command command)
        {
            final Command copy = new Command();
            copy.copyFrom(command);
            held.add(copy);
            return ResultCode.OK;
        }

        void decideAll()
        {
            final List<Command> now = new ArrayList<>(held);
            held.clear();
            for (final Command c : now)
            {
                final Reply r = c.reply;
                r.type = c.type;
                r.result = ResultCode.OK;
                r.conversationId = c.conversationId;
                r.conversationState = ConversationState.OPEN;
                r.listener.onReply(r);
            }
        }

        @Override
        public void onHalt(final Consumer<String> listener)
        {
        }

        @Override
        public boolean isHalted()
        {
            return false;
        }

        @Override
        public EngineContext context()
        {
            return context;
        }

        @Override
        public JournalSpace journalSpace()
        {
            return null;
        }

        @Override
        public Journal.ReplayResult recovered()
        {
            return Journal.ReplayResult.none();
        }

        @Override
        public long remainingCapacity()
        {
            return context.ringSize();
        }

        @Override
        public void close()
        {
        }
    }
}
