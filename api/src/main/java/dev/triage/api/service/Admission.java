package dev.triage.api.service;

import dev.triage.engine.command.CommandType;
import io.grpc.Status;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for unary calls: a bound on the calls waiting on the engine, with half of it open to bulk writes
 * (Open, Update, CustomerReplied, Reopen: what an integration floods in during an outage) and all of it to agents,
 * reads and admin calls, so an agent asking for work is still admitted while a flood is refused. A call over its
 * lane's bound is refused at once with RESOURCE_EXHAUSTED, before it costs the engine anything; it is never queued.
 * <p>
 * A long-poll (NextBest with a wait) is not counted: it waits by design, and there is at most one per agent. Streams
 * are bounded by their own flow-control windows.
 */
public final class Admission
{
    private final int limit;
    private final int bulkLimit;
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param limit unary calls waiting on the engine at most; bulk writes get half of it.
     */
    public Admission(final int limit)
    {
        if (limit < 2)
        {
            throw new IllegalArgumentException("calls in flight must be at least 2, was " + limit);
        }
        this.limit = limit;
        this.bulkLimit = limit / 2;
    }

    /**
     * @param type the command a unary call publishes.
     * @return true for a bulk write, admitted only within the lower bound.
     */
    static boolean isBulk(final CommandType type)
    {
        return type == CommandType.OPEN || type == CommandType.UPDATE || type == CommandType.CUSTOMER_REPLIED ||
            type == CommandType.REOPEN;
    }

    /**
     * Take a place for one call, if its lane has room.
     *
     * @param bulk the call is a bulk write.
     * @return null if admitted (call {@link #leave()} once it is answered), else the refusal to answer with.
     */
    public Status enter(final boolean bulk)
    {
        final int bound = bulk ? bulkLimit : limit;
        while (true)
        {
            final int now = waiting.get();
            if (now >= bound)
            {
                return Status.RESOURCE_EXHAUSTED.withDescription("server busy: " + now + " calls are waiting on the engine; " +
                    (bulk ? "writes (Open, Update, CustomerReplied, Reopen) are admitted below " + bulkLimit +
                    " of them so agents are still served" : "at most " + limit + " are admitted") + "; retry after a backoff");
            }
            if (waiting.compareAndSet(now, now + 1))
            {
                return null;
            }
        }
    }

    /** An admitted call was answered (or failed). */
    public void leave()
    {
        waiting.decrementAndGet();
    }

    /**
     * @return unary calls waiting on the engine now.
     */
    public int waiting()
    {
        return waiting.get();
    }

    /**
     * @return the bound for agents, reads and admin calls.
     */
    public int limit()
    {
        return limit;
    }
}
