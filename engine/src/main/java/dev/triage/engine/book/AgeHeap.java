package dev.triage.engine.book;

import java.util.Arrays;

/**
 * Min-heap of (waiting since, open sequence, handle) with lazy deletion; 20 bytes an entry. Ties on waiting since go
 * to the first opened, so the oldest conversation named is the same live, replayed or restored from a snapshot.
 */
final class AgeHeap
{
    long[] waitingSince = new long[64];
    private long[] openSeq = new long[64];
    int[] handle = new int[64];
    int size;

    void push(final long ws, final long seq, final int h)
    {
        if (size == handle.length)
        {
            waitingSince = Arrays.copyOf(waitingSince, size * 2);
            openSeq = Arrays.copyOf(openSeq, size * 2);
            handle = Arrays.copyOf(handle, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!precedes(ws, seq, waitingSince[parent], openSeq[parent]))
            {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, ws, seq, h);
    }

    void pop()
    {
        final int last = --size;
        final long ws = waitingSince[last];
        final long seq = openSeq[last];
        final int h = handle[last];
        int i = 0;
        while (2 * i + 1 < size)
        {
            int child = 2 * i + 1;
            if (child + 1 < size && precedes(waitingSince[child + 1], openSeq[child + 1], waitingSince[child], openSeq[child]))
            {
                child++;
            }
            if (!precedes(waitingSince[child], openSeq[child], ws, seq))
            {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, ws, seq, h);
    }

    private static boolean precedes(final long ws, final long seq, final long otherWs, final long otherSeq)
    {
        return ws < otherWs || ws == otherWs && seq < otherSeq;
    }

    private void move(final int from, final int to)
    {
        set(to, waitingSince[from], openSeq[from], handle[from]);
    }

    private void set(final int at, final long ws, final long seq, final int h)
    {
        waitingSince[at] = ws;
        openSeq[at] = seq;
        handle[at] = h;
    }
}
