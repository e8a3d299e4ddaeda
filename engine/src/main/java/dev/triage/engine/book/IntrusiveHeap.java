package dev.triage.engine.book;

import java.util.Arrays;

/**
 * A 4-ary min-heap of int element ids ordered by (primary, secondary), where each element's position is kept in an
 * external array so that remove and re-key work in place in O(log n), as in Aeron's timer heap. Four children per
 * node halve the depth of a binary heap, and each slot's two keys sit side by side in one array, so a sift at a
 * million entries touches about half the cache lines (sifts were the top of the profile at 1M open). Children of
 * slot i are {@link #firstChild}(i) .. +{@link #ARITY}-1. (primary, secondary) pairs are unique where this is used,
 * so the order is total and the heap's shape never shows in a decision.
 * <p>
 * Several heaps may share one {@link Positions} when an element is in at most one of them at a time.
 * Not thread safe: used only on the processor thread.
 */
public final class IntrusiveHeap
{
    /** Children per node. */
    public static final int ARITY = 4;

    /**
     * Element id -> index in its heap, or -1 when in none.
     */
    public static final class Positions
    {
        private int[] index;

        /**
         * @param capacity initial number of ids.
         */
        public Positions(final int capacity)
        {
            index = new int[Math.max(16, capacity)];
            Arrays.fill(index, -1);
        }

        /**
         * Grow so that {@code id} is addressable; allocates only when the id space grows.
         *
         * @param id largest id to address.
         */
        public void ensure(final int id)
        {
            if (id >= index.length)
            {
                final int oldLength = index.length;
                index = Arrays.copyOf(index, Math.max(id + 1, oldLength * 2));
                Arrays.fill(index, oldLength, index.length, -1);
            }
        }

        /**
         * @param id element.
         * @return true if the element is in a heap using these positions.
         */
        public boolean contains(final int id)
        {
            return id < index.length && index[id] >= 0;
        }
    }

    private final Positions positions;
    private int[] ids;
    /** Slot i's primary key at 2i, its secondary at 2i + 1. */
    private long[] keys;
    private int size;

    /**
     * @param positions where element positions are kept.
     * @param initialCapacity initial number of slots.
     */
    public IntrusiveHeap(final Positions positions, final int initialCapacity)
    {
        this.positions = positions;
        final int capacity = Math.max(4, initialCapacity);
        ids = new int[capacity];
        keys = new long[2 * capacity];
    }

    public int size()
    {
        return size;
    }

    public boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * @param i index, 0 is the head.
     * @return the element id at that index.
     */
    public int idAt(final int i)
    {
        return ids[i];
    }

    public long primaryAt(final int i)
    {
        return keys[2 * i];
    }

    public long secondaryAt(final int i)
    {
        return keys[2 * i + 1];
    }

    /**
     * @param i a slot.
     * @return the slot of its first child (the others follow it); may be past the size.
     */
    public static int firstChild(final int i)
    {
        return ARITY * i + 1;
    }

    private static int parent(final int i)
    {
        return (i - 1) >>> 2;
    }

    /**
     * @param id element id, not yet in this heap.
     * @param p primary key.
     * @param s secondary key, breaks ties.
     */
    public void add(final int id, final long p, final long s)
    {
        if (size == ids.length)
        {
            grow();
        }
        positions.ensure(id);
        final int i = size++;
        place(i, id, p, s);
        siftUp(i);
    }

    /**
     * @param id element id, in this heap.
     * @param p new primary key.
     * @param s new secondary key.
     */
    public void update(final int id, final long p, final long s)
    {
        final int i = positions.index[id];
        final long oldP = keys[2 * i];
        final long oldS = keys[2 * i + 1];
        keys[2 * i] = p;
        keys[2 * i + 1] = s;
        if (less(p, s, oldP, oldS))
        {
            siftUp(i);
        }
        else
        {
            siftDown(i);
        }
    }

    /**
     * @param id element id, in this heap.
     */
    public void remove(final int id)
    {
        final int i = positions.index[id];
        positions.index[id] = -1;
        final int last = --size;
        if (i != last)
        {
            place(i, ids[last], keys[2 * last], keys[2 * last + 1]);
            if (i > 0 && less(keys[2 * i], keys[2 * i + 1], keys[2 * parent(i)], keys[2 * parent(i) + 1]))
            {
                siftUp(i);
            }
            else
            {
                siftDown(i);
            }
        }
    }

    /**
     * @param id element id.
     * @return true if it is in this heap.
     */
    public boolean contains(final int id)
    {
        return positions.contains(id) && positions.index[id] < size && ids[positions.index[id]] == id;
    }

    /**
     * Remove every element.
     */
    public void clear()
    {
        for (int i = 0; i < size; i++)
        {
            positions.index[ids[i]] = -1;
        }
        size = 0;
    }

    /**
     * @return null if the heap order and positions hold, else a description of the first violation.
     */
    public String validate()
    {
        for (int i = 0; i < size; i++)
        {
            if (positions.index[ids[i]] != i)
            {
                return "position of " + ids[i] + " is " + positions.index[ids[i]] + " not " + i;
            }
            if (i > 0 && less(keys[2 * i], keys[2 * i + 1], keys[2 * parent(i)], keys[2 * parent(i) + 1]))
            {
                return "heap order broken at " + i;
            }
        }
        return null;
    }

    private static boolean less(final long p1, final long s1, final long p2, final long s2)
    {
        return p1 < p2 || (p1 == p2 && s1 < s2);
    }

    private void place(final int i, final int id, final long p, final long s)
    {
        ids[i] = id;
        keys[2 * i] = p;
        keys[2 * i + 1] = s;
        positions.index[id] = i;
    }

    private void siftUp(final int start)
    {
        int i = start;
        final int id = ids[i];
        final long p = keys[2 * i];
        final long s = keys[2 * i + 1];
        while (i > 0)
        {
            final int parent = parent(i);
            final long pp = keys[2 * parent];
            final long ps = keys[2 * parent + 1];
            if (!less(p, s, pp, ps))
            {
                break;
            }
            place(i, ids[parent], pp, ps);
            i = parent;
        }
        place(i, id, p, s);
    }

    private void siftDown(final int start)
    {
        int i = start;
        final int id = ids[i];
        final long p = keys[2 * i];
        final long s = keys[2 * i + 1];
        while (true)
        {
            final int first = firstChild(i);
            if (first >= size)
            {
                break;
            }
            final int end = Math.min(first + ARITY, size);
            int best = first;
            long bp = keys[2 * first];
            long bs = keys[2 * first + 1];
            for (int child = first + 1; child < end; child++)
            {
                final long cp = keys[2 * child];
                final long cs = keys[2 * child + 1];
                if (less(cp, cs, bp, bs))
                {
                    best = child;
                    bp = cp;
                    bs = cs;
                }
            }
            if (!less(bp, bs, p, s))
            {
                break;
            }
            place(i, ids[best], bp, bs);
            i = best;
        }
        place(i, id, p, s);
    }

    private void grow()
    {
        final int capacity = ids.length * 2;
        ids = Arrays.copyOf(ids, capacity);
        keys = Arrays.copyOf(keys, 2 * capacity);
    }
}
