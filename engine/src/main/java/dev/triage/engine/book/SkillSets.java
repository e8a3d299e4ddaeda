package dev.triage.engine.book;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Object2IntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Sets of skill-name indices, interned by content: each distinct set is one {@code int} id (0 is the empty set), so
 * equal sets have equal ids. Keeps each set's bits, members, display name and content hash; answers unions and
 * differences (cached) and coverage. The {@link SkillRegistry} owns the names and fills {@link #scratch} to intern
 * a set. Processor thread only.
 */
final class SkillSets
{
    /** The empty set's id. */
    static final int EMPTY = 0;

    /** A set's content as the key of the intern table; the registry's probe is reused for lookups. */
    private static final class Bits
    {
        long[] words;
        int length;
        int hash;

        Bits set(final long[] words, final int length)
        {
            this.words = words;
            this.length = length;
            int h = 1;
            for (int i = 0; i < length; i++)
            {
                h = 31 * h + Long.hashCode(words[i]);
            }
            hash = h;
            return this;
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Bits b && b.length == length && Arrays.equals(words, 0, length, b.words, 0, b.length);
        }
    }

    private final IntFunction<String> nameOfIndex;
    private final Object2IntHashMap<Bits> setByBits = new Object2IntHashMap<>(-1);
    /** Sets of names among the first 64 (most teams' whole vocabulary), by their one word: no key object, no equals. */
    private final Long2LongHashMap setByFirstWord = new Long2LongHashMap(-1);
    private final Bits probe = new Bits();
    /** Where the registry builds a set before {@link #internScratch}; all zero between uses. */
    final long[] scratch;
    private long[][] bitsBySet = new long[64][];
    private int[][] membersBySet = new int[64][];
    private String[] nameBySet = new String[64];
    private long[] hashBySet = new long[64];
    private int setCount;
    private final Long2LongHashMap unions = new Long2LongHashMap(-1);
    private final Long2LongHashMap differences = new Long2LongHashMap(-1);
    /** The set holding only that name, once interned (-1 before). */
    private int[] singletonByIndex = new int[64];

    /**
     * @param maxNames name indices are below this.
     * @param nameOfIndex the name an index stands for now.
     */
    SkillSets(final int maxNames, final IntFunction<String> nameOfIndex)
    {
        this.nameOfIndex = nameOfIndex;
        scratch = new long[(maxNames + 63) / 64];
        Arrays.fill(singletonByIndex, -1);
        internScratch(0);
    }

    /**
     * @param length words of {@link #scratch} in use.
     * @return the id of the set in {@code scratch[0..length)}, interned if new; the scratch is cleared.
     */
    int internScratch(final int length)
    {
        int used = length;
        while (used > 0 && scratch[used - 1] == 0)
        {
            used--;
        }
        final int existing = used <= 1 ? (int)setByFirstWord.get(used == 0 ? 0 : scratch[0]) : setByBits.getValue(probe.set(scratch, used));
        if (existing >= 0)
        {
            clearScratch(length);
            return existing;
        }
        final int set = setCount++;
        if (set == bitsBySet.length)
        {
            bitsBySet = Arrays.copyOf(bitsBySet, set * 2);
            membersBySet = Arrays.copyOf(membersBySet, set * 2);
            nameBySet = Arrays.copyOf(nameBySet, set * 2);
            hashBySet = Arrays.copyOf(hashBySet, set * 2);
        }
        final long[] bits = Arrays.copyOf(scratch, used);
        int size = 0;
        for (final long word : bits)
        {
            size += Long.bitCount(word);
        }
        final int[] members = new int[size];
        int m = 0;
        long hash = 0x9E3779B97F4A7C15L;
        for (int w = 0; w < used; w++)
        {
            for (long word = bits[w]; word != 0; word &= word - 1)
            {
                members[m++] = (w << 6) + Long.numberOfTrailingZeros(word);
            }
            hash = (hash ^ bits[w]) * 0xBF58476D1CE4E5B9L + w;
        }
        bitsBySet[set] = bits;
        membersBySet[set] = members;
        if (members.length == 1)
        {
            if (members[0] >= singletonByIndex.length)
            {
                final int old = singletonByIndex.length;
                singletonByIndex = Arrays.copyOf(singletonByIndex, Math.max(old * 2, members[0] + 1));
                Arrays.fill(singletonByIndex, old, singletonByIndex.length, -1);
            }
            singletonByIndex[members[0]] = set;
        }
        nameBySet[set] = namesOf(members);
        hashBySet[set] = hash;
        if (used <= 1)
        {
            setByFirstWord.put(used == 0 ? 0 : bits[0], set);
        }
        else
        {
            setByBits.put(new Bits().set(bits, used), set);
        }
        clearScratch(length);
        return set;
    }

    void clearScratch(final int length)
    {
        Arrays.fill(scratch, 0, length, 0);
    }

    /**
     * @return the set of the names in either (cached).
     */
    int union(final int a, final int b)
    {
        if (a == b || b == EMPTY)
        {
            return a;
        }
        if (a == EMPTY)
        {
            return b;
        }
        final long key = ((long)Math.min(a, b) << 32) | Math.max(a, b);
        int set = (int)unions.get(key);
        if (set < 0)
        {
            final long[] x = bitsBySet[a];
            final long[] y = bitsBySet[b];
            final int length = Math.max(x.length, y.length);
            for (int w = 0; w < length; w++)
            {
                scratch[w] = (w < x.length ? x[w] : 0) | (w < y.length ? y[w] : 0);
            }
            set = internScratch(length);
            unions.put(key, set);
        }
        return set;
    }

    /**
     * @return the set of the names in {@code a} but not in {@code b} (cached).
     */
    int minus(final int a, final int b)
    {
        if (a == EMPTY || b == EMPTY)
        {
            return a;
        }
        final long key = ((long)a << 32) | b;
        int set = (int)differences.get(key);
        if (set < 0)
        {
            final long[] x = bitsBySet[a];
            final long[] y = bitsBySet[b];
            for (int w = 0; w < x.length; w++)
            {
                scratch[w] = x[w] & ~(w < y.length ? y[w] : 0);
            }
            set = internScratch(x.length);
            differences.put(key, set);
        }
        return set;
    }

    /**
     * @return true when every name of {@code set} is in {@code holder}.
     */
    boolean covers(final int holder, final int set)
    {
        final long[] have = bitsBySet[holder];
        final long[] need = bitsBySet[set];
        for (int w = 0; w < need.length; w++)
        {
            if ((need[w] & ~(w < have.length ? have[w] : 0)) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param index a name index.
     * @return the set of that name alone, or -1 if it was never interned.
     */
    int singletonOf(final int index)
    {
        return index < singletonByIndex.length ? singletonByIndex[index] : -1;
    }

    /**
     * @return the set's bits (index i is bit i % 64 of word i / 64); do not modify.
     */
    long[] bits(final int set)
    {
        return bitsBySet[set];
    }

    /**
     * @return the set's name indices, ascending; do not modify.
     */
    int[] members(final int set)
    {
        return membersBySet[set];
    }

    /**
     * @return a hash of the set's content: equal for equal sets in any run with the same name indices.
     */
    long contentHash(final int set)
    {
        return hashBySet[set];
    }

    /**
     * @return its names sorted and joined with commas.
     */
    String name(final int set)
    {
        return nameBySet[set];
    }

    /**
     * @return how many sets exist (ids are below it).
     */
    int count()
    {
        return setCount;
    }

    /** A reclaimed index now stands for another name: the sets containing it get their new names. */
    void renameContaining(final int index)
    {
        for (int set = 0; set < setCount; set++)
        {
            final long[] bits = bitsBySet[set];
            if ((index >>> 6) < bits.length && (bits[index >>> 6] & (1L << index)) != 0)
            {
                nameBySet[set] = namesOf(membersBySet[set]);
            }
        }
    }

    private String namesOf(final int[] members)
    {
        final List<String> names = new ArrayList<>(members.length);
        for (final int index : members)
        {
            names.add(nameOfIndex.apply(index));
        }
        names.sort(null);
        return String.join(",", names);
    }
}
