package dev.triage.api.service;

import io.grpc.Status;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every call still waiting on the engine (unary calls in the ring, parked long-polls, Ingest streams), so that a
 * halt answers them all at once with UNAVAILABLE and its reason instead of leaving clients to their deadlines.
 */
final class OpenCalls
{
    /** A call that can be failed; it must tolerate a fail racing its own completion (it answers once). */
    interface Call
    {
        /**
         * @param status why the call ends.
         */
        void fail(Status status);
    }

    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    private volatile Status halted;

    void add(final Call call)
    {
        calls.add(call);
        final Status status = halted;
        if (status != null && calls.remove(call))
        {
            call.fail(status);
        }
    }

    void remove(final Call call)
    {
        calls.remove(call);
    }

    /**
     * Fail every open call, and any added from now on.
     *
     * @param status the status they get.
     */
    void failAll(final Status status)
    {
        halted = status;
        for (final Call call : calls)
        {
            if (calls.remove(call))
            {
                call.fail(status);
            }
        }
    }
}
