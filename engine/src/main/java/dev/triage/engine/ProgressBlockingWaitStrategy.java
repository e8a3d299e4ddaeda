package dev.triage.engine;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A blocking wait strategy that also blocks while waiting for an upstream STAGE, not only for the publishers.
 * <p>
 * Disruptor's blocking strategies block on the ring's cursor but busy-spin while a later stage waits for an earlier
 * one (here: the reply stage waiting for the journal and the processor, for as long as they work on each command). On
 * a 2-core host that spinning thread takes a whole core from the stages it waits for and from gRPC. Here every wait
 * blocks, and stages wrapped by {@link #signalling} publish their progress at the end of each batch and wake waiters,
 * like publishers do. As with Disruptor's lite blocking strategy, a signal costs a lock only when someone waits.
 */
public final class ProgressBlockingWaitStrategy implements WaitStrategy
{
    private final Object mutex = new Object();
    private final AtomicBoolean signalNeeded = new AtomicBoolean(false);
    private final int spinTries;

    /**
     * @param spinTries how many times to re-read the sequence (with a spin-wait hint) before blocking.
     */
    public ProgressBlockingWaitStrategy(final int spinTries)
    {
        this.spinTries = spinTries;
    }

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence, final SequenceBarrier barrier)
        throws AlertException, InterruptedException
    {
        long available;
        int spins = spinTries;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            if (spins > 0)
            {
                spins--;
                Thread.onSpinWait();
                continue;
            }
            synchronized (mutex)
            {
                // Flag first, then re-check: a signaller either sees the flag or its progress is seen here.
                signalNeeded.set(true);
                if (dependentSequence.get() >= sequence)
                {
                    continue;
                }
                barrier.checkAlert();
                mutex.wait();
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        if (signalNeeded.getAndSet(false))
        {
            synchronized (mutex)
            {
                mutex.notifyAll();
            }
        }
    }

    /**
     * @param handler a stage other stages wait for.
     * @param strategy the ring's wait strategy.
     * @param <T> event type.
     * @return the stage, reporting its progress at each batch end when the strategy blocks on stages; else itself.
     */
    static <T> EventHandler<T> signalling(final EventHandler<T> handler, final WaitStrategy strategy)
    {
        if (!(strategy instanceof ProgressBlockingWaitStrategy progress))
        {
            return handler;
        }
        return new EventHandler<>()
        {
            private Sequence sequenceCallback;

            @Override
            public void onEvent(final T event, final long sequence, final boolean endOfBatch) throws Exception
            {
                handler.onEvent(event, sequence, endOfBatch);
                if (endOfBatch)
                {
                    // The processor would set this after the batch; setting it now lets the signal carry it.
                    sequenceCallback.set(sequence);
                    progress.signalAllWhenBlocking();
                }
            }

            @Override
            public void setSequenceCallback(final Sequence sequenceCallback)
            {
                this.sequenceCallback = sequenceCallback;
                handler.setSequenceCallback(sequenceCallback);
            }

            @Override
            public void onBatchStart(final long batchSize, final long queueDepth)
            {
                handler.onBatchStart(batchSize, queueDepth);
            }

            @Override
            public void onStart()
            {
                handler.onStart();
            }

            @Override
            public void onShutdown()
            {
                handler.onShutdown();
            }

            @Override
            public void onTimeout(final long sequence) throws Exception
            {
                handler.onTimeout(sequence);
            }

            @Override
            public String toString()
            {
                return handler.toString();
            }
        };
    }
}
