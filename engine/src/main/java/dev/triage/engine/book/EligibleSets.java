package dev.triage.engine.book;

import java.util.Arrays;

/**
 * The skill-set ids whose required skills are all held by one agent skill mask; shared by every agent with
 * that mask and extended when a new required set appears. Processor thread only.
 */
public final class EligibleSets
{
    final long agentMask;
    int[] skillSetIds = new int[8];
    int count;

    EligibleSets(final long agentMask)
    {
        this.agentMask = agentMask;
    }

    void add(final int skillSetId)
    {
        if (count == skillSetIds.length)
        {
            skillSetIds = Arrays.copyOf(skillSetIds, count * 2);
        }
        skillSetIds[count++] = skillSetId;
    }

    public int count()
    {
        return count;
    }

    public int skillSetId(final int i)
    {
        return skillSetIds[i];
    }
}
