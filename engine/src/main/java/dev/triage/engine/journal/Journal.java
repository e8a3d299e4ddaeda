package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The command journal: a Chronicle Queue directory, one file per roll cycle (hourly unless configured). Appends come
 * from the {@link JournalHandler} stage; {@link #replay} reads every record back in order, {@link #replayAfter} seeks
 * to a snapshot's index first.
 */
public final class Journal implements AutoCloseable
{
    static
    {
        ChronicleDefaults.apply();
    }

    /**
     * What a replay found.
     *
     * @param commands commands applied.
     * @param lastSequence the last sequence in the journal (or the snapshot's, if higher).
     * @param nanos time taken.
     * @param quarantined quarantined records skipped.
     * @param read records read and checked (from the seek point on).
     * @param journalLast the sequence of the journal's last readable record, -1 when none was read: unlike
     * {@code lastSequence}, never the snapshot's.
     * @param linked records whose link to the record before them was checked.
     */
    public record ReplayResult(long commands, long lastSequence, long nanos, long quarantined, long read, long journalLast,
        long linked)
    {
        /**
         * @return an empty result (no journal).
         */
        public static ReplayResult none()
        {
            return new ReplayResult(0, -1, 0, 0, 0, -1, 0);
        }

        /**
         * @return commands per second.
         */
        public double rate()
        {
            return nanos == 0 ? 0 : commands * 1e9 / nanos;
        }
    }

    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    /** A snapshot's place in the journal is gone: the files holding it were deleted or replaced. */
    static final class SnapshotIndexMissing extends JournalFormatException
    {
        private static final long serialVersionUID = 1L;

        SnapshotIndexMissing(final String message)
        {
            super(message);
        }
    }

    private final Path directory;
    private final SingleChronicleQueue queue;

    private final boolean forced;
    private final boolean readOnly;

    /**
     * Open a journal with the roll recorded beside it (tools; appends reach the page cache only).
     *
     * @param directory created if missing.
     * @throws java.io.UncheckedIOException if the recorded settings cannot be read.
     */
    public Journal(final Path directory)
    {
        this(directory, false, recordedRoll(directory), System::currentTimeMillis, false);
    }

    /**
     * Open a journal only to read it (offline tools): nothing is written into its directory, and a live server
     * appending to it is not disturbed.
     *
     * @param directory an existing journal directory.
     * @return the journal, read-only.
     */
    public static Journal readOnly(final Path directory)
    {
        return new Journal(directory, false, recordedRoll(directory), System::currentTimeMillis, true);
    }

    /**
     * @param directory created if missing.
     * @param forced true to allow {@link JournalHandler} to msync appends to disk (Chronicle's SyncMode.SYNC).
     * @param roll how often a new file starts.
     * @param time the clock that decides which file an append goes to (the engine's clock).
     */
    public Journal(final Path directory, final boolean forced, final JournalRoll roll, final TimeProvider time)
    {
        this(directory, forced, roll, time, false);
    }

    private Journal(final Path directory, final boolean forced, final JournalRoll roll, final TimeProvider time, final boolean readOnly)
    {
        this.directory = directory;
        this.forced = forced;
        this.readOnly = readOnly;
        queue = SingleChronicleQueueBuilder.binary(directory).rollCycle(roll.rollCycle()).timeProvider(time)
            .syncMode(forced ? SyncMode.SYNC : SyncMode.NONE).readOnly(readOnly).build();
    }

    private static JournalRoll recordedRoll(final Path directory)
    {
        try
        {
            return JournalSettings.rollOf(directory);
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    boolean forced()
    {
        return forced;
    }

    /**
     * Read every record from the start, in order.
     *
     * @param apply receives each command (reused between calls; reply null).
     * @return counts and the last sequence, or -1 when empty.
     * @throws JournalFormatException naming the record index that cannot be read.
     */
    public ReplayResult replay(final Consumer<Command> apply)
    {
        return replayAfter(-1, -1, apply);
    }

    /**
     * Read the records from a snapshot's journal index on, applying those after its sequence.
     *
     * @param afterSequence records with this sequence or lower are read and checked but not applied.
     * @param seekIndex the index of a record whose sequence is at most {@code afterSequence} to start reading at, or
     * -1 to read from the first record.
     * @param apply receives each later command (reused between calls; reply null).
     * @return how many were applied, and the last sequence in the journal (or {@code afterSequence}).
     * @throws JournalFormatException naming the record index that cannot be read, or a seek index not in the journal.
     */
    public ReplayResult replayAfter(final long afterSequence, final long seekIndex, final Consumer<Command> apply)
    {
        final long start = System.nanoTime();
        final Cursor cursor = new Cursor(afterSequence, apply, Quarantine.load(directory), seekIndex < 0 ? deletedThrough() : -2);
        try (ExcerptTailer tailer = queue.createTailer())
        {
            if (seekIndex >= 0 && !tailer.moveToIndex(seekIndex))
            {
                throw new SnapshotIndexMissing("journal " + directory + " has no record at index 0x" + Long.toHexString(seekIndex) +
                    ", where the snapshot says its sequence " + afterSequence + " is; its files are missing or were replaced");
            }
            while (true)
            {
                final boolean present;
                try (DocumentContext dc = tailer.readingDocument(true))
                {
                    present = dc.isPresent();
                    if (present)
                    {
                        cursor.onDocument(dc);
                    }
                }
                if (cursor.problem != null)
                {
                    onUnreadable(cursor);
                    break;
                }
                if (!present && !recordsBeyond(cursor.lastFile, cursor.lastEnd, tailer))
                {
                    break;
                }
            }
        }
        return new ReplayResult(cursor.applied, Math.max(cursor.lastSequence, afterSequence), System.nanoTime() - start,
            cursor.skipped, cursor.read, cursor.lastSequence, cursor.linked);
    }

    /** The sequence through which retention deleted records, -1 for none. */
    private long deletedThrough()
    {
        try
        {
            return Retention.deletedThrough(directory);
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A record that does not decode. With any record after it, later records were decided with it applied and only a
     * person can judge: refuse. As the very last one (a crash mid-write, or rot since), start with all before it.
     */
    private void onUnreadable(final Cursor cursor)
    {
        final String where = "journal " + directory + ": record " + cursor.read + " at index 0x" + Long.toHexString(cursor.problemIndex);
        final JournalScan.Found after = firstRecordBeyond(cursor.lastFile, cursor.lastEnd);
        if (after != null)
        {
            throw new JournalFormatException(where + " cannot be read (" + cursor.problem + "); records before it are intact, " +
                "records after it exist (the next readable one has sequence " + after.sequence() + "), so nothing is started " +
                "on a guess");
        }
        if (readOnly)
        {
            LOG.log(System.Logger.Level.WARNING, where + " cannot be read (" + cursor.problem + "): it is the last record; " +
                "skipped (a read-only reader records no quarantine)");
        }
        else
        {
            cursor.quarantine.add(cursor.problemIndex, cursor.problem);
            LOG.log(System.Logger.Level.WARNING, where + " cannot be read (" + cursor.problem + "): it is the last record, so " +
                "it is quarantined in " + Quarantine.FILE + " and recovery continues with every record before it");
        }
        cursor.skipped++;
    }

    /** One replay's progress through the documents Chronicle presents, records and its own metadata alike. */
    private final class Cursor
    {
        private final long afterSequence;
        private final Consumer<Command> apply;
        private final Quarantine quarantine;
        /**
         * The first record read from the journal's start follows nothing (-1) or a record retention deleted, at most
         * this; -2 when reading starts at a snapshot's index, where the record before is not known.
         */
        private final long firstMayFollow;
        private final Command command = new Command();
        private long applied;
        private long read;
        private long skipped;
        private long linked;
        private long lastSequence = -1;
        private long lastIndex = -1;
        /** Where the last document read ended: a scan for what lies beyond starts there. */
        private Path lastFile;
        private long lastEnd = -1;
        private long problemIndex = -1;
        private String problem;

        Cursor(final long afterSequence, final Consumer<Command> apply, final Quarantine quarantine, final long firstMayFollow)
        {
            this.afterSequence = afterSequence;
            this.apply = apply;
            this.quarantine = quarantine;
            this.firstMayFollow = firstMayFollow;
        }

        void onDocument(final DocumentContext dc)
        {
            final net.openhft.chronicle.bytes.Bytes<?> bytes = dc.wire().bytes();
            lastFile = fileOf(bytes);
            lastEnd = bytes.readLimit();
            if (dc.isMetaData())
            {
                refuseHiddenRecord(bytes, lastFile, command);
                return;
            }
            if (quarantine.contains(dc.index()))
            {
                skipped++;
                return;
            }
            final long payloadStart = bytes.readPosition();
            try
            {
                CommandCodec.decode(bytes, command);
            }
            catch (final RuntimeException e)
            {
                problemIndex = dc.index();
                problem = e.getMessage();
                // A damaged length must not carry the scan past the records that may follow it.
                lastEnd = payloadStart;
                return;
            }
            if (command.sequence <= lastSequence)
            {
                throw new JournalFormatException("journal " + directory + ": sequence " + command.sequence +
                    " after " + lastSequence + " at index 0x" + Long.toHexString(dc.index()));
            }
            checkLink(this, dc.index());
            lastSequence = command.sequence;
            lastIndex = dc.index();
            read++;
            if (command.sequence > afterSequence)
            {
                apply.accept(command);
                applied++;
            }
        }
    }

    /**
     * Chronicle moves from one file to the next that exists: a deleted file in the middle (or at the start) leaves no
     * trace but the link of the first record after it, which names a record this reader never saw.
     */
    private void checkLink(final Cursor c, final long index)
    {
        final long previous = c.command.previousSequence;
        if (previous == CommandCodec.UNLINKED)
        {
            return;
        }
        if (c.read > 0 || c.skipped > 0)
        {
            if (previous != c.lastSequence)
            {
                throw new JournalFormatException("journal " + directory + " has a gap: the record with sequence " +
                    c.command.sequence + " (index 0x" + Long.toHexString(index) + ", " + fileName(c.lastFile) + ") follows " +
                    "sequence " + previous + ", but the record read before it is sequence " + c.lastSequence + " (index 0x" +
                    Long.toHexString(c.lastIndex) + "): the records after " + c.lastSequence + " through " + previous +
                    " are missing, as a deleted, truncated or replaced journal file leaves them. Nothing is started on a " +
                    "guess: restore the file, or move the journal aside to start empty");
            }
            c.linked++;
        }
        else if (c.firstMayFollow > -2 && previous > c.firstMayFollow)
        {
            throw new JournalFormatException("journal " + directory + " starts with the record with sequence " +
                c.command.sequence + " (index 0x" + Long.toHexString(index) + ", " + fileName(c.lastFile) + "), which " +
                "follows sequence " + previous + ", but no file holds that one" + (c.firstMayFollow < 0 ?
                " and retention deleted nothing (" + Retention.FILE + " records no deletion)" :
                " and retention deleted only the records through " + c.firstMayFollow) + ": the journal's first files were " +
                "deleted or replaced. Nothing is started on a guess: restore them, or move the journal aside to start empty");
        }
    }

    private static String fileName(final Path file)
    {
        return file == null ? "its first file" : "file " + file.getFileName();
    }

    /**
     * Chronicle's reader found nothing more. If a record can still be found beyond the last document read, either a
     * writer appended it since (a tool reading a live journal: read on) or a damaged header hides it: refuse.
     *
     * @return true to read on.
     */
    private boolean recordsBeyond(final Path lastFile, final long lastEnd, final ExcerptTailer tailer)
    {
        JournalScan.Found found = firstRecordBeyond(lastFile, lastEnd);
        if (found != null && lastFile != null && found.file().equals(lastFile) && found.offset() == alignedHeader(lastEnd))
        {
            // The record right where reading stopped, whole but with a header never marked complete: a crash mid-write.
            // It was never answered; it may be let go only if nothing follows it.
            final JournalScan.Found torn = found;
            found = firstRecordBeyond(lastFile, torn.offset() + 4);
            if (found == null)
            {
                LOG.log(System.Logger.Level.WARNING, "journal " + directory + ": the last record (sequence " + torn.sequence() +
                    ", offset " + torn.offset() + " of " + lastFile.getFileName() + ") was never completed, as a crash " +
                    "mid-write leaves it; it was never answered and is not replayed");
                return false;
            }
        }
        if (found == null)
        {
            return false;
        }
        try (DocumentContext retry = tailer.readingDocument(true))
        {
            if (retry.isPresent())
            {
                retry.rollbackOnClose();
                return true;
            }
        }
        throw new JournalFormatException("journal " + directory + ": reading stopped at offset " + Math.max(0, lastEnd) + " of " +
            (lastFile == null ? "its first file" : lastFile.getFileName()) + " (an unreadable record header: zeroed, marked " +
            "incomplete or of a damaged length), but records follow it: the next readable one is at offset " + found.offset() +
            " of " + found.file().getFileName() + " with sequence " + found.sequence() + ". Nothing is started on a guess: " +
            "restore the file, or move the journal aside to start empty");
    }

    /** Chronicle starts each document header on a 4-byte boundary. */
    private static long alignedHeader(final long position)
    {
        return (position + 3) & ~3L;
    }

    /** The first decodable record after {@code lastEnd} in {@code lastFile}, or in any later file. */
    private JournalScan.Found firstRecordBeyond(final Path lastFile, final long lastEnd)
    {
        return JournalScan.firstRecordBeyond(directory, lastFile, lastEnd, JournalScan.Shape.COMMANDS);
    }

    /** Chronicle skips metadata: a record of ours flagged as metadata (a flipped header bit) would vanish silently. */
    private void refuseHiddenRecord(final net.openhft.chronicle.bytes.Bytes<?> bytes, final Path file, final Command scratch)
    {
        if (bytes.readRemaining() < CommandCodec.MIN_RECORD_BYTES || !CommandCodec.readable(bytes.readByte(bytes.readPosition())))
        {
            return;
        }
        final long position = bytes.readPosition();
        final long limit = bytes.readLimit();
        try
        {
            CommandCodec.decode(bytes, scratch);
        }
        catch (final RuntimeException notOurs)
        {
            return;
        }
        finally
        {
            bytes.readPosition(position);
            bytes.readLimit(limit);
        }
        throw new JournalFormatException("journal " + directory + ": the record with sequence " + scratch.sequence + " at offset " +
            (position - 4) + " of " + file.getFileName() + " is marked as metadata (a damaged header), so every reader would skip " +
            "it. Nothing is started on a guess: restore the file");
    }

    private static Path fileOf(final net.openhft.chronicle.bytes.Bytes<?> bytes)
    {
        return JournalScan.fileOf(bytes);
    }

    /**
     * Where a snapshot's replay can start: the index of the last record whose sequence is at most {@code sequence}.
     * A search over files and indices (a few dozen reads), so a snapshot can record it while the processor waits.
     *
     * @param sequence a sequence the journal has passed.
     * @return the index, or -1 if no record is at or before it (or the journal cannot be searched: replay reads all).
     */
    public long indexAtOrBefore(final long sequence)
    {
        final Command scratch = new Command();
        final RollCycle rollCycle = queue.rollCycle();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            final int first = queue.firstCycle();
            final int last = queue.lastCycle();
            if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE)
            {
                return -1;
            }
            // The last file whose first record is at or before the sequence: bisect the files (each probe maps one).
            final long[] cycles = queue.listCyclesBetween(first, last).stream().mapToLong(Long::longValue).toArray();
            final int file = (int)lastHolding(-1, cycles.length,
                i -> atOrBefore(sequenceAt(tailer, rollCycle.toIndex((int)cycles[(int)i], 0), scratch), sequence));
            if (file >= 0)
            {
                final long base = rollCycle.toIndex((int)cycles[file], 0);
                final java.util.function.LongPredicate holds = i -> atOrBefore(sequenceAt(tailer, base + i, scratch), sequence);
                // Sequences rise with the index inside a file: gallop to a record past it (or the file's end), then bisect.
                long good = 0;
                long step = 1;
                while (holds.test(good + step))
                {
                    good += step;
                    step <<= 1;
                }
                return base + lastHolding(good, good + step, holds);
            }
            return -1;
        }
        catch (final RuntimeException e)
        {
            LOG.log(System.Logger.Level.WARNING, "journal " + directory + " could not be searched for sequence " + sequence +
                " (" + e.getMessage() + "); a replay from this snapshot will read the journal from its start");
            return -1;
        }
    }

    /**
     * Bisection: the last position in [good, bad) where {@code holds} is true, given it holds at {@code good} (or good
     * is -1, before the range) and not at {@code bad}, and holds at most up to some point.
     */
    private static long lastHolding(final long good, final long bad, final java.util.function.LongPredicate holds)
    {
        long lo = good;
        long hi = bad;
        while (hi - lo > 1)
        {
            final long mid = (lo + hi) >>> 1;
            if (holds.test(mid))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /** A record's sequence is at or before the one sought (a missing or undecodable record is not). */
    private static boolean atOrBefore(final long recordSequence, final long sequence)
    {
        return recordSequence != Long.MIN_VALUE && recordSequence <= sequence;
    }

    /** The sequence of the record at an index, or Long.MIN_VALUE when there is none (or it does not decode). */
    private static long sequenceAt(final ExcerptTailer tailer, final long index, final Command scratch)
    {
        if (!tailer.moveToIndex(index))
        {
            return Long.MIN_VALUE;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent() || dc.index() != index)
            {
                return Long.MIN_VALUE;
            }
            CommandCodec.decode(dc.wire().bytes(), scratch);
            return scratch.sequence;
        }
        catch (final RuntimeException e)
        {
            return Long.MIN_VALUE;
        }
    }

    /**
     * For tools appending to a journal they did not replay: the last record's sequence, which their first append links to.
     *
     * @return the sequence of the last record, or -1 for an empty journal.
     * @throws JournalFormatException if the last record does not decode.
     */
    public long lastRecordSequence()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(net.openhft.chronicle.queue.TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument())
            {
                return dc.isPresent() ? CommandCodec.decode(dc.wire().bytes(), new Command()).sequence : -1;
            }
        }
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    public Path directory()
    {
        return directory;
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
