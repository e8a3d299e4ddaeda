package dev.triage.engine.book;

import java.util.Arrays;

/**
 * Min-heap of (waiting since, handle) with lazy deletion; 12 bytes an entry.
 */
final class AgeHeap
{
    long[] waitingSince = new long[64];
    int[] handle = new int[64];
    int size;

    void push(final long ws, final int h)
    {
        if (size == handle.length)
        {
            waitingSince = Arrays.copyOf(waitingSince, size * 2);
            handle = Arrays.copyOf(handle, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (waitingSince[parent] <= ws)
            {
                break;
            }
            waitingSince[i] = waitingSince[parent];
            handle[i] = handle[parent];
            i = parent;
        }
        waitingSince[i] = ws;
        handle[i] = h;
    }

    void pop()
    {
        final int last = --size;
        final long ws = waitingSince[last];
        final int h = handle[last];
        int i = 0;
        while (2 * i + 1 < size)
        {
            int child = 2 * i + 1;
            if (child + 1 < size && waitingSince[child + 1] < waitingSince[child])
            {
                child++;
            }
            if (waitingSince[child] >= ws)
            {
                break;
            }
            waitingSince[i] = waitingSince[child];
            handle[i] = handle[child];
            i = child;
        }
        waitingSince[i] = ws;
        handle[i] = h;
    }
}
