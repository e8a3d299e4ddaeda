package dev.triage.api.service;

import dev.triage.engine.book.QueueEventSink;
import dev.triage.proto.v1.QueueEvent;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fans queue events out to Watch streams without ever slowing the engine. The engine's reply stage, once an event's
 * command is journaled, copies the event into a preallocated slot and hands it over through a bounded
 * single-producer queue, waking the hub's thread once per batch; it never waits: with no free slot
 * the event is dropped and counted, and every watcher is then cut off with DATA_LOSS. The hub's own thread sends
 * to watchers. A watcher whose transport is busy (a burst it is still reading through) keeps what it has not yet taken
 * in a backlog of its own, sent as its transport is ready again; only a watcher {@link #MAX_BEHIND} events behind is
 * cut off, with RESOURCE_EXHAUSTED, so memory stays bounded and the engine is never held back.
 */
public final class WatchHub implements QueueEventSink, Agent, AutoCloseable
{
    private static final QueueEvent.Kind[] KINDS = new QueueEvent.Kind[9];

    static
    {
        KINDS[OPENED] = QueueEvent.Kind.OPENED;
        KINDS[ASSIGNED] = QueueEvent.Kind.ASSIGNED;
        KINDS[RETURNED] = QueueEvent.Kind.RETURNED;
        KINDS[PENDING] = QueueEvent.Kind.PENDING;
        KINDS[RESOLVED] = QueueEvent.Kind.RESOLVED;
        KINDS[REOPENED] = QueueEvent.Kind.REOPENED;
        KINDS[SLA_AT_RISK] = QueueEvent.Kind.SLA_AT_RISK;
        KINDS[SLA_BREACHED] = QueueEvent.Kind.SLA_BREACHED;
    }

    private static final class Slot
    {
        int kind;
        long sequence;
        long timeMs;
        String conversationId;
        String agentId;
        long scoreUnits;
    }

    private final OneToOneConcurrentArrayQueue<Slot> events;
    private final OneToOneConcurrentArrayQueue<Slot> free;
    /** How far a watcher may fall behind (events queued for it, not yet taken by its transport) before it is cut off. */
    public static final int MAX_BEHIND = 16_384;

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private long droppedSeen;
    private volatile Status halted;
    private final dev.triage.engine.time.WakeableAgentThread runner;

    /**
     * @param capacity events in flight between the processor and the hub.
     */
    public WatchHub(final int capacity)
    {
        events = new OneToOneConcurrentArrayQueue<>(capacity);
        free = new OneToOneConcurrentArrayQueue<>(capacity);
        for (int i = 0; i < capacity; i++)
        {
            free.offer(new Slot());
        }
        runner = new dev.triage.engine.time.WakeableAgentThread(this, t -> System.getLogger(WatchHub.class.getName())
            .log(System.Logger.Level.ERROR, "watch hub failed", t)).start();
    }

    /**
     * Called on the engine's reply stage thread: copy and hand over, or count a drop. Never blocks, never allocates.
     */
    @Override
    public void onQueueEvent(
        final int kind, final long sequence, final long nowMs, final String conversationId, final String agentId, final long scoreUnits)
    {
        if (watchers.isEmpty())
        {
            return;
        }
        final Slot slot = free.poll();
        if (slot == null)
        {
            dropped.lazySet(dropped.get() + 1);
            runner.wake();
            return;
        }
        slot.kind = kind;
        slot.sequence = sequence;
        slot.timeMs = nowMs;
        slot.conversationId = conversationId;
        slot.agentId = agentId;
        slot.scoreUnits = scoreUnits;
        events.offer(slot);
    }

    @Override
    public boolean active()
    {
        return !watchers.isEmpty();
    }

    /** Once per batch of the engine's reply stage: wake the hub's thread if the batch brought it events. */
    @Override
    public void endOfBatch()
    {
        if (!events.isEmpty())
        {
            runner.wake();
        }
    }

    /**
     * @param watcher a new Watch stream.
     */
    void add(final ServerCallStreamObserver<QueueEvent> watcher)
    {
        final Status status = halted;
        if (status != null)
        {
            watcher.onError(status.asRuntimeException());
            return;
        }
        final Watcher w = new Watcher(watcher);
        watcher.setOnCancelHandler(() -> watchers.remove(w));
        watcher.setOnReadyHandler(w::drain);
        watchers.add(w);
    }

    /**
     * The engine halted: no event will come again. The hub's thread ends every Watch stream with this status, and
     * refuses new ones. Any thread.
     *
     * @param status why.
     */
    void halt(final Status status)
    {
        halted = status;
        runner.wake();
    }

    public int watchers()
    {
        return watchers.size();
    }

    @Override
    public int doWork()
    {
        final Status status = halted;
        if (status != null && !watchers.isEmpty())
        {
            cutOffAll(status);
            return 1;
        }
        final long lost = dropped.get();
        if (lost != droppedSeen)
        {
            droppedSeen = lost;
            cutOffAll(Status.DATA_LOSS.withDescription("events were dropped because watchers fell behind; resubscribe"));
        }
        int work = 0;
        Slot slot;
        while ((slot = events.poll()) != null)
        {
            final QueueEvent event = QueueEvent.newBuilder()
                .setKind(KINDS[slot.kind])
                .setSequence(slot.sequence)
                .setTimeMs(slot.timeMs)
                .setConversationId(slot.conversationId)
                .setAgentId(slot.agentId == null ? "" : slot.agentId)
                .setScore(slot.scoreUnits / (double)dev.triage.engine.policy.Policy.UNITS_PER_POINT)
                .build();
            slot.conversationId = null;
            slot.agentId = null;
            free.offer(slot);
            for (final Watcher watcher : watchers)
            {
                if (!watcher.send(event))
                {
                    watchers.remove(watcher);
                }
            }
            work++;
        }
        return work;
    }

    private void cutOffAll(final Status status)
    {
        for (final Watcher watcher : watchers)
        {
            watchers.remove(watcher);
            watcher.end(status);
        }
    }

    /**
     * One Watch stream and what it has not taken yet. The hub's thread sends, the transport's thread drains when the
     * stream is ready again; a stream's calls are made holding this object's lock, one at a time as gRPC requires.
     */
    private static final class Watcher
    {
        private final ServerCallStreamObserver<QueueEvent> call;
        private final java.util.ArrayDeque<QueueEvent> backlog = new java.util.ArrayDeque<>();
        private boolean ended;

        Watcher(final ServerCallStreamObserver<QueueEvent> call)
        {
            this.call = call;
        }

        /** @return false once the stream is gone or cut off (the hub forgets it). */
        synchronized boolean send(final QueueEvent event)
        {
            if (ended || call.isCancelled())
            {
                ended = true;
                return false;
            }
            if (backlog.isEmpty() && call.isReady())
            {
                call.onNext(event);
                return true;
            }
            if (backlog.size() >= MAX_BEHIND)
            {
                backlog.clear();
                ended = true;
                call.onError(Status.RESOURCE_EXHAUSTED.withDescription("watcher fell " + MAX_BEHIND + " events behind; cut off " +
                    "so the server's memory stays bounded and the engine is never held back. Resubscribe").asRuntimeException());
                return false;
            }
            backlog.addLast(event);
            return true;
        }

        /** The transport can take more: send the backlog while it can. */
        synchronized void drain()
        {
            while (!ended && !backlog.isEmpty() && call.isReady())
            {
                call.onNext(backlog.pollFirst());
            }
        }

        synchronized void end(final Status status)
        {
            if (!ended)
            {
                ended = true;
                backlog.clear();
                if (!call.isCancelled())
                {
                    call.onError(status.asRuntimeException());
                }
            }
        }
    }

    @Override
    public String roleName()
    {
        return "triage-watch";
    }

    @Override
    public void close()
    {
        runner.close();
        cutOffAll(Status.UNAVAILABLE.withDescription("server shutting down"));
    }
}
