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
 * (as rarely) while intake is refused, so an idle engine recovers without any thread polling.
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
        }
        return !low;
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
     * @return true while free space is below the reserve (intake refused).
     */
    public boolean low()
    {
        return low;
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
