package dev.triage.engine.book;

import java.util.Arrays;

/**
 * A binary min-heap of int element ids ordered by (primary, secondary), where each element's position is kept
 * in an external array so that remove and re-key work in place in O(log n), as in Aeron's timer heap.
 * <p>
 * Several heaps may share one {@link Positions} when an element is in at most one of them at a time.
 * Not thread safe: used only on the processor thread.
 */
public final class IntrusiveHeap
{
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
    private long[] primary;
    private long[] secondary;
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
        primary = new long[capacity];
        secondary = new long[capacity];
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
        return primary[i];
    }

    public long secondaryAt(final int i)
    {
        return secondary[i];
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
        final long oldP = primary[i];
        final long oldS = secondary[i];
        primary[i] = p;
        secondary[i] = s;
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
            place(i, ids[last], primary[last], secondary[last]);
            if (i > 0 && less(primary[i], secondary[i], primary[(i - 1) >>> 1], secondary[(i - 1) >>> 1]))
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
            if (i > 0 && less(primary[i], secondary[i], primary[(i - 1) >>> 1], secondary[(i - 1) >>> 1]))
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
        primary[i] = p;
        secondary[i] = s;
        positions.index[id] = i;
    }

    private void siftUp(final int start)
    {
        int i = start;
        final int id = ids[i];
        final long p = primary[i];
        final long s = secondary[i];
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!less(p, s, primary[parent], secondary[parent]))
            {
                break;
            }
            place(i, ids[parent], primary[parent], secondary[parent]);
            i = parent;
        }
        place(i, id, p, s);
    }

    private void siftDown(final int start)
    {
        int i = start;
        final int id = ids[i];
        final long p = primary[i];
        final long s = secondary[i];
        final int half = size >>> 1;
        while (i < half)
        {
            int child = 2 * i + 1;
            final int right = child + 1;
            if (right < size && less(primary[right], secondary[right], primary[child], secondary[child]))
            {
                child = right;
            }
            if (!less(primary[child], secondary[child], p, s))
            {
                break;
            }
            place(i, ids[child], primary[child], secondary[child]);
            i = child;
        }
        place(i, id, p, s);
    }

    private void grow()
    {
        final int capacity = ids.length * 2;
        ids = Arrays.copyOf(ids, capacity);
        primary = Arrays.copyOf(primary, capacity);
        secondary = Arrays.copyOf(secondary, capacity);
    }
}
