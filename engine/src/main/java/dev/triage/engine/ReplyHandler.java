package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.book.QueueEventSink;
import dev.triage.engine.journal.DecisionRecord;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.function.Consumer;

/**
 * Stage 3, after the journal and the processor: hands the command's outputs on (its decisions to the decision log,
 * its queue events to the watchers), completes its reply unless it was parked, then every late reply that a command
 * up to this one completed, and finally clears the slot's references. Watchers are woken once per batch.
 */
final class ReplyHandler implements EventHandler<Command>
{
    private static final System.Logger LOG = System.getLogger(ReplyHandler.class.getName());

    private final OneToOneConcurrentArrayQueue<Reply> lateReplies;
    private final SlotOutputs.Collector outputs;
    private final Consumer<DecisionRecord> decisions;
    private final QueueEventSink events;

    /**
     * @param lateReplies replies completed by later commands, in order.
     * @param outputs the processor's outputs beside each slot, or null when nothing wants them.
     * @param decisions receives each decision (the decision log), or null.
     * @param events receives each queue event (the watchers), or null.
     */
    ReplyHandler(final OneToOneConcurrentArrayQueue<Reply> lateReplies, final SlotOutputs.Collector outputs,
        final Consumer<DecisionRecord> decisions, final QueueEventSink events)
    {
        this.lateReplies = lateReplies;
        this.outputs = outputs;
        this.decisions = decisions;
        this.events = events;
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
    {
        if (outputs != null)
        {
            outputs.of(sequence).drainTo(decisions, events);
        }
        final Reply reply = command.reply;
        if (reply != null && !command.replyDeferred)
        {
            complete(reply);
        }
        // Late replies carry the journal-wide sequence of the command that completed them, as the slot does; the
        // ring's own sequence starts again at 0 on every start.
        final long journalSequence = command.sequence;
        Reply late;
        while ((late = lateReplies.peek()) != null && late.completedAtSequence <= journalSequence)
        {
            lateReplies.poll();
            complete(late);
        }
        command.clear();
        if (endOfBatch && events != null)
        {
            events.endOfBatch();
        }
    }

    private void complete(final Reply reply)
    {
        try
        {
            reply.listener.onReply(reply);
        }
        catch (final Throwable t)
        {
            // A listener is the caller's code: its failure must not stop the engine answering everyone else. Nor may a
            // failure that repeats per call fill the disk with stack traces: one line every ten seconds, with a count.
            failedListeners++;
            final long now = System.nanoTime();
            if (now - lastFailureLogNs >= FAILURE_LOG_INTERVAL_NS || lastFailureLogNs == 0)
            {
                LOG.log(System.Logger.Level.WARNING, "reply listener failed for sequence " + reply.sequence + " (" +
                    failedListeners + " failures since start; the next are counted, not logged, for ten seconds)",
                    lastFailureLogNs == 0 ? t : null);
                lastFailureLogNs = now;
            }
        }
    }

    private static final long FAILURE_LOG_INTERVAL_NS = 10_000_000_000L;
    /** Reply stage thread only. */
    private long failedListeners;
    private long lastFailureLogNs;
}
