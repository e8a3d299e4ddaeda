package dev.triage.engine.book;

import dev.triage.engine.command.BookView;
import dev.triage.engine.ground.SlaBand;
import dev.triage.engine.ground.Urgency;

/**
 * The queue over the last 15 minutes of engine time, in 10-second buckets: open conversations and the oldest wait
 * per urgency, SLA bands, and assignments made. State changes only through commands, so the state a bucket starts
 * with is the state just before the first state-changing command at or after its start; buckets with no command
 * carry the previous state. Engine time only, so a replay of the journal records the same history.
 * <p>
 * In snapshots from format 4 (a book restored from an older one records from the snapshot on). Not in the state
 * hash: it is what the console shows, decisions never read it. Processor thread only.
 */
final class QueueHistory
{
    static final long BUCKET_MS = 10_000;
    static final int BUCKETS = 90;
    private static final int U = Urgency.count();

    private final PriorityIndex index;
    private final long[] startMs = new long[BUCKETS];
    private final long[] open = new long[BUCKETS * U];
    private final long[] oldestSince = new long[BUCKETS * U];
    private final long[] atRisk = new long[BUCKETS];
    private final long[] breached = new long[BUCKETS];
    private final long[] assigned = new long[BUCKETS];
    /** Start of the newest bucket recorded; Long.MIN_VALUE before the first. */
    private long newestMs = Long.MIN_VALUE;
    private long nextBucketMs = Long.MIN_VALUE;

    QueueHistory(final PriorityIndex index)
    {
        this.index = index;
    }

    /**
     * Before a state-changing command at {@code nowMs}: if it opens a new bucket, record the state it starts with.
     * One comparison otherwise.
     */
    void beforeChange(final long nowMs)
    {
        if (nowMs < nextBucketMs)
        {
            return;
        }
        final long bucket = nowMs - Math.floorMod(nowMs, BUCKET_MS);
        final long from = newestMs == Long.MIN_VALUE ? bucket : Math.max(newestMs + BUCKET_MS, bucket - (BUCKETS - 1) * BUCKET_MS);
        for (long b = from; b <= bucket; b += BUCKET_MS)
        {
            record(b);
        }
        newestMs = bucket;
        nextBucketMs = bucket + BUCKET_MS;
    }

    private void record(final long bucketMs)
    {
        final int slot = slot(bucketMs);
        startMs[slot] = bucketMs;
        for (int u = 0; u < U; u++)
        {
            open[slot * U + u] = index.openCount(Urgency.ofLevel(u));
            oldestSince[slot * U + u] = index.oldestWaitingSinceMs(u);
        }
        atRisk[slot] = index.openInSlaBand(SlaBand.AT_RISK);
        breached[slot] = index.openInSlaBand(SlaBand.BREACHED);
        assigned[slot] = 0;
    }

    /** An assignment was made (after {@link #beforeChange} of its command). */
    void onAssigned()
    {
        if (newestMs != Long.MIN_VALUE)
        {
            assigned[slot(newestMs)]++;
        }
    }

    /**
     * Add the recorded buckets within 15 minutes of {@code nowMs}, oldest first, then the state at {@code nowMs} (its
     * assignments are counted in the bucket it falls in, so the last point has none).
     */
    void fill(final BookView view, final long nowMs)
    {
        view.historyBucketMs = BUCKET_MS;
        final long oldestShown = nowMs - BUCKETS * BUCKET_MS;
        for (int i = BUCKETS - 1; i >= 0 && newestMs != Long.MIN_VALUE; i--)
        {
            final long bucket = newestMs - i * BUCKET_MS;
            final int slot = slot(bucket);
            if (bucket > oldestShown && startMs[slot] == bucket)
            {
                final long[] openNow = new long[U];
                final long[] oldestWait = new long[U];
                for (int u = 0; u < U; u++)
                {
                    openNow[u] = open[slot * U + u];
                    oldestWait[u] = waitAt(oldestSince[slot * U + u], bucket);
                }
                view.history.add(new BookView.Point(bucket, openNow, oldestWait, atRisk[slot], breached[slot], assigned[slot]));
            }
        }
        final long[] openNow = new long[U];
        final long[] oldestWait = new long[U];
        for (int u = 0; u < U; u++)
        {
            openNow[u] = index.openCount(Urgency.ofLevel(u));
            oldestWait[u] = waitAt(index.oldestWaitingSinceMs(u), nowMs);
        }
        view.history.add(new BookView.Point(nowMs, openNow, oldestWait, index.openInSlaBand(SlaBand.AT_RISK),
            index.openInSlaBand(SlaBand.BREACHED), 0));
    }

    private static long waitAt(final long since, final long atMs)
    {
        return since == Long.MAX_VALUE ? 0 : Math.max(0, atMs - since);
    }

    private static int slot(final long bucketMs)
    {
        return (int)Math.floorMod(bucketMs / BUCKET_MS, (long)BUCKETS);
    }

    /** The snapshot's history record: the newest bucket, then each recorded bucket oldest first. */
    void write(final java.io.DataOutputStream out) throws java.io.IOException
    {
        out.writeLong(newestMs);
        for (int i = BUCKETS - 1; i >= 0 && newestMs != Long.MIN_VALUE; i--)
        {
            final int slot = slot(newestMs - i * BUCKET_MS);
            out.writeLong(startMs[slot]);
            for (int u = 0; u < U; u++)
            {
                out.writeLong(open[slot * U + u]);
                out.writeLong(oldestSince[slot * U + u]);
            }
            out.writeLong(atRisk[slot]);
            out.writeLong(breached[slot]);
            out.writeLong(assigned[slot]);
        }
    }

    void read(final java.io.DataInputStream in) throws java.io.IOException
    {
        newestMs = in.readLong();
        nextBucketMs = newestMs == Long.MIN_VALUE ? Long.MIN_VALUE : newestMs + BUCKET_MS;
        for (int i = BUCKETS - 1; i >= 0 && newestMs != Long.MIN_VALUE; i--)
        {
            final int slot = slot(newestMs - i * BUCKET_MS);
            startMs[slot] = in.readLong();
            for (int u = 0; u < U; u++)
            {
                open[slot * U + u] = in.readLong();
                oldestSince[slot * U + u] = in.readLong();
            }
            atRisk[slot] = in.readLong();
            breached[slot] = in.readLong();
            assigned[slot] = in.readLong();
        }
    }
}
