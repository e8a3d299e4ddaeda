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
 * Snapshot files in a directory ({@code snapshot-<sequence>.bin}): a header with the journal index of the last record
 * the snapshot covers, the book's state, and a CRC32C of both. Written to a temporary file, forced to disk and renamed,
 * so a crash never leaves a half snapshot under the real name; the newest few are kept. Loading takes the newest one
 * that reads back whole and consistent. Files without the header (written before it existed) load with an unknown
 * index: their replay reads the journal from its start.
 */
public final class SnapshotStore
{
    private static final System.Logger LOG = System.getLogger(SnapshotStore.class.getName());
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".bin";
    private static final int KEEP = 3;
    /** "TRSH": the header before the book's state. */
    private static final int HEADER_MAGIC = 0x54525348;

    /**
     * What a load found.
     *
     * @param book the restored book.
     * @param sequence the last journal sequence it covers.
     * @param journalIndex the journal index of a record at or before that sequence to replay from, or -1 (from the start).
     * @param file where it was read.
     */
    public record Loaded(TriageBook book, long sequence, long journalIndex, Path file)
    {
    }

    /**
     * What a snapshot file covers, from its header alone.
     *
     * @param sequence the last journal sequence it covers.
     * @param journalIndex the journal index to replay from, or -1 (unknown).
     * @param file the file.
     */
    public record Coverage(long sequence, long journalIndex, Path file)
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
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Write the book's state. Processor thread only (it reads the live state).
     *
     * @param book the book.
     * @param journalIndex the journal index of the record with the book's last sequence (or an earlier one), -1 if
     * unknown.
     * @return the snapshot file.
     * @throws IOException if it cannot be written; the previous snapshots are untouched.
     */
    public Path write(final TriageBook book, final long journalIndex) throws IOException
    {
        Files.createDirectories(directory);
        final long sequence = book.lastSequence();
        final Path target = directory.resolve(String.format("%s%020d%s", PREFIX, sequence, SUFFIX));
        final Path temp = directory.resolve(target.getFileName() + ".tmp");
        try
        {
            writeTemporary(book, journalIndex, temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException | RuntimeException e)
        {
            // A full disk or a failed write must not leave a half-written file behind to fill the disk further.
            Files.deleteIfExists(temp);
            throw e;
        }
        prune();
        removeTemporaryFiles();
        return target;
    }

    private static void writeTemporary(final TriageBook book, final long journalIndex, final Path temp) throws IOException
    {
        final CRC32C crc = new CRC32C();
        try (OutputStream file = Files.newOutputStream(temp);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(file, crc), 1 << 16)))
        {
            out.writeInt(HEADER_MAGIC);
            out.writeLong(journalIndex);
            BookSnapshot.write(book, out);
            out.flush();
            final long checksum = crc.getValue();
            out.writeLong(checksum);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    /**
     * Delete the temporary files of snapshots that never completed (a crash mid-write). Only the engine that owns the
     * directory calls this: at start, and after each snapshot it writes.
     *
     * @return how many were deleted.
     */
    public int removeTemporaryFiles()
    {
        if (!Files.isDirectory(directory))
        {
            return 0;
        }
        int removed = 0;
        try (java.util.stream.Stream<Path> files = Files.list(directory))
        {
            for (final Path p : (Iterable<Path>)files.filter(SnapshotStore::isTemporary)::iterator)
            {
                Files.deleteIfExists(p);
                removed++;
            }
        }
        catch (final IOException e)
        {
            LOG.log(System.Logger.Level.WARNING, "could not remove unfinished snapshot files in " + directory + ": " + e);
        }
        return removed;
    }

    private static boolean isTemporary(final Path p)
    {
        final String name = p.getFileName().toString();
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX + ".tmp");
    }

    /**
     * @param newBook makes an empty book with the engine's settings.
     * @return the newest snapshot that reads back whole, or null when there is none (corrupt ones are reported and
     * skipped).
     */
    public Loaded loadNewest(final Supplier<TriageBook> newBook)
    {
        return loadFirstReadable(snapshotsNewestFirst(), Long.MIN_VALUE, newBook);
    }

    /**
     * @param maxSequence the highest sequence a usable snapshot may cover (the journal's end, after an accepted loss).
     * @param newBook makes an empty book with the engine's settings.
     * @return the newest readable snapshot covering at most {@code maxSequence}, or null.
     */
    public Loaded loadNewestAtOrBefore(final long maxSequence, final Supplier<TriageBook> newBook)
    {
        final List<Path> files = new ArrayList<>(snapshotsNewestFirst());
        files.removeIf(f -> sequenceOf(f) > maxSequence);
        return loadFirstReadable(files, Long.MIN_VALUE, newBook);
    }

    /**
     * @param minSequence the least sequence a usable snapshot covers.
     * @param newBook makes an empty book with the engine's settings.
     * @return the oldest snapshot covering at least {@code minSequence} that reads back whole, or null.
     */
    public Loaded loadOldestFrom(final long minSequence, final Supplier<TriageBook> newBook)
    {
        final List<Path> oldestFirst = new ArrayList<>(snapshotsNewestFirst());
        java.util.Collections.reverse(oldestFirst);
        return loadFirstReadable(oldestFirst, minSequence, newBook);
    }

    private static Loaded loadFirstReadable(final List<Path> files, final long minSequence, final Supplier<TriageBook> newBook)
    {
        for (final Path file : files)
        {
            if (sequenceOf(file) < minSequence)
            {
                continue;
            }
            final TriageBook book = newBook.get();
            final CRC32C crc = new CRC32C();
            try (InputStream raw = Files.newInputStream(file);
                 CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc);
                 DataInputStream in = new DataInputStream(checked))
            {
                in.mark(Integer.BYTES);
                final long journalIndex;
                if (in.readInt() == HEADER_MAGIC)
                {
                    journalIndex = in.readLong();
                }
                else
                {
                    in.reset();
                    journalIndex = -1;
                }
                BookSnapshot.read(in, book);
                // Taken before the stored checksum passes through the checked stream itself.
                final long computed = crc.getValue();
                final long stored = in.readLong();
                if (computed != stored)
                {
                    throw new IOException("checksum mismatch");
                }
                return new Loaded(book, book.lastSequence(), journalIndex, file);
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.log(System.Logger.Level.WARNING, "snapshot " + file + " is unreadable (" + e.getMessage() + "); trying another one");
            }
        }
        return null;
    }

    /**
     * The oldest kept snapshot's header: retention deletes only journal files wholly before it, so every kept snapshot
     * stays usable.
     *
     * @return what the oldest snapshot covers, or null if there is none or its header does not read.
     */
    public Coverage oldestCoverage()
    {
        final List<Path> all = snapshotsNewestFirst();
        if (all.isEmpty())
        {
            return null;
        }
        final Path oldest = all.get(all.size() - 1);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(oldest), 64)))
        {
            return in.readInt() == HEADER_MAGIC ? new Coverage(sequenceOf(oldest), in.readLong(), oldest) : null;
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    private static long sequenceOf(final Path file)
    {
        final String name = file.getFileName().toString();
        try
        {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException e)
        {
            return Long.MIN_VALUE;
        }
    }

    /**
     * @return the size of the newest snapshot file, 0 without one: what the next one will about need.
     */
    public long newestSizeBytes()
    {
        final List<Path> all = snapshotsNewestFirst();
        try
        {
            return all.isEmpty() ? 0 : Files.size(all.get(0));
        }
        catch (final IOException e)
        {
            return 0;
        }
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
