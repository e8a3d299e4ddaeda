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
 * The bound alone sheds late: thousands of calls can wait within it, each longer than its caller will. So admission
 * also keeps how long calls have lately waited for their answer (a moving average of the last calls', fading when no
 * call finishes). While calls wait at all: a call whose deadline leaves less than that is refused at once (it would
 * be answered after its caller gave up); and while at least {@link #BULK_QUEUE_MIN} wait and that passes
 * {@link #BULK_WAIT_TARGET_NS}, a standing queue, bulk writes are refused so agents' calls behind them stay fast.
 * <p>
 * A long-poll (NextBest with a wait) is not counted: it waits by design, and there is at most one per agent. Streams
 * are bounded by their own flow-control windows.
 */
public final class Admission
{
    /** Bulk writes are refused while calls lately waited longer than this for the engine (a standing queue)... */
    static final long BULK_WAIT_TARGET_NS = 50_000_000L;
    /**
     * ...and at least this many wait: a few slow calls (a cluster electing a leader, a snapshot) are no flood to shed,
     * and the bound's lanes already keep writes to half.
     */
    static final int BULK_QUEUE_MIN = 64;
    /** The average halves for each such stretch without a call finishing (an engine that drained, or is stalled). */
    private static final long FADE_NS = 100_000_000L;

    private final int limit;
    private final int bulkLimit;
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.function.LongSupplier nanoTime;
    /** Moving average of the time calls waited for their answer, and when the last one finished. Races only blur it. */
    private volatile long averageWaitNs;
    private volatile long lastAnswerNs;

    /**
     * @param limit unary calls waiting on the engine at most; bulk writes get half of it.
     */
    public Admission(final int limit)
    {
        this(limit, System::nanoTime);
    }

    /**
     * @param limit unary calls waiting on the engine at most; bulk writes get half of it.
     * @param nanoTime the clock that times calls (tests inject one).
     */
    Admission(final int limit, final java.util.function.LongSupplier nanoTime)
    {
        if (limit < 2)
        {
            throw new IllegalArgumentException("calls in flight must be at least 2, was " + limit);
        }
        this.limit = limit;
        this.bulkLimit = limit / 2;
        this.nanoTime = nanoTime;
    }

    /**
     * @return how long a call admitted now can expect to wait for its answer, in ns (0 while none waits).
     */
    long expectedWaitNs()
    {
        if (waiting.get() == 0)
        {
            return 0;
        }
        final long fades = (nanoTime.getAsLong() - lastAnswerNs) / FADE_NS;
        return fades >= 63 ? 0 : averageWaitNs >> fades;
    }

    /**
     * Take a place for one call, if its lane has room and it can be answered within its deadline.
     *
     * @param bulk the call is a bulk write.
     * @param deadlineLeftNs what is left of the call's deadline, or Long.MAX_VALUE for none.
     * @return null if admitted (call {@link #leave(long)} with its start time once it is answered), else the refusal.
     */
    public Status enter(final boolean bulk, final long deadlineLeftNs)
    {
        final long expected = expectedWaitNs();
        if (expected > deadlineLeftNs)
        {
            return Status.RESOURCE_EXHAUSTED.withDescription("server busy: calls wait about " + expected / 1_000_000 +
                " ms for the engine now and this call's deadline leaves " + Math.max(0, deadlineLeftNs / 1_000_000) +
                " ms; refused at once rather than answered after you gave up; retry after a backoff");
        }
        if (bulk && expected > BULK_WAIT_TARGET_NS && waiting.get() >= BULK_QUEUE_MIN)
        {
            return Status.RESOURCE_EXHAUSTED.withDescription("server busy: calls wait about " + expected / 1_000_000 +
                " ms for the engine now; writes (Open, Update, CustomerReplied, Reopen) are refused while they wait over " +
                BULK_WAIT_TARGET_NS / 1_000_000 + " ms so agents are served first; retry after a backoff");
        }
        return enter(bulk);
    }

    /**
     * @return the clock's now, for {@link #leave(long)}.
     */
    public long now()
    {
        return nanoTime.getAsLong();
    }

    /**
     * An admitted call was answered (or failed).
     *
     * @param enteredNs {@link #now()} when it was admitted.
     */
    public void leave(final long enteredNs)
    {
        final long now = nanoTime.getAsLong();
        final long sample = now - enteredNs;
        final long average = averageWaitNs;
        averageWaitNs = average + (sample - average) / 8;
        lastAnswerNs = now;
        waiting.decrementAndGet();
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
