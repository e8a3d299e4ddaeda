package dev.triage.engine.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The one writer of a journal directory: an exclusive lock on {@code DIR/writer.lock}, held from before anything in the
 * directory is written until the engine closes. Two servers appending to one queue interleave their sequences and
 * destroy it, so a second one is refused, naming the holder's process id. The operating system lets go of the lock when
 * its process dies (kill -9 included), so a crash never leaves a directory locked. Read-only tools take no lock.
 */
public final class JournalLock implements AutoCloseable
{
    /** The lock file's name in the journal directory; it holds the writer's process id, for the message above. */
    public static final String FILE = "writer.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param directory the journal directory; created if missing.
     * @return the held lock.
     * @throws IllegalStateException naming the holder when another engine writes the directory.
     * @throws UncheckedIOException if the lock file cannot be opened.
     */
    public static JournalLock acquire(final Path directory)
    {
        final Path file = directory.resolve(FILE);
        FileChannel channel = null;
        try
        {
            Files.createDirectories(directory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException sameProcess)
            {
                lock = null;
            }
            if (lock == null)
            {
                final String holder = holder(channel);
                channel.close();
                throw new IllegalStateException("journal " + directory.toAbsolutePath().normalize() + " is in use by another " +
                    "server (" + holder + "): one server per journal. Stop that one first, or give this one its own --journal " +
                    "(read-only tools such as replay, audit and whatif work beside a running server)");
            }
            final byte[] text = ("pid " + ProcessHandle.current().pid() + ", since " + Instant.now() + "\n")
                .getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text), 0);
            return new JournalLock(channel, lock);
        }
        catch (final IOException e)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock journal " + file, e);
        }
    }

    /** What the holder wrote into the file: its process id and start time. */
    private static String holder(final FileChannel channel) throws IOException
    {
        final ByteBuffer text = ByteBuffer.allocate(256);
        channel.read(text, 0);
        final String written = new String(text.array(), 0, text.position(), StandardCharsets.UTF_8).trim();
        return written.isEmpty() ? "a process that has not yet written its id" : written;
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Already failing with the cause that matters.
            }
        }
    }

    /**
     * Let the directory go. The file stays (removing it would race with a writer that just opened it).
     */
    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot release the journal lock", e);
        }
    }
}
