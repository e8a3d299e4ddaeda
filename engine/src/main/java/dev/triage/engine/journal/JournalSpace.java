package dev.triage.engine.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * Free space on the journal's disk, against a reserve. Chronicle writes through memory-mapped files: on a full disk
 * a write faults and the JVM dies mid-append ("a fault occurred in a recent unsafe memory access"). So the engine
 * refuses to start below the reserve, and while running refuses new state-changing commands once free space falls
 * below it; the reserve absorbs what is already in the ring. Intake resumes by itself when space is freed.
 * <p>
 * Checked by the journal stage at the end of a batch at most every {@link #CHECK_INTERVAL_NS}, and by publishers
 * (as rarely) while intake is refused, so an idle engine recovers without any thread polling. Another process can
 * fill the disk between two checks: the queues' {@link SpaceAhead} then fails to allocate its room, which refuses
 * intake the same way before a write can meet a hole the disk cannot fill.
 */
public final class JournalSpace
{
    /** How stale the figure may get. A statfs call costs a microsecond or two. */
    static final long CHECK_INTERVAL_NS = 100_000_000L;

    private final Path directory;
    private final long reserveBytes;
    private final ToLongFunction<Path> probe;
    private volatile long freeBytes;
    private volatile boolean low;
    private volatile long checkedAtNs;
    /** The queues (a bit each) whose room allocated ahead of their writes could not be topped up ({@link SpaceAhead}). */
    private final java.util.concurrent.atomic.AtomicInteger aheadFailed = new java.util.concurrent.atomic.AtomicInteger();
    /** A bit for the journal's room ahead. */
    static final int JOURNAL = 1;
    /** A bit for the decision log's room ahead. */
    static final int DECISIONS = 2;

    /**
     * @param directory the journal directory.
     * @param reserveBytes the least free space intake needs.
     * @param probe usable bytes on the disk holding a path ({@link #usableSpace} unless a test injects one).
     */
    public JournalSpace(final Path directory, final long reserveBytes, final ToLongFunction<Path> probe)
    {
        this.directory = directory;
        this.reserveBytes = reserveBytes;
        this.probe = probe;
        checkedAtNs = System.nanoTime();
        freeBytes = probe.applyAsLong(directory);
        low = freeBytes < reserveBytes;
    }

    /**
     * @param path a path on the disk.
     * @return usable bytes there, or 0 when the disk cannot be asked.
     */
    public static long usableSpace(final Path path)
    {
        try
        {
            return Files.getFileStore(path).getUsableSpace();
        }
        catch (final IOException e)
        {
            return 0;
        }
    }

    /**
     * Refuse to start on a disk without the reserve.
     *
     * @throws IllegalStateException in one line naming the directory, what is free and what is needed.
     */
    public void requireReserve()
    {
        check(System.nanoTime());
        if (low)
        {
            throw new IllegalStateException(problem() + "; free space there or start with another --journal");
        }
    }

    /**
     * Re-read the free space if the figure is older than the check interval. Any thread.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return true while intake may go on.
     */
    public boolean checkAtMostEveryInterval(final long nowNs)
    {
        if (nowNs - checkedAtNs >= CHECK_INTERVAL_NS)
        {
            check(nowNs);
            // While the room ahead is short, one change an interval goes through: its batch end tries the room again.
            return !low;
        }
        return !low && aheadFailed.get() == 0;
    }

    /**
     * A queue could not allocate its room ahead (the disk is full, whatever the last probe said): refuse changes
     * until it can. The thread that appends to that queue.
     *
     * @param queue {@link #JOURNAL} or {@link #DECISIONS}.
     */
    void aheadFailed(final int queue)
    {
        if ((aheadFailed.getAndUpdate(f -> f | queue) & queue) == 0)
        {
            System.getLogger(JournalSpace.class.getName()).log(System.Logger.Level.ERROR, "journal " + directory + ": the " +
                (queue == JOURNAL ? "journal" : "decision log") + " could not allocate its next " + (SpaceAhead.AHEAD_BYTES >> 20) +
                " MB on disk (the disk is full): state-changing commands are refused until space is freed; reads go on");
        }
    }

    /**
     * The queue's room ahead is allocated again.
     *
     * @param queue {@link #JOURNAL} or {@link #DECISIONS}.
     */
    void aheadHeld(final int queue)
    {
        if ((aheadFailed.get() & queue) != 0 && (aheadFailed.getAndUpdate(f -> f & ~queue) & queue) != 0)
        {
            System.getLogger(JournalSpace.class.getName()).log(System.Logger.Level.WARNING, "journal " + directory + ": the " +
                (queue == JOURNAL ? "journal" : "decision log") + " has its room on disk again" +
                (aheadFailed.get() == 0 && !low ? "; intake resumed" : ""));
        }
    }

    private void check(final long nowNs)
    {
        checkedAtNs = nowNs;
        final long free = probe.applyAsLong(directory);
        freeBytes = free;
        final boolean wasLow = low;
        low = free < reserveBytes;
        if (low != wasLow)
        {
            System.getLogger(JournalSpace.class.getName()).log(low ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                low ? problem() + ": state-changing commands are refused until space is freed" :
                    "journal " + directory + ": " + free + " bytes free again; intake resumed");
        }
    }

    /**
     * Whether a file of about {@code bytes} may be written beside the journal (a snapshot) without eating into the
     * reserve, which is the journal's. Probes the disk now. Any thread.
     *
     * @param bytes the file's expected size.
     * @param what the file, for the message.
     * @return null when it fits, else why not, for a person.
     */
    public String refuseToWrite(final long bytes, final String what)
    {
        final long free = probe.applyAsLong(directory);
        if (free - bytes >= reserveBytes)
        {
            return null;
        }
        return what + " refused: it needs about " + mb(bytes) + " and " + directory.toAbsolutePath().normalize() + "'s disk has " +
            mb(free) + " free, which would leave less than the journal's reserve of " + mb(reserveBytes) +
            " (--journal-reserve-mb); free space, or delete old snapshots";
    }

    private static String mb(final long bytes)
    {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /**
     * @return true while free space is below the reserve (intake refused).
     */
    public boolean low()
    {
        return low || aheadFailed.get() != 0;
    }

    /**
     * @return usable bytes on the journal's disk at the last check.
     */
    public long freeBytes()
    {
        return freeBytes;
    }

    /**
     * @return the reserve.
     */
    public long reserveBytes()
    {
        return reserveBytes;
    }

    /**
     * @return what is wrong, for a person: the directory, the free bytes and the bytes needed.
     */
    public String problem()
    {
        return "journal " + directory.toAbsolutePath().normalize() + ": " + freeBytes + " bytes free on its disk, " + reserveBytes +
            " needed (--journal-reserve-mb)";
    }
}
