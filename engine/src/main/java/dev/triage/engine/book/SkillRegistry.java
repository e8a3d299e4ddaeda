package dev.triage.engine.book;

import dev.triage.engine.ground.Limits;
import org.agrona.collections.Object2IntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Interns skill names to dense indices (up to {@link #MAX_SKILLS}), and sets of names to set ids: a conversation's
 * required and preferred skills and an agent's skills are each one {@code int}. Sets are interned by content, so
 * equal sets have equal ids and comparing two is one comparison. Conversation skill sets also get dense skill-set
 * ids (the priority index's classes); each distinct agent set caches the skill sets it may take. Processor thread
 * only.
 * <p>
 * Names are reference-counted by the conversations (open, pending, assigned, or kept after resolving) and agents
 * that hold them: an index nobody holds is reclaimed for a new name when no unused one is left, so names that fell
 * out of use never exhaust the registry. Conversations may bring new names only while fewer than
 * {@code limit - agentReserve} are held: the rest is kept for agents (UpsertAgent, an admin's call), so a flood of
 * conversations with junk skills cannot stop an admin giving an agent a new skill.
 * <p>
 * Cost: a lookup is one hash probe per name and one for the set (no allocation once the set exists); a new set costs
 * O(size); a new conversation skill set O(distinct agent sets) to extend their caches; a union or difference of two
 * sets is cached; a reclaimed index renames the sets that contain it, O(sets).
 */
public final class SkillRegistry
{
    /** The number of distinct skill names the registry can hold at once. */
    public static final int MAX_SKILLS = Limits.MAX_SKILL_NAMES;
    /** Returned by {@link #setOf} when the names would need more than the caller's share of {@link #MAX_SKILLS}. */
    public static final int LIMIT_REACHED = -1;
    /** Names only agents may bring in. */
    public static final int AGENT_RESERVE = Limits.SKILL_NAMES_KEPT_FOR_AGENTS;
    /** The empty set's id. */
    public static final int EMPTY = SkillSets.EMPTY;

    private int limit = MAX_SKILLS;
    private int agentReserve = AGENT_RESERVE;

    private final Object2IntHashMap<String> indexByName = new Object2IntHashMap<>(-1);
    private String[] nameByIndex = new String[64];
    private int[] refs = new int[64];
    private int nameCount;
    private int heldCount;

    private final SkillSets sets = new SkillSets(MAX_SKILLS, index -> nameByIndex[index]);
    private final long[] scratch = sets.scratch;

    private int[] skillSetIdBySet = new int[64];
    private int[] setBySkillSetId = new int[64];
    private int skillSetCount;
    private EligibleSets[] eligibleBySet = new EligibleSets[64];
    private final List<EligibleSets> allEligible = new ArrayList<>();

    public SkillRegistry()
    {
        Arrays.fill(skillSetIdBySet, -1);
    }

    /**
     * For tests that exercise exhaustion and reclaiming in a small world. Call before any name is registered.
     *
     * @param limit names held at most (1..{@link #MAX_SKILLS}).
     * @param agentReserve of those, the ones only agents may bring in.
     */
    public void limits(final int limit, final int agentReserve)
    {
        this.limit = limit;
        this.agentReserve = agentReserve;
    }

    /**
     * @param names skill names (registered if new; the registration holds nothing until {@link #retain}).
     * @param alsoNeeded a set the same command needs besides these (its required skills, when asking for its
     * preferred ones): its names count against the limit and are never reclaimed for these names.
     * @param forAgent true for an agent's skills, which may use the names reserved for agents.
     * @return the set's id, or {@link #LIMIT_REACHED} when names nobody holds yet would take the held names past the
     * caller's limit.
     */
    public int setOf(final String[] names, final int alsoNeeded, final boolean forAgent)
    {
        if (names.length == 0)
        {
            // Nothing new: alsoNeeded's names were let through when the caller asked for them.
            return EMPTY;
        }
        if (names.length == 1)
        {
            final int index = indexByName.getValue(names[0]);
            if (index >= 0 && refs[index] > 0)
            {
                // A held name: never refused, and its set is one array read once seen.
                final int set = sets.singletonOf(index);
                if (set >= 0)
                {
                    return set;
                }
            }
        }
        final long[] also = sets.bits(alsoNeeded);
        int length = 0;
        for (final String name : names)
        {
            int index = indexByName.getValue(name);
            if (index < 0)
            {
                index = freeIndex(length, also);
                if (index < 0)
                {
                    sets.clearScratch(length);
                    return LIMIT_REACHED;
                }
                assign(index, name);
            }
            length = mark(index, length);
        }
        // Only names nobody holds yet take a place: a command using held names is never refused.
        int unheld = 0;
        for (int w = 0; w < Math.max(length, also.length); w++)
        {
            final long needed = (w < length ? scratch[w] : 0) | (w < also.length ? also[w] : 0);
            for (long m = needed; m != 0; m &= m - 1)
            {
                unheld += refs[(w << 6) + Long.numberOfTrailingZeros(m)] == 0 ? 1 : 0;
            }
        }
        final int allowed = forAgent ? limit : limit - agentReserve;
        if (unheld > 0 && heldCount + unheld > allowed)
        {
            sets.clearScratch(length);
            return LIMIT_REACHED;
        }
        return sets.internScratch(length);
    }

    /**
     * @param indices name indices (as {@link #members} gives them), for a snapshot being restored.
     * @return the set of those names.
     */
    int setOfIndices(final int[] indices)
    {
        int length = 0;
        for (final int index : indices)
        {
            length = mark(index, length);
        }
        return sets.internScratch(length);
    }

    /**
     * Add a name index to the set being built in the scratch words.
     *
     * @param length scratch words in use.
     * @return scratch words in use after it.
     */
    private int mark(final int index, final int length)
    {
        final int word = index >>> 6;
        int used = length;
        while (used <= word)
        {
            scratch[used++] = 0;
        }
        scratch[word] |= 1L << index;
        return used;
    }

    /**
     * @return the set of the names in either (cached).
     */
    public int union(final int a, final int b)
    {
        return sets.union(a, b);
    }

    /**
     * @return the set of the names in {@code a} but not in {@code b} (cached).
     */
    public int minus(final int a, final int b)
    {
        return sets.minus(a, b);
    }

    /**
     * @param set names a conversation or agent now holds.
     */
    public void retain(final int set)
    {
        for (final int index : sets.members(set))
        {
            if (refs[index]++ == 0)
            {
                heldCount++;
            }
        }
    }

    /**
     * @param set names a conversation or agent no longer holds.
     */
    public void release(final int set)
    {
        for (final int index : sets.members(set))
        {
            if (--refs[index] == 0)
            {
                heldCount--;
            }
        }
    }

    /**
     * For tests.
     *
     * @param expected how many conversations and agents hold each name index, counted the slow way.
     * @return the first disagreement with the reference counts, or null.
     */
    String validateRefs(final int[] expected)
    {
        int held = 0;
        for (int index = 0; index < nameCount; index++)
        {
            if (expected[index] != refs[index])
            {
                return "skill " + index + " (" + nameByIndex[index] + ") held by " + expected[index] + " but counted " + refs[index];
            }
            held += refs[index] > 0 ? 1 : 0;
        }
        return held == heldCount ? null : "skills held " + held + " but counted " + heldCount;
    }

    /** A never-used index first, else the lowest index nobody holds, outside this command's names; -1 if none. */
    private int freeIndex(final int scratchLength, final long[] also)
    {
        if (nameCount < limit)
        {
            if (nameCount == nameByIndex.length)
            {
                nameByIndex = Arrays.copyOf(nameByIndex, nameCount * 2);
                refs = Arrays.copyOf(refs, nameCount * 2);
            }
            return nameCount++;
        }
        for (int index = 0; index < limit; index++)
        {
            final int w = index >>> 6;
            final long bit = 1L << index;
            final boolean busy = (w < scratchLength && (scratch[w] & bit) != 0) || (w < also.length && (also[w] & bit) != 0);
            if (refs[index] == 0 && !busy)
            {
                return index;
            }
        }
        return -1;
    }

    private void assign(final int index, final String name)
    {
        final String previous = nameByIndex[index];
        nameByIndex[index] = name;
        indexByName.put(name, index);
        if (previous != null)
        {
            // Reclaimed: the sets containing the index are held by nobody and now mean the new name.
            indexByName.removeKey(previous);
            sets.renameContaining(index);
        }
    }

    /**
     * @param set a conversation's skills (its effective set).
     * @return the dense skill-set id of that set, registered as a conversation skill set on first use.
     */
    public int skillSetId(final int set)
    {
        if (set >= skillSetIdBySet.length)
        {
            final int old = skillSetIdBySet.length;
            skillSetIdBySet = Arrays.copyOf(skillSetIdBySet, Math.max(old * 2, set + 1));
            Arrays.fill(skillSetIdBySet, old, skillSetIdBySet.length, -1);
        }
        int id = skillSetIdBySet[set];
        if (id < 0)
        {
            id = skillSetCount++;
            if (id == setBySkillSetId.length)
            {
                setBySkillSetId = Arrays.copyOf(setBySkillSetId, id * 2);
            }
            setBySkillSetId[id] = set;
            skillSetIdBySet[set] = id;
            for (int i = 0, n = allEligible.size(); i < n; i++)
            {
                final EligibleSets eligible = allEligible.get(i);
                if (this.sets.covers(eligible.agentSet, set))
                {
                    eligible.add(id);
                }
            }
        }
        return id;
    }

    /**
     * @param agentSet the agent's skills.
     * @return the skill sets such an agent may take, cached per set.
     */
    public EligibleSets eligibleFor(final int agentSet)
    {
        if (agentSet >= eligibleBySet.length)
        {
            eligibleBySet = Arrays.copyOf(eligibleBySet, Math.max(eligibleBySet.length * 2, agentSet + 1));
        }
        EligibleSets eligible = eligibleBySet[agentSet];
        if (eligible == null)
        {
            eligible = new EligibleSets(agentSet);
            for (int id = 0; id < skillSetCount; id++)
            {
                if (sets.covers(agentSet, setBySkillSetId[id]))
                {
                    eligible.add(id);
                }
            }
            eligibleBySet[agentSet] = eligible;
            allEligible.add(eligible);
        }
        return eligible;
    }

    /**
     * For the console's filter; allocates.
     *
     * @param skill a skill name.
     * @return the conversation skill sets that include it (none for a name never used).
     */
    EligibleSets needing(final String skill)
    {
        final EligibleSets needing = new EligibleSets(EMPTY);
        final int index = indexByName.getValue(skill);
        for (int id = 0; index >= 0 && id < skillSetCount; id++)
        {
            if (Arrays.binarySearch(sets.members(setBySkillSetId[id]), index) >= 0)
            {
                needing.add(id);
            }
        }
        return needing;
    }

    public int skillSetCount()
    {
        return skillSetCount;
    }

    /**
     * @param skillSetId id.
     * @return its skill names, sorted and joined with commas.
     */
    public String nameOfSkillSet(final int skillSetId)
    {
        return sets.name(setBySkillSetId[skillSetId]);
    }

    /**
     * @return name indices ever used (names are listed in a snapshot in this order).
     */
    int nameCount()
    {
        return nameCount;
    }

    String nameOfIndex(final int index)
    {
        return nameByIndex[index];
    }

    /**
     * @return the set's name indices, ascending; do not modify.
     */
    int[] members(final int set)
    {
        return sets.members(set);
    }

    /**
     * @return a hash of the set's content: equal for equal sets in any run with the same name indices.
     */
    long contentHash(final int set)
    {
        return sets.contentHash(set);
    }

    /**
     * @param set a set.
     * @return its skill names sorted and joined with commas: the same text for the same set however the skills were
     * registered, so it can be shown and compared as it is.
     */
    public String namesOf(final int set)
    {
        return sets.name(set);
    }

    private String namesOf(final int[] members)
    {
        final List<String> names = new ArrayList<>(members.length);
        for (final int index : members)
        {
            names.add(nameByIndex[index]);
        }
        names.sort(null);
        return String.join(",", names);
    }
}
