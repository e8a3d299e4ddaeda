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
 * Bits are reference-counted by the conversations (open, pending, assigned, or kept after resolving) and agents
 * that hold them: a bit nobody holds is reclaimed for a new name when no unused bit is left, so names that fell out
 * of use never exhaust the registry. Conversations may bring new names only while fewer than
 * {@code limit - agentReserve} bits are held: the rest is kept for agents (UpsertAgent, an admin's call), so a flood
 * of conversations with junk skills cannot stop an admin giving an agent a new skill.
 * <p>
 * Cost: a name lookup is one hash probe; a new skill set costs O(distinct agent masks) to extend the caches; a
 * reclaimed bit renames the skill sets that contain it, O(skill sets).
 */
public final class SkillRegistry
{
    /** The number of distinct skill names the registry can index. */
    public static final int MAX_SKILLS = 63;
    /** Returned by {@link #maskOf} when the names would need more than {@link #MAX_SKILLS} bits. */
    public static final long LIMIT_REACHED = -1L;
    /** Bits only agents may bring new names into. */
    public static final int AGENT_RESERVE = 16;

    private int limit = MAX_SKILLS;
    private int agentReserve = AGENT_RESERVE;
    private final int[] refs = new int[MAX_SKILLS];
    private long heldMask;

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
     * For tests that exercise exhaustion and reclaiming in a small world. Call before any name is registered.
     *
     * @param limit bits in use at most (1..63).
     * @param agentReserve of those, the bits only agents may bring new names into.
     */
    public void limits(final int limit, final int agentReserve)
    {
        this.limit = limit;
        this.agentReserve = agentReserve;
    }

    /**
     * @param names skill names (registered if new; the registration holds nothing until {@link #retain}).
     * @param alsoNeeded bits the same command needs besides these (its required skills, when asking for its preferred
     * ones): they count against the limit and are never reclaimed for these names.
     * @param forAgent true for an agent's skills, which may use the bits reserved for agents.
     * @return the mask (never negative: 63 bits), or {@link #LIMIT_REACHED} when names nobody holds yet would take
     * the held bits past the caller's limit.
     */
    public long maskOf(final String[] names, final long alsoNeeded, final boolean forAgent)
    {
        long mask = 0;
        for (final String name : names)
        {
            int bit = bitByName.getValue(name);
            if (bit < 0)
            {
                bit = freeBit(heldMask | mask | alsoNeeded);
                if (bit < 0)
                {
                    return LIMIT_REACHED;
                }
                assign(bit, name);
            }
            mask |= 1L << bit;
        }
        // Only names nobody holds yet take a slot: a command using held names is never refused.
        final long needed = mask | alsoNeeded;
        final int allowed = forAgent ? limit : limit - agentReserve;
        return (needed & ~heldMask) != 0 && Long.bitCount(heldMask | needed) > allowed ? LIMIT_REACHED : mask;
    }

    /**
     * @param mask bits a conversation or agent now holds.
     */
    public void retain(final long mask)
    {
        for (long m = mask; m != 0; m &= m - 1)
        {
            final int bit = Long.numberOfTrailingZeros(m);
            if (refs[bit]++ == 0)
            {
                heldMask |= 1L << bit;
            }
        }
    }

    /**
     * @param mask bits a conversation or agent no longer holds.
     */
    public void release(final long mask)
    {
        for (long m = mask; m != 0; m &= m - 1)
        {
            final int bit = Long.numberOfTrailingZeros(m);
            if (--refs[bit] == 0)
            {
                heldMask &= ~(1L << bit);
            }
        }
    }

    /**
     * For tests.
     *
     * @param expected how many conversations and agents hold each bit, counted the slow way.
     * @return the first disagreement with the reference counts, or null.
     */
    String validateRefs(final int[] expected)
    {
        for (int bit = 0; bit < MAX_SKILLS; bit++)
        {
            if (expected[bit] != refs[bit] || (refs[bit] > 0) != ((heldMask & (1L << bit)) != 0))
            {
                return "skill bit " + bit + " (" + nameByBit[bit] + ") held by " + expected[bit] + " but counted " + refs[bit];
            }
        }
        return null;
    }

    /** A never-used bit first, else the lowest bit nobody holds outside {@code busy}; -1 if none. */
    private int freeBit(final long busy)
    {
        if (skillCount < limit)
        {
            return skillCount++;
        }
        final long candidates = ~busy & ((1L << limit) - 1);
        return candidates == 0 ? -1 : Long.numberOfTrailingZeros(candidates);
    }

    private void assign(final int bit, final String name)
    {
        final String previous = nameByBit[bit];
        nameByBit[bit] = name;
        bitByName.put(name, bit);
        if (previous != null)
        {
            // Reclaimed: the skill sets containing the bit are empty (nobody holds it) and now mean the new name.
            bitByName.removeKey(previous);
            for (int id = 0; id < skillSetCount; id++)
            {
                if ((maskBySkillSetId[id] & (1L << bit)) != 0)
                {
                    nameBySkillSetId[id] = namesOf(maskBySkillSetId[id]);
                }
            }
        }
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
