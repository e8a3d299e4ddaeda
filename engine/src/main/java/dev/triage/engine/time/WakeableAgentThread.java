package dev.triage.engine.time;

import org.agrona.concurrent.Agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs an Agrona {@link Agent} on its own thread that sleeps whenever a duty cycle finds no work: until a producer
 * calls {@link #wake()} after handing it some, or, for an agent with work due at a time (the ticker), until then at
 * the latest. A running thread costs the producer one volatile read per hand-over; a sleeping one, one unpark. So the
 * thread never wakes without work (no polling).
 * <p>
 * The hand-over contract: the producer publishes its work (a queue offer, a new deadline) before calling
 * {@link #wake()}; the agent's {@code doWork} reads it. The thread announces that it sleeps, then runs one more duty
 * cycle before parking, so work published after its last cycle is never left behind.
 */
public final class WakeableAgentThread implements AutoCloseable
{
    private static final long AFTER_FAILURE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Agent agent;
    private final LongSupplier sleepNanos;
    private final Consumer<Throwable> onError;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean sleeping;

    /**
     * @param agent the duty cycle.
     * @param onError told of a failure in one cycle; the thread carries on.
     */
    public WakeableAgentThread(final Agent agent, final Consumer<Throwable> onError)
    {
        this(agent, () -> Long.MAX_VALUE, onError);
    }

    /**
     * @param agent the duty cycle.
     * @param sleepNanos read on the agent's thread before it sleeps: how long at most (Long.MAX_VALUE: until woken).
     * @param onError told of a failure in one cycle; the thread carries on after a millisecond.
     */
    public WakeableAgentThread(final Agent agent, final LongSupplier sleepNanos, final Consumer<Throwable> onError)
    {
        this.agent = agent;
        this.sleepNanos = sleepNanos;
        this.onError = onError;
        thread = new Thread(this::run, agent.roleName());
        thread.setDaemon(true);
    }

    /**
     * @return this, started.
     */
    public WakeableAgentThread start()
    {
        thread.start();
        return this;
    }

    /**
     * After handing the agent work: wake its thread if it sleeps. Any thread.
     */
    public void wake()
    {
        if (sleeping)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Stop the thread after a last duty cycle, and wait for it (with the agent's onClose).
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        try
        {
            agent.onStart();
        }
        catch (final Throwable t)
        {
            onError.accept(t);
        }
        while (running)
        {
            if (cycle() > 0)
            {
                continue;
            }
            sleeping = true;
            // Announced first, then looked again: a producer either sees the flag or its work is seen here.
            if (cycle() == 0 && running)
            {
                final long nanos = sleepNanos.getAsLong();
                if (nanos == Long.MAX_VALUE)
                {
                    LockSupport.park(this);
                }
                else if (nanos > 0)
                {
                    LockSupport.parkNanos(this, nanos);
                }
            }
            sleeping = false;
        }
        try
        {
            agent.onClose();
        }
        catch (final Throwable t)
        {
            onError.accept(t);
        }
    }

    private int cycle()
    {
        try
        {
            return agent.doWork();
        }
        catch (final Throwable t)
        {
            onError.accept(t);
            // A cycle that keeps failing must not spin.
            LockSupport.parkNanos(this, AFTER_FAILURE_NS);
            return 0;
        }
    }
}
