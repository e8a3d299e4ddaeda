package dev.triage.engine.book;

/**
 * How long customers had waited when assigned: log2 buckets split in four, so a percentile's upper bound is within
 * 25% of the truth. Fixed size, no allocation; counts since the journal began. Processor thread only.
 */
public final class WaitHistogram
{
    private static final int BUCKETS = 4 * 64;

    private final long[] counts = new long[BUCKETS];
    private long total;

    /**
     * @param waitedMs a wait, ms.
     * @return its bucket.
     */
    public static int bucket(final long waitedMs)
    {
        if (waitedMs < 4)
        {
            return (int)Math.max(0, waitedMs);
        }
        final int msb = 63 - Long.numberOfLeadingZeros(waitedMs);
        return (msb << 2) | (int)((waitedMs >>> (msb - 2)) & 3);
    }

    /**
     * @param bucket a bucket.
     * @return the largest wait it holds, ms.
     */
    public static long upperBound(final int bucket)
    {
        if (bucket < 4)
        {
            return bucket;
        }
        final int msb = bucket >>> 2;
        final long lower = (4L | (bucket & 3)) << (msb - 2);
        return lower + (1L << (msb - 2)) - 1;
    }

    void record(final long waitedMs)
    {
        counts[bucket(waitedMs)]++;
        total++;
    }

    /**
     * @param quantile 0..1.
     * @return an upper bound of that percentile of waits, ms; 0 when nothing was recorded.
     */
    public long percentileMs(final double quantile)
    {
        if (total == 0)
        {
            return 0;
        }
        final long target = Math.max(1, (long)Math.ceil(quantile * total));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++)
        {
            seen += counts[b];
            if (seen >= target)
            {
                return upperBound(b);
            }
        }
        return upperBound(BUCKETS - 1);
    }

    void write(final java.io.DataOutputStream out) throws java.io.IOException
    {
        for (final long count : counts)
        {
            out.writeLong(count);
        }
    }

    void read(final java.io.DataInputStream in) throws java.io.IOException
    {
        total = 0;
        for (int b = 0; b < BUCKETS; b++)
        {
            counts[b] = in.readLong();
            total += counts[b];
        }
    }
}
