package dev.triage.engine.command;

/**
 * Receives a completed {@link Reply}. Called on the reply stage's thread: implementations must hand off
 * quickly (complete a future, write to a gRPC observer) and never block.
 */
@FunctionalInterface
public interface ReplyListener
{
    /**
     * @param reply the completed reply; owned by the caller again from now on.
     */
    void onReply(Reply reply);
}
