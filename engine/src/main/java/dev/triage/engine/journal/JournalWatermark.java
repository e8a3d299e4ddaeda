package dev.triage.engine.journal;

import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * How far the journal is known to reach: {@code DIR/watermark}, a small memory-mapped file the journal stage updates at
 * the end of every batch, after the batch's appends (and, with fsync durability, after their force), so before any of
 * the batch's replies leave. A start whose journal ends before it lost acknowledged records (a deleted or truncated
 * file) and is refused unless an operator accepts the loss. An update is two stores into the page cache, no system
 * call, so it survives a killed process as the journal does; a clean stop also records that it was clean and forces the
 * file to disk.
 * <p>
 * Layout (little-endian, {@link #BYTES} bytes): magic {@code TRWM}, layout version 1, the last journaled sequence, the
 * highest sequence through the ring (reads take sequences too, so the next start continues above it and the sequence
 * callers see never steps back), and the state: 0 running (or crashed), 1 stopped cleanly.
 */
public final class JournalWatermark implements AutoCloseable
{
    /** The file's name in the journal directory. */
    public static final String FILE = "watermark";
    static final int BYTES = 64;
    private static final int MAGIC = 0x4d575254;
    private static final int LAYOUT = 1;
    private static final int JOURNALED_OFFSET = 8;
    private static final int HIGHEST_OFFSET = 16;
    private static final int STATE_OFFSET = 24;
    private static final int RUNNING = 0;
    private static final int STOPPED = 1;

    /**
     * What a watermark says.
     *
     * @param journaledThrough the last sequence journaled (and so possibly answered), -1 for none.
     * @param highestSequence the highest sequence the ring handed out, -1 for none.
     * @param cleanStop true when the last writer stopped cleanly.
     */
    public record Reading(long journaledThrough, long highestSequence, boolean cleanStop)
    {
        /** No watermark (a new journal, or one written before watermarks). */
        public static final Reading NONE = new Reading(-1, -1, false);
    }

    private final MappedByteBuffer mapped;

    private JournalWatermark(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
    }

    /**
     * @param directory a journal directory.
     * @return what its watermark says, or {@link Reading#NONE} without one. Reads only.
     * @throws JournalFormatException if the file exists but is not a watermark (damaged).
     */
    public static Reading read(final Path directory)
    {
        final Path file = directory.resolve(FILE);
        if (!Files.exists(file))
        {
            return Reading.NONE;
        }
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read the journal watermark " + file, e);
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != BYTES || b.getInt(0) != MAGIC || b.getInt(4) != LAYOUT)
        {
            throw new JournalFormatException("journal watermark " + file + " is damaged (" + bytes.length + " bytes, not a " +
                "watermark of layout " + LAYOUT + "); it records how far the journal reached. Restore it, or delete it to " +
                "start without that check");
        }
        return new Reading(b.getLong(JOURNALED_OFFSET), b.getLong(HIGHEST_OFFSET), b.getInt(STATE_OFFSET) == STOPPED);
    }

    /**
     * Open (creating if missing) the watermark of a directory this process holds the {@link JournalLock} of, and mark
     * it running.
     *
     * @param directory the journal directory.
     * @param start what it should say now: the journal as recovery found it.
     * @return the open watermark.
     */
    public static JournalWatermark open(final Path directory, final Reading start)
    {
        final Path file = directory.resolve(FILE);
        try
        {
            if (!Files.exists(file))
            {
                // Whole or absent: written aside, then moved into place.
                final Path temp = directory.resolve(FILE + ".tmp");
                final ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(0, MAGIC).putInt(4, LAYOUT).putLong(JOURNALED_OFFSET, -1).putLong(HIGHEST_OFFSET, -1);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING))
                {
                    channel.write(b, 0);
                    channel.force(true);
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), FILE, 0, BYTES);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            final JournalWatermark watermark = new JournalWatermark(mapped);
            watermark.advance(start.journaledThrough(), start.highestSequence());
            mapped.putInt(STATE_OFFSET, RUNNING);
            mapped.force();
            return watermark;
        }
        catch (final IOException | RuntimeException e)
        {
            throw new IllegalStateException("cannot open the journal watermark " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * After a batch's appends: the journal reaches {@code journaledThrough}. Journal stage thread only.
     *
     * @param journaledThrough the last sequence journaled.
     * @param highestSequence the highest sequence the ring has handed out so far.
     */
    public void advance(final long journaledThrough, final long highestSequence)
    {
        mapped.putLong(JOURNALED_OFFSET, journaledThrough);
        mapped.putLong(HIGHEST_OFFSET, highestSequence);
    }

    /**
     * @return the last journaled sequence recorded.
     */
    public long journaledThrough()
    {
        return mapped.getLong(JOURNALED_OFFSET);
    }

    /**
     * @return the highest sequence recorded.
     */
    public long highestSequence()
    {
        return mapped.getLong(HIGHEST_OFFSET);
    }

    /**
     * A clean stop, once the journal stage has stopped: say so, and force the file to disk.
     */
    public void stopped()
    {
        mapped.putInt(STATE_OFFSET, STOPPED);
        mapped.force();
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
