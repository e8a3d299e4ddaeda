package dev.triage.engine.book;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2IntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Interns skill names to bits of a 64-bit mask, and distinct required masks to dense skill-set ids; caches, per
 * distinct agent mask, the skill sets that agent may take. Processor thread only.
 * <p>
 * Cost: a name lookup is one hash probe; a new skill set costs O(distinct agent masks) to extend the caches.
 */
public final class SkillRegistry
{
    /** The number of distinct skill names the registry can index. */
    public static final int MAX_SKILLS = 63;
    /** Returned by {@link #maskOf} when the names would need more than {@link #MAX_SKILLS} bits. */
    public static final long LIMIT_REACHED = -1L;

    private final Object2IntHashMap<String> bitByName = new Object2IntHashMap<>(-1);
    private final String[] nameByBit = new String[MAX_SKILLS];
    private int skillCount;
    private final Long2LongHashMap skillSetIdByMask = new Long2LongHashMap(-1);
    private long[] maskBySkillSetId = new long[64];
    private String[] nameBySkillSetId = new String[64];
    private int skillSetCount;
    private final Long2ObjectHashMap<EligibleSets> eligibleByAgentMask = new Long2ObjectHashMap<>();
    private final List<EligibleSets> allEligible = new ArrayList<>();

    /**
     * @param names skill names (registered if new).
     * @return the mask (never negative: 63 bits), or {@link #LIMIT_REACHED}.
     */
    public long maskOf(final String[] names)
    {
        long mask = 0;
        for (final String name : names)
        {
            int bit = bitByName.getValue(name);
            if (bit < 0)
            {
                if (skillCount == MAX_SKILLS)
                {
                    return LIMIT_REACHED;
                }
                bit = skillCount++;
                bitByName.put(name, bit);
                nameByBit[bit] = name;
            }
            mask |= 1L << bit;
        }
        return mask;
    }

    /**
     * @param mask required skills.
     * @return the dense id of that skill set, interned on first use.
     */
    public int skillSetId(final long mask)
    {
        int id = (int)skillSetIdByMask.get(mask);
        if (id < 0)
        {
            id = skillSetCount++;
            if (id == maskBySkillSetId.length)
            {
                maskBySkillSetId = Arrays.copyOf(maskBySkillSetId, id * 2);
                nameBySkillSetId = Arrays.copyOf(nameBySkillSetId, id * 2);
            }
            maskBySkillSetId[id] = mask;
            nameBySkillSetId[id] = namesOf(mask);
            skillSetIdByMask.put(mask, id);
            for (int i = 0, n = allEligible.size(); i < n; i++)
            {
                final EligibleSets sets = allEligible.get(i);
                if ((sets.agentMask & mask) == mask)
                {
                    sets.add(id);
                }
            }
        }
        return id;
    }

    /**
     * @param agentMask the agent's skills.
     * @return the skill sets such an agent may take, cached per mask.
     */
    public EligibleSets eligibleFor(final long agentMask)
    {
        EligibleSets sets = eligibleByAgentMask.get(agentMask);
        if (sets == null)
        {
            sets = new EligibleSets(agentMask);
            for (int id = 0; id < skillSetCount; id++)
            {
                if ((agentMask & maskBySkillSetId[id]) == maskBySkillSetId[id])
                {
                    sets.add(id);
                }
            }
            eligibleByAgentMask.put(agentMask, sets);
            allEligible.add(sets);
        }
        return sets;
    }

    public int skillSetCount()
    {
        return skillSetCount;
    }

    /**
     * @param skillSetId id.
     * @return its skill names, sorted and joined with commas (computed once, when the set first appeared).
     */
    public String nameOfSkillSet(final int skillSetId)
    {
        return nameBySkillSetId[skillSetId];
    }

    int skillCount()
    {
        return skillCount;
    }

    String nameOfBit(final int bit)
    {
        return nameByBit[bit];
    }

    /**
     * @param mask a mask.
     * @return its skill names sorted and joined with commas: the same text for the same set however the skills were
     * registered, so it can be shown and compared as it is.
     */
    public String namesOf(final long mask)
    {
        final List<String> names = new ArrayList<>(Long.bitCount(mask));
        for (int bit = 0; bit < skillCount; bit++)
        {
            if ((mask & (1L << bit)) != 0)
            {
                names.add(nameByBit[bit]);
            }
        }
        names.sort(null);
        return String.join(",", names);
    }
}
