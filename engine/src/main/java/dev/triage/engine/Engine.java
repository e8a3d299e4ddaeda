package dev.triage.engine;

import dev.triage.engine.command.BookView;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.JournalSpace;

import java.util.concurrent.CompletableFuture;

/**
 * What the server asks of an engine: take commands without blocking and answer each through its reply. One
 * implementation runs the book on this host's ring ({@link TriageEngine}); the cluster's sends each command through
 * the replicated log and answers it once a majority holds it.
 */
public interface Engine extends AutoCloseable
{
    /**
     * Take {@code command}. Never blocks. Any thread.
     *
     * @param command the command with its reply (or none); the caller may reuse the command object at once.
     * @return OK if taken; otherwise why not (the reply is not called).
     */
    ResultCode publish(Command command);

    /**
     * @param command the command.
     * @return true if taken.
     */
    default boolean tryPublish(final Command command)
    {
        return publish(command) == ResultCode.OK;
    }

    /**
     * Convenience for tools and tests: publish with a fresh reply and return its future. Allocates.
     *
     * @param command the command; its reply field is replaced.
     * @return the completed reply (with the refusal at once when not taken).
     */
    default CompletableFuture<Reply> submit(final Command command)
    {
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        final boolean listing = command.type == CommandType.TOP || command.type == CommandType.VIEW;
        final Reply reply = new Reply(future::complete, listing ? Math.max(1, command.topN) : 0);
        reply.view = command.type == CommandType.VIEW ? new BookView() : null;
        command.reply = reply;
        final ResultCode published = publish(command);
        if (published != ResultCode.OK)
        {
            reply.type = command.type;
            reply.result = published;
            future.complete(reply);
        }
        return future;
    }

    /**
     * Be told, once, when the engine halts, with the reason.
     *
     * @param listener receives the reason.
     */
    void onHalt(java.util.function.Consumer<String> listener);

    /**
     * @return true after a fatal error.
     */
    boolean isHalted();

    /**
     * @return the engine's settings (concluded).
     */
    EngineContext context();

    /**
     * @return the journal's disk space monitor, or null without a journal.
     */
    JournalSpace journalSpace();

    /**
     * @return what recovery replayed from the journal on start (zero without one).
     */
    Journal.ReplayResult recovered();

    /**
     * @return room left for commands not yet applied, for metrics.
     */
    /**
     * @return the journal loss an operator accepted to start (the journal ended before its watermark, decision log or
     * newest snapshot), or null when nothing was missing.
     */
    default dev.triage.engine.journal.Recovery.Loss acceptedLoss()
    {
        return null;
    }

    long remainingCapacity();

    /**
     * @return where this engine stands in its cluster, or null for a single node.
     */
    default Replication replication()
    {
        return null;
    }

    /**
     * Be told when the engine can take commands and when it cannot for a while (a cluster without a leader), so
     * health can say so. A single node is available until it halts.
     *
     * @param listener receives true or false, on any thread, each time it changes.
     */
    default void onAvailability(final java.util.function.Consumer<Boolean> listener)
    {
    }

    @Override
    void close();
}
