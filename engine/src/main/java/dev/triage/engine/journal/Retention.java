package dev.triage.engine.journal;

import dev.triage.engine.snapshot.SnapshotStore;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Journal retention: deletes journal files (whole roll cycles) that ended more than N days ago, but only those wholly
 * before the journal index of the OLDEST kept snapshot, so every kept snapshot can still be replayed forward and no
 * acknowledged command is lost. Before deleting, it records in {@code retention.properties} the sequence through which
 * records may be gone; recovery and the offline tools then start from a snapshot covering at least that sequence.
 */
public final class Retention
{
    /** The marker's name in the journal directory. */
    public static final String FILE = "retention.properties";
    private static final String DELETED_THROUGH = "deletedThroughSequence";
    private static final String SUFFIX = ".cq4";
    private static final long DAY_MS = 86_400_000L;
    private static final System.Logger LOG = System.getLogger(Retention.class.getName());

    private Retention()
    {
    }

    /**
     * @param journalDir a journal directory.
     * @return the sequence through which records may have been deleted by retention, or -1 if none were.
     * @throws IOException if the marker exists but cannot be read.
     */
    public static long deletedThrough(final Path journalDir) throws IOException
    {
        final Path file = journalDir.resolve(FILE);
        if (!Files.exists(file))
        {
            return -1;
        }
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            p.load(in);
        }
        try
        {
            return Long.parseLong(p.getProperty(DELETED_THROUGH));
        }
        catch (final RuntimeException e)
        {
            throw new IOException(file + " is malformed: " + e.getMessage());
        }
    }

    /**
     * Delete the journal files retention allows.
     *
     * @param journal the open journal.
     * @param snapshots its snapshots.
     * @param days files that ended more than this many days before {@code nowMs} may go; 0 keeps everything.
     * @param nowMs the engine's clock.
     * @return the files deleted (none without a snapshot that records its journal index).
     * @throws IOException if the marker cannot be written or a file cannot be deleted.
     */
    public static List<Path> prune(final Journal journal, final SnapshotStore snapshots, final int days, final long nowMs)
        throws IOException
    {
        final SnapshotStore.Coverage oldest = snapshots.oldestCoverage();
        if (days <= 0 || oldest == null || oldest.journalIndex() < 0)
        {
            return List.of();
        }
        final SingleChronicleQueue queue = journal.queue();
        final RollCycle rollCycle = queue.rollCycle();
        final int coveredCycle = rollCycle.toCycle(oldest.journalIndex());
        final long cutoffMs = nowMs - days * DAY_MS;
        final Path dir = journal.directory();
        final RollingResourcesCache names = new RollingResourcesCache(rollCycle, rollCycle.defaultEpoch(),
            name -> new File(dir.toFile(), name + SUFFIX), file -> file.getName().substring(0, file.getName().length() - SUFFIX.length()));
        final List<Path> doomed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))::iterator)
            {
                final long cycle;
                try
                {
                    cycle = names.toLong(file.toFile());
                }
                catch (final RuntimeException e)
                {
                    continue; // not a cycle file of this roll: never ours to delete
                }
                final long endMs = names.resourceFor(cycle).millis + rollCycle.lengthInMillis();
                if (cycle < coveredCycle && endMs <= cutoffMs)
                {
                    doomed.add(file);
                }
            }
        }
        if (doomed.isEmpty())
        {
            return doomed;
        }
        // The marker first: a crash between it and the deletions leaves files that are merely no longer needed.
        writeMarker(dir, Math.max(deletedThrough(dir), oldest.sequence()));
        for (final Path file : doomed)
        {
            Files.deleteIfExists(file);
        }
        queue.refreshDirectoryListing();
        LOG.log(System.Logger.Level.INFO, "retention deleted " + doomed.size() + " journal file(s) older than " + days +
            " day(s), all covered by snapshot " + oldest.file().getFileName());
        return doomed;
    }

    private static void writeMarker(final Path dir, final long deletedThrough) throws IOException
    {
        final Properties p = new Properties();
        p.setProperty(DELETED_THROUGH, Long.toString(deletedThrough));
        final Path temp = dir.resolve(FILE + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8))
        {
            p.store(out, "Journal records through this sequence may have been deleted by retention; " +
                "replays start from a snapshot covering at least it.");
        }
        Files.move(temp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
