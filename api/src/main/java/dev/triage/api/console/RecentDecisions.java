package dev.triage.api.console;

import dev.triage.engine.journal.DecisionRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The latest decisions for the console, told after the journal (the engine's decision observer). Keeps
 * {@link #CAPACITY} preallocated records and copies into them, so the reply stage allocates nothing; the console
 * copies them out under the same lock, at most a few times a second.
 */
public final class RecentDecisions implements Consumer<DecisionRecord>
{
    /** Decisions kept. */
    public static final int CAPACITY = 50;

    /**
     * One decision as the console shows it.
     *
     * @param sequence the command that caused it.
     * @param atMs engine time.
     * @param assigned an assignment (else a return to the queue).
     * @param cause why (NEXT_BEST, LONG_POLL, LEASE_EXPIRED, RELEASED, AGENT_OFFLINE).
     * @param conversationId the conversation.
     * @param agentId the agent.
     * @param scoreUnits for assignments: the score and its parts, the candidates and runner-up.
     * @param urgencyUnits urgency part.
     * @param impactUnits impact part.
     * @param ageUnits age part.
     * @param slaUnits SLA part.
     * @param boundUnits wait-bound part (its urgency's max wait passed), else 0.
     * @param candidates eligible conversations considered.
     * @param runnerUpId second best, or null.
     * @param runnerUpScoreUnits its score.
     * @param waitedMs how long the customer had waited.
     */
    public record Decision(long sequence, long atMs, boolean assigned, String cause, String conversationId, String agentId,
        long scoreUnits, long urgencyUnits, long impactUnits, long ageUnits, long slaUnits, long boundUnits, long candidates,
        String runnerUpId, long runnerUpScoreUnits, long waitedMs)
    {
    }

    private final DecisionRecord[] ring = new DecisionRecord[CAPACITY];
    private long count;

    public RecentDecisions()
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            ring[i] = new DecisionRecord();
        }
    }

    @Override
    public synchronized void accept(final DecisionRecord d)
    {
        ring[(int)(count++ % CAPACITY)].copyFrom(d);
    }

    /**
     * @return the kept decisions, newest first.
     */
    public synchronized List<Decision> newestFirst()
    {
        final int n = (int)Math.min(count, CAPACITY);
        final List<Decision> out = new ArrayList<>(n);
        for (long i = count - 1; i >= count - n; i--)
        {
            final DecisionRecord d = ring[(int)(i % CAPACITY)];
            out.add(new Decision(d.sequence, d.nowMs, d.assignment, d.cause.name(), d.conversationId, d.agentId,
                d.scoreUnits, d.urgencyUnits, d.impactUnits, d.ageUnits, d.slaUnits, d.boundUnits, d.candidates, d.runnerUpId,
                d.runnerUpScoreUnits, d.waitedMs));
        }
        return out;
    }
}
