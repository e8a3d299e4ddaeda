package dev.triage.engine.time;

import org.agrona.concurrent.Agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs an Agrona {@link Agent} on its own thread that sleeps, without a timer, whenever a duty cycle finds no work,
 * until a producer calls {@link #wake()} after handing it some. A running thread costs the producer one volatile
 * read per hand-over; a sleeping one, one unpark. So the thread never wakes without work (no polling).
 * <p>
 * The hand-over contract: the producer publishes its work (a queue offer) before calling {@link #wake()}; the
 * agent's {@code doWork} reads it. The thread announces that it sleeps, then runs one more duty cycle before
 * parking, so work published after its last cycle is never left behind.
 */
public final class WakeableAgentThread implements AutoCloseable
{
    private final Agent agent;
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
        this.agent = agent;
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
                LockSupport.park(this);
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
            return 0;
        }
    }
}
