package dev.triage.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Real disk blocks kept allocated ahead of a queue's write position. Chronicle grows its files sparse and writes
 * through memory maps: a write into a hole the disk cannot fill (another process filled it) faults, and the JVM
 * throws an {@code InternalError} in the middle of an append, which halts the engine. Writing zeros ahead through a
 * file channel (what {@code posix_fallocate} does where the file system has no fallocate) turns that into an
 * {@code IOException} here, at a batch end, while {@link #AHEAD_BYTES} of allocated room still lie ahead for what is
 * already in the ring; the caller then refuses new changes as the reserve does, and reads go on.
 * <p>
 * Only the bytes past the last document's end are written, and only with zeros, which is what Chronicle expects
 * there; the one thread that appends to the queue is the one that calls this. A new cycle file's first blocks are
 * Chronicle's (it creates the file at the first append after a roll); the free-space reserve covers them. File
 * systems that store zeros as holes (compressing ZFS, btrfs) defeat this; on ext4, xfs and tmpfs it holds.
 */
final class SpaceAhead
{
    /** Kept allocated past the write position: more than a full ring of typical records. */
    static final long AHEAD_BYTES = 16L << 20;
    /** Topped up in steps of this, once less than half of {@link #AHEAD_BYTES} is left: ~0.3 ms of page-cache writes. */
    private static final int STEP = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(STEP);

    private final long aheadBytes;
    private MappedFile file;
    private FileChannel channel;
    private long allocatedTo;
    private long writePosition;

    SpaceAhead()
    {
        this(AHEAD_BYTES);
    }

    SpaceAhead(final long aheadBytes)
    {
        this.aheadBytes = aheadBytes;
    }

    /**
     * Note where an append ended; allocation-free, called after each append on the appending thread.
     *
     * @param bytes the appended document's bytes, positioned at its end.
     */
    void appended(final Bytes<?> bytes)
    {
        if (bytes instanceof MappedBytes mapped)
        {
            final MappedFile current = mapped.mappedFile();
            if (current != file)
            {
                switchTo(current);
            }
            writePosition = bytes.writePosition();
        }
    }

    /**
     * Top up the allocated room if less than half of it is left.
     *
     * @return true when the room ahead is allocated; false when the disk could not hold more (the caller refuses
     * changes and calls again later).
     */
    boolean ensure()
    {
        if (channel == null || allocatedTo - writePosition >= aheadBytes / 2)
        {
            return true;
        }
        try
        {
            allocatedTo = Math.max(allocatedTo, writePosition);
            final long target = writePosition + aheadBytes;
            while (allocatedTo < target)
            {
                final ByteBuffer zeros = ZEROS.duplicate().limit((int)Math.min(STEP, target - allocatedTo));
                while (zeros.hasRemaining())
                {
                    allocatedTo += channel.write(zeros, allocatedTo);
                }
            }
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    private void switchTo(final MappedFile current)
    {
        close();
        file = current;
        try
        {
            channel = FileChannel.open(current.file().toPath(), StandardOpenOption.WRITE);
        }
        catch (final IOException e)
        {
            channel = null;
        }
        allocatedTo = 0;
    }

    void close()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Only our own handle on a file the queue keeps open.
            }
            channel = null;
        }
    }
}
