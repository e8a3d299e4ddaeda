package dev.triage.api.cluster;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * This node's commands sent into the cluster and not yet applied by its replica, by correlation id (the order they
 * were sent in). The forwarder adds and resends them; the replica's thread takes each as it applies it; whoever
 * removes a call answers it, so each caller is answered once.
 */
final class PendingCalls
{
    /**
     * One command in flight.
     *
     * @param reply its caller's reply.
     * @param command a copy, to resend after a leader change.
     * @param sentNs when it was first sent (System.nanoTime).
     */
    record Call(Reply reply, Command command, long sentNs)
    {
    }

    private final ConcurrentSkipListMap<Long, Call> calls = new ConcurrentSkipListMap<>();
    private volatile long localSessionId = Long.MIN_VALUE;

    /**
     * @param correlationId the id it is sent with.
     * @param call the call.
     */
    void add(final long correlationId, final Call call)
    {
        calls.put(correlationId, call);
    }

    /**
     * Replica thread: the command {@code correlationId} of this node's session is being applied.
     *
     * @param correlationId its id.
     * @return its caller's reply, or null if nobody waits for it any more.
     */
    Reply take(final long correlationId)
    {
        final Call call = calls.remove(correlationId);
        return call == null ? null : call.reply();
    }

    /**
     * Answer one call with a refusal, unless the replica took it first.
     *
     * @param correlationId its id.
     * @param call the call.
     * @param code why.
     */
    void fail(final long correlationId, final Call call, final ResultCode code)
    {
        if (calls.remove(correlationId, call))
        {
            final Reply reply = call.reply();
            reply.type = call.command().type;
            reply.result = code;
            reply.listener.onReply(reply);
        }
    }

    /**
     * Answer every call sent more than {@code timeoutNs} ago. Calls are kept in the order they were first sent, so
     * this stops at the first younger one.
     *
     * @param nowNs now (System.nanoTime).
     * @param timeoutNs the commit timeout; negative to answer every call.
     * @param code the refusal.
     */
    void expire(final long nowNs, final long timeoutNs, final ResultCode code)
    {
        for (final Map.Entry<Long, Call> entry : calls.entrySet())
        {
            if (timeoutNs >= 0 && nowNs - entry.getValue().sentNs() <= timeoutNs)
            {
                return;
            }
            fail(entry.getKey(), entry.getValue(), code);
        }
    }

    /**
     * @param action each call still waiting, oldest first.
     */
    void forEach(final BiConsumer<Long, Call> action)
    {
        for (final Map.Entry<Long, Call> entry : calls.entrySet())
        {
            action.accept(entry.getKey(), entry.getValue());
        }
    }

    int size()
    {
        return calls.size();
    }

    /**
     * @return the cluster session this node sends with (its replica answers that session's commands).
     */
    long localSessionId()
    {
        return localSessionId;
    }

    void localSessionId(final long sessionId)
    {
        localSessionId = sessionId;
    }
}
