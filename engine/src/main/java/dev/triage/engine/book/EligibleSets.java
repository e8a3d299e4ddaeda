package dev.triage.engine.book;

import java.util.Arrays;

/**
 * The skill-set ids whose skills are all held by one agent skill set; shared by every agent with that set and
 * extended when a new conversation skill set appears. Processor thread only.
 */
public final class EligibleSets
{
    final int agentSet;
    int[] skillSetIds = new int[8];
    int count;
    private long[] member = new long[1];

    EligibleSets(final int agentSet)
    {
        this.agentSet = agentSet;
    }

    void add(final int skillSetId)
    {
        if (count == skillSetIds.length)
        {
            skillSetIds = Arrays.copyOf(skillSetIds, count * 2);
        }
        skillSetIds[count++] = skillSetId;
        if ((skillSetId >>> 6) >= member.length)
        {
            member = Arrays.copyOf(member, Math.max(member.length * 2, (skillSetId >>> 6) + 1));
        }
        member[skillSetId >>> 6] |= 1L << skillSetId;
    }

    /**
     * @return true when an agent with these skills may take conversations of that skill set.
     */
    boolean contains(final int skillSetId)
    {
        return (skillSetId >>> 6) < member.length && (member[skillSetId >>> 6] & (1L << skillSetId)) != 0;
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
