package dev.triage.engine.snapshot;

import dev.triage.engine.book.BookSnapshot;
import dev.triage.engine.book.TriageBook;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Snapshot files in a directory ({@code snapshot-<sequence>.bin}): the book's state followed by a CRC32C of it.
 * Written to a temporary file, forced to disk and renamed, so a crash never leaves a half snapshot under the real
 * name; the newest few are kept. Loading takes the newest one that reads back whole and consistent.
 */
public final class SnapshotStore
{
    private static final System.Logger LOG = System.getLogger(SnapshotStore.class.getName());
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".bin";
    private static final int KEEP = 3;

    /** What a load found: the book, and the last journal sequence it covers. */
    public record Loaded(TriageBook book, long sequence, Path file)
    {
    }

    private final Path directory;

    /**
     * @param directory created if missing.
     */
    public SnapshotStore(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Write the book's state. Processor thread only (it reads the live state).
     *
     * @param book the book.
     * @return the snapshot file.
     * @throws IOException if it cannot be written; the previous snapshots are untouched.
     */
    public Path write(final TriageBook book) throws IOException
    {
        Files.createDirectories(directory);
        final long sequence = book.lastSequence();
        final Path target = directory.resolve(String.format("%s%020d%s", PREFIX, sequence, SUFFIX));
        final Path temp = directory.resolve(target.getFileName() + ".tmp");
        final CRC32C crc = new CRC32C();
        try (OutputStream file = Files.newOutputStream(temp);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(file, crc), 1 << 16)))
        {
            BookSnapshot.write(book, out);
            out.flush();
            final long checksum = crc.getValue();
            out.writeLong(checksum);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        prune();
        return target;
    }

    /**
     * @param newBook makes an empty book with the engine's settings.
     * @return the newest snapshot that reads back whole, or null when there is none (corrupt ones are reported and
     * skipped).
     */
    public Loaded loadNewest(final Supplier<TriageBook> newBook)
    {
        for (final Path file : snapshotsNewestFirst())
        {
            final TriageBook book = newBook.get();
            final CRC32C crc = new CRC32C();
            try (InputStream raw = Files.newInputStream(file);
                 CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc);
                 DataInputStream in = new DataInputStream(checked))
            {
                BookSnapshot.read(in, book);
                // Taken before the stored checksum passes through the checked stream itself.
                final long computed = crc.getValue();
                final long stored = in.readLong();
                if (computed != stored)
                {
                    throw new IOException("checksum mismatch");
                }
                return new Loaded(book, book.lastSequence(), file);
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.log(System.Logger.Level.WARNING, "snapshot " + file + " is unreadable (" + e.getMessage() + "); trying an older one");
            }
        }
        return null;
    }

    /**
     * @return snapshot files, newest (highest sequence) first.
     */
    public List<Path> snapshotsNewestFirst()
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory))
        {
            final List<Path> list = new ArrayList<>(files
                .filter(p -> p.getFileName().toString().startsWith(PREFIX) && p.getFileName().toString().endsWith(SUFFIX))
                .toList());
            list.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
            return list;
        }
        catch (final IOException e)
        {
            return List.of();
        }
    }

    private void prune() throws IOException
    {
        final List<Path> all = snapshotsNewestFirst();
        for (int i = KEEP; i < all.size(); i++)
        {
            Files.deleteIfExists(all.get(i));
        }
    }
}
