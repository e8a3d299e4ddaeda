package dev.triage.engine.journal;

import dev.triage.engine.book.DecisionListener.Cause;
import dev.triage.engine.command.Reply;

/**
 * One decision (an assignment with its score parts, candidates and runner-up, or a return to the queue) as
 * primitives and existing strings: filling one allocates nothing, so the processor keeps preallocated records
 * beside each ring slot. {@link #text} is the canonical line the decision log records and verify recomputes.
 */
public final class DecisionRecord
{
    public boolean assignment;
    public Cause cause;
    public long sequence;
    public long nowMs;
    public String conversationId;
    public String agentId;
    public long scoreUnits;
    public long urgencyUnits;
    public long impactUnits;
    public long ageUnits;
    public long slaUnits;
    /** The wait-bound part (0 unless the conversation had waited its urgency's bound). */
    public long boundUnits;
    public long candidates;
    public String runnerUpId;
    public long runnerUpScoreUnits;
    public long waitedMs;
    public int policyVersion;

    /**
     * @return this, holding an assignment copied from its reply.
     */
    public DecisionRecord assigned(final Cause cause, final long sequence, final long nowMs, final Reply r)
    {
        assignment = true;
        this.cause = cause;
        this.sequence = sequence;
        this.nowMs = nowMs;
        conversationId = r.conversationId;
        agentId = r.agentId;
        scoreUnits = r.scoreUnits;
        urgencyUnits = r.urgencyUnits;
        impactUnits = r.impactUnits;
        ageUnits = r.ageUnits;
        slaUnits = r.slaUnits;
        boundUnits = r.boundUnits;
        candidates = r.candidates;
        runnerUpId = r.runnerUpId;
        runnerUpScoreUnits = r.runnerUpScoreUnits;
        waitedMs = r.waitedMs;
        policyVersion = r.policyVersion;
        return this;
    }

    /**
     * @param other a record to copy (readers that keep decisions past the reply stage copy them, as the slot's is reused).
     * @return this, holding the same decision.
     */
    public DecisionRecord copyFrom(final DecisionRecord other)
    {
        assignment = other.assignment;
        cause = other.cause;
        sequence = other.sequence;
        nowMs = other.nowMs;
        conversationId = other.conversationId;
        agentId = other.agentId;
        scoreUnits = other.scoreUnits;
        urgencyUnits = other.urgencyUnits;
        impactUnits = other.impactUnits;
        ageUnits = other.ageUnits;
        slaUnits = other.slaUnits;
        boundUnits = other.boundUnits;
        candidates = other.candidates;
        runnerUpId = other.runnerUpId;
        runnerUpScoreUnits = other.runnerUpScoreUnits;
        waitedMs = other.waitedMs;
        policyVersion = other.policyVersion;
        return this;
    }

    /**
     * @return this, holding a conversation's return to the queue from an agent.
     */
    public DecisionRecord returned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
    {
        assignment = false;
        this.cause = cause;
        this.sequence = sequence;
        this.nowMs = nowMs;
        this.conversationId = conversationId;
        this.agentId = agentId;
        runnerUpId = null;
        return this;
    }

    /** Drop the strings, so a reused record keeps no conversation alive. */
    public void clear()
    {
        conversationId = null;
        agentId = null;
        runnerUpId = null;
    }

    /**
     * @param out reused for the text.
     * @return the canonical line: {@code SEQUENCE TIME CAUSE CONVERSATION -> AGENT score ...} or {@code ... <- AGENT}.
     */
    public String text(final StringBuilder out)
    {
        out.setLength(0);
        out.append(sequence).append(' ').append(nowMs).append(' ').append(cause).append(' ').append(conversationId);
        if (!assignment)
        {
            return out.append(" <- ").append(agentId).toString();
        }
        return out.append(" -> ").append(agentId).append(" score ").append(scoreUnits)
            .append(" [").append(urgencyUnits).append(' ').append(impactUnits).append(' ').append(ageUnits).append(' ')
            .append(slaUnits).append(boundUnits == 0 ? "" : " " + boundUnits).append("] candidates ").append(candidates).append(" runner-up ").append(runnerUpId)
            .append(' ').append(runnerUpScoreUnits).append(" waited ").append(waitedMs).append(" policy ").append(policyVersion)
            .toString();
    }
}
