package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import dev.triage.engine.command.Command;

/**
 * The whole pipeline on one thread ({@link EngineContext.Pipeline#ONE_STAGE}): each command is journaled, then
 * applied, then answered. With a forced journal the answers of a batch wait for its force at the batch end (group
 * commit); otherwise each is answered as soon as it is journaled and applied. Nothing is answered before its
 * journal append. Runs the same stage code as the three-stage layout.
 */
final class SingleStageHandler implements EventHandler<Command>
{
    private final EventHandler<Command> journal;
    private final ProcessorHandler processor;
    private final ReplyHandler responder;
    private final boolean answerAtBatchEnd;
    private RingBuffer<Command> ring;
    private long batchStart = -1;

    /**
     * @param journal stage 1 (null without a journal).
     * @param processor stage 2.
     * @param responder stage 3.
     * @param answerAtBatchEnd true when the journal forces at batch ends: answers wait for the force.
     */
    SingleStageHandler(final EventHandler<Command> journal, final ProcessorHandler processor, final ReplyHandler responder,
        final boolean answerAtBatchEnd)
    {
        this.journal = journal;
        this.processor = processor;
        this.responder = responder;
        this.answerAtBatchEnd = answerAtBatchEnd;
    }

    /**
     * @param ring the ring, to reach a batch's slots at its end; set before the first event.
     */
    void ring(final RingBuffer<Command> ring)
    {
        this.ring = ring;
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch) throws Exception
    {
        if (journal != null)
        {
            journal.onEvent(command, sequence, endOfBatch);
        }
        processor.onEvent(command, sequence, endOfBatch);
        if (!answerAtBatchEnd)
        {
            responder.onEvent(command, sequence, endOfBatch);
            return;
        }
        if (batchStart < 0)
        {
            batchStart = sequence;
        }
        if (endOfBatch)
        {
            for (long s = batchStart; s <= sequence; s++)
            {
                responder.onEvent(ring.get(s), s, s == sequence);
            }
            batchStart = -1;
        }
    }

    @Override
    public void onStart()
    {
        if (journal != null)
        {
            journal.onStart();
        }
    }

    @Override
    public void onShutdown()
    {
        if (journal != null)
        {
            journal.onShutdown();
        }
    }
}
