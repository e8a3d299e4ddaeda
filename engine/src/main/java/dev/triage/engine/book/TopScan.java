package dev.triage.engine.book;

/**
 * Best-first scan over class heaps for TOP: a max-heap of (score, tie, class, index) candidates.
 */
final class TopScan
{
    private long[] score = new long[64];
    private long[] tie = new long[64];
    private int[] classIds = new int[64];
    private int[] index = new int[64];
    private int size;

    /**
     * @param capacity the most candidates the scan will hold at once.
     */
    void reset(final int capacity)
    {
        size = 0;
        if (capacity > score.length)
        {
            final int length = Integer.highestOneBit(capacity) << 1;
            score = new long[length];
            tie = new long[length];
            classIds = new int[length];
            index = new int[length];
        }
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int topClass()
    {
        return classIds[0];
    }

    int topIndex()
    {
        return index[0];
    }

    long topScore()
    {
        return score[0];
    }

    void push(final long s, final long t, final int c, final int idx)
    {
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!Selection.better(s, t, score[parent], tie[parent]))
            {
                break;
            }
            copy(parent, i);
            i = parent;
        }
        set(i, s, t, c, idx);
    }

    void pop()
    {
        final int last = --size;
        final long s = score[last];
        final long t = tie[last];
        final int c = classIds[last];
        final int idx = index[last];
        int i = 0;
        while (2 * i + 1 < size)
        {
            int child = 2 * i + 1;
            if (child + 1 < size && Selection.better(score[child + 1], tie[child + 1], score[child], tie[child]))
            {
                child++;
            }
            if (!Selection.better(score[child], tie[child], s, t))
            {
                break;
            }
            copy(child, i);
            i = child;
        }
        set(i, s, t, c, idx);
    }

    private void copy(final int from, final int to)
    {
        set(to, score[from], tie[from], classIds[from], index[from]);
    }

    private void set(final int i, final long s, final long t, final int c, final int idx)
    {
        score[i] = s;
        tie[i] = t;
        classIds[i] = c;
        index[i] = idx;
    }
}
