package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * Stage 3, after the journal and the processor: completes the command's reply unless it was parked, then every
 * late reply that a command up to this one completed, and finally clears the slot's references.
 */
final class ReplyHandler implements EventHandler<Command>
{
    private static final System.Logger LOG = System.getLogger(ReplyHandler.class.getName());

    private final OneToOneConcurrentArrayQueue<Reply> lateReplies;

    ReplyHandler(final OneToOneConcurrentArrayQueue<Reply> lateReplies)
    {
        this.lateReplies = lateReplies;
    }

    @Override
    public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
    {
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
    }

    private static void complete(final Reply reply)
    {
        try
        {
            reply.listener.onReply(reply);
        }
        catch (final Throwable t)
        {
            // A listener is the caller's code: its failure must not stop the engine answering everyone else.
            LOG.log(System.Logger.Level.WARNING, "reply listener failed for sequence " + reply.sequence, t);
        }
    }
}
