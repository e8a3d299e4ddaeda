package dev.triage.engine.journal;

import dev.triage.engine.book.DecisionListener;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of every decision as it was made (assignments with their score parts, candidates and runner-up;
 * returns to the queue), in {@code DIR/decisions}, one binary record per decision (fields, no formatting on the
 * engine's thread; {@link #read} gives each as its canonical text line). The engine's reply stage writes it,
 * on its own thread, after the command that made the decision is journaled (and forced, with fsync durability):
 * the log never holds a decision of a command the journal lacks, and no thread of its own wakes for it.
 * {@code triage replay --verify} recomputes the decisions from the journal and compares them with this record.
 */
public final class DecisionLog implements java.util.function.Consumer<DecisionRecord>, AutoCloseable
{
    static
    {
        ChronicleDefaults.apply();
    }

    private final ChronicleQueue queue;
    private final JournalSpace space;
    private final SpaceAhead ahead = new SpaceAhead();
    private ExcerptAppender appender;

    /**
     * @param journalDir the journal's directory; the log lives in its {@code decisions} folder.
     */
    public DecisionLog(final Path journalDir)
    {
        this(journalDir, null);
    }

    /**
     * @param journalDir the journal's directory; the log lives in its {@code decisions} folder.
     * @param space the journal disk's monitor, told when the log cannot allocate its room ahead, or null.
     */
    public DecisionLog(final Path journalDir, final JournalSpace space)
    {
        queue = SingleChronicleQueueBuilder.binary(journalDir.resolve(FOLDER)).rollCycle(RollCycles.FAST_HOURLY).build();
        this.space = space;
    }

    /** Marks, in a line of its own, where a restart voided decisions the journal does not hold. */
    public static final String VOID = " VOID ";

    /**
     * A binary record starts with this byte; a text record (written before the log went binary) starts with its
     * length, never 0 for a non-empty line. Then one of the kinds below, with {@link #CHECKED} set on records that end
     * with a checksum (all written since checksums came).
     */
    private static final byte BINARY = 0;
    private static final byte ASSIGNED = 1;
    private static final byte RETURNED = 2;
    private static final byte VOIDED = 3;
    private static final int CHECKED = 0x40;
    private static final int KIND_MASK = 0x3F;
    /** The shortest checked record (a void: marker, kind, two longs, checksum), and a bound no record comes near. */
    private static final int MIN_CHECKED_BYTES = 1 + 1 + 8 + 8 + 4;
    private static final int MAX_RECORD_BYTES = 1 << 16;
    private static final DecisionListener.Cause[] CAUSES = DecisionListener.Cause.values();
    private static final String FOLDER = "decisions";

    /** What a checked decision record looks like among raw bytes, for the scan past where Chronicle stopped reading. */
    private static final JournalScan.Shape SHAPE = new JournalScan.Shape()
    {
        @Override
        public boolean plausible(final int length, final byte first)
        {
            return first == BINARY && length >= MIN_CHECKED_BYTES && length <= MAX_RECORD_BYTES;
        }

        @Override
        public long sequenceOf(final Bytes<?> record)
        {
            if ((record.readByte(record.readPosition() + 1) & CHECKED) == 0)
            {
                throw new IllegalArgumentException("not a checked record");
            }
            return DecisionLog.sequenceOf(decode(record));
        }
    };

    /**
     * Decisions are logged after their command's journal append, but with process durability both files live in
     * the page cache, and a power loss may keep the log's pages and lose the journal's: the log then holds decisions
     * of commands the journal lacks (never answered), and the restarted engine reuses their sequences. Before any new
     * decision, write a line voiding every logged decision after the journal's last sequence.
     *
     * @param journalLastSequence the last sequence the journal holds after recovery.
     * @return how far the log had run ahead (its last sequence), or -1 when nothing needed voiding.
     */
    public long voidBeyond(final long journalLastSequence)
    {
        final long logged = lastLoggedSequence();
        if (logged <= journalLastSequence)
        {
            return -1;
        }
        try (ExcerptAppender voiding = queue.createAppender(); DocumentContext dc = voiding.writingDocument())
        {
            final Bytes<?> out = dc.wire().bytes();
            final long start = out.writePosition();
            out.writeByte(BINARY).writeByte((byte)(VOIDED | CHECKED)).writeLong(journalLastSequence).writeLong(logged);
            out.writeInt(CommandCodec.checksum(out, start, out.writePosition()));
        }
        return logged;
    }

    /**
     * @param line a line of the log.
     * @return true for a line that voids the decisions logged before it with a sequence after its own.
     */
    public static boolean isVoid(final String line)
    {
        // The marker's second field; a decision's is its time (a conversation may well be called VOID).
        return line.startsWith(VOID, line.indexOf(' '));
    }

    /**
     * @return the sequence of the last record in the log (a void record's is the journal sequence it voids after), or
     * -1 when the log is empty.
     */
    public long lastLoggedSequence()
    {
        return lastSequenceIn(queue);
    }

    /**
     * For tools and for recovery's check of the journal's tail: the log's last sequence, read only.
     *
     * @param journalDir a journal directory.
     * @return the sequence of the last record in its decision log, or -1 when it has none.
     */
    public static long lastLoggedSequence(final Path journalDir)
    {
        if (!hasFiles(journalDir.resolve(FOLDER)))
        {
            return -1;
        }
        try (ChronicleQueue q = readOnly(journalDir))
        {
            return lastSequenceIn(q);
        }
        catch (final JournalFormatException e)
        {
            throw new JournalFormatException("decision log " + journalDir.resolve(FOLDER) + ": " + e.getMessage());
        }
    }

    private static boolean hasFiles(final Path folder)
    {
        if (!java.nio.file.Files.isDirectory(folder))
        {
            return false;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(folder))
        {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(net.openhft.chronicle.queue.impl.single.SingleChronicleQueue.SUFFIX));
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException("cannot list the decision log " + folder, e);
        }
    }

    private static ChronicleQueue readOnly(final Path journalDir)
    {
        return SingleChronicleQueueBuilder.binary(journalDir.resolve(FOLDER)).rollCycle(RollCycles.FAST_HOURLY).readOnly(true).build();
    }

    private static long lastSequenceIn(final ChronicleQueue q)
    {
        try (ExcerptTailer tailer = q.createTailer())
        {
            tailer.direction(net.openhft.chronicle.queue.TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return -1;
                }
                try
                {
                    return sequenceOf(decode(dc.wire().bytes()));
                }
                catch (final RuntimeException e)
                {
                    throw new JournalFormatException("the last record, at index 0x" + Long.toHexString(dc.index()) +
                        ", cannot be read (" + e.getMessage() + ")");
                }
            }
        }
    }

    /**
     * @param line a decision as {@link #read} returns it.
     * @return the sequence of the command that made it (the line's first field).
     */
    public static long sequenceOf(final String line)
    {
        return Long.parseLong(line, 0, line.indexOf(' '), 10);
    }

    /**
     * Append one decision; on the engine's reply stage thread (or any single thread).
     *
     * @param decision the decision.
     */
    @Override
    public void accept(final DecisionRecord decision)
    {
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> out = dc.wire().bytes();
            final long start = out.writePosition();
            out.writeByte(BINARY).writeByte((byte)((decision.assignment ? ASSIGNED : RETURNED) | CHECKED))
                .writeByte((byte)decision.cause.ordinal()).writeLong(decision.sequence).writeLong(decision.nowMs);
            out.writeUtf8(decision.conversationId);
            out.writeUtf8(decision.agentId);
            if (decision.assignment)
            {
                out.writeLong(decision.scoreUnits).writeLong(decision.urgencyUnits).writeLong(decision.impactUnits)
                    .writeLong(decision.ageUnits).writeLong(decision.slaUnits).writeLong(decision.candidates);
                out.writeLong(decision.boundUnits);
                out.writeUtf8(decision.runnerUpId);
                out.writeLong(decision.runnerUpScoreUnits).writeLong(decision.waitedMs).writeInt(decision.policyVersion);
            }
            out.writeInt(CommandCodec.checksum(out, start, out.writePosition()));
            ahead.appended(out);
        }
        if (space != null)
        {
            if (ahead.ensure())
            {
                space.aheadHeld(JournalSpace.DECISIONS);
            }
            else
            {
                space.aheadFailed(JournalSpace.DECISIONS);
            }
        }
    }

    /**
     * @param in a record of the log.
     * @return its canonical line (the text {@link DecisionRecord#text} gives, or a VOID line): binary records are
     *         decoded, text records from before the log went binary read as they are.
     */
    private static String decode(final Bytes<?> in)
    {
        if (in.peekUnsignedByte() != BINARY)
        {
            return in.readUtf8();
        }
        final long start = in.readPosition();
        in.readByte();
        final int marked = in.readByte();
        final int kind = marked & KIND_MASK;
        if ((marked & CHECKED) != 0)
        {
            final long end = in.readLimit();
            if (end - start < MIN_CHECKED_BYTES || in.readInt(end - 4) != CommandCodec.checksum(in, start, end - 4))
            {
                throw new JournalFormatException("record checksum mismatch (corrupt or torn bytes)");
            }
            in.readLimit(end - 4);
        }
        if (kind < ASSIGNED || kind > VOIDED)
        {
            throw new JournalFormatException("unknown decision record kind " + kind);
        }
        if (kind == VOIDED)
        {
            final long journalLast = in.readLong();
            final long logged = in.readLong();
            return journalLast + VOID + "decisions after sequence " + journalLast + " through " + logged +
                " were made for commands the journal never held (lost in a crash, never answered)";
        }
        final DecisionRecord d = new DecisionRecord();
        final DecisionListener.Cause cause = CAUSES[in.readByte()];
        final long sequence = in.readLong();
        final long nowMs = in.readLong();
        final String conversationId = in.readUtf8();
        final String agentId = in.readUtf8();
        if (kind == RETURNED)
        {
            return d.returned(cause, sequence, nowMs, conversationId, agentId).text(new StringBuilder(96));
        }
        d.assignment = true;
        d.cause = cause;
        d.sequence = sequence;
        d.nowMs = nowMs;
        d.conversationId = conversationId;
        d.agentId = agentId;
        d.scoreUnits = in.readLong();
        d.urgencyUnits = in.readLong();
        d.impactUnits = in.readLong();
        d.ageUnits = in.readLong();
        d.slaUnits = in.readLong();
        d.candidates = in.readLong();
        // Checked records (all written since checksums came) carry the wait-bound part; older ones had none.
        d.boundUnits = (marked & CHECKED) != 0 ? in.readLong() : 0;
        d.runnerUpId = in.readUtf8();
        d.runnerUpScoreUnits = in.readLong();
        d.waitedMs = in.readLong();
        d.policyVersion = in.readInt();
        return d.text(new StringBuilder(160));
    }

    /**
     * @param journalDir a journal directory.
     * @return every recorded decision, in order (empty if none were recorded).
     */
    public static List<String> read(final Path journalDir)
    {
        final List<String> lines = new ArrayList<>();
        final Path folder = journalDir.resolve(FOLDER);
        if (!hasFiles(folder))
        {
            return lines;
        }
        Path lastFile = null;
        long lastEnd = -1;
        try (ChronicleQueue q = readOnly(journalDir); ExcerptTailer tailer = q.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (dc.isPresent())
                    {
                        final Bytes<?> bytes = dc.wire().bytes();
                        lastFile = JournalScan.fileOf(bytes);
                        lastEnd = bytes.readLimit();
                        final long index = dc.index();
                        try
                        {
                            lines.add(decode(bytes));
                        }
                        catch (final RuntimeException e)
                        {
                            throw new JournalFormatException("decision log " + folder + ": record " + lines.size() + " at index 0x" +
                                Long.toHexString(index) + " cannot be read (" + e.getMessage() + ")");
                        }
                        continue;
                    }
                }
                // Chronicle stops at a damaged header as if the log ended there: a decision found past it is a hole.
                final JournalScan.Found hidden = JournalScan.firstRecordBeyond(folder, lastFile, lastEnd, SHAPE);
                if (hidden == null || retryFinds(tailer))
                {
                    if (hidden == null)
                    {
                        break;
                    }
                    continue;
                }
                throw new JournalFormatException("decision log " + folder + ": reading stopped after " + lines.size() +
                    " records at offset " + Math.max(0, lastEnd) + " of " + (lastFile == null ? "its first file" :
                    lastFile.getFileName()) + " (an unreadable record header), but decisions follow it: the next readable one " +
                    "is at offset " + hidden.offset() + " of " + hidden.file().getFileName() + " with sequence " +
                    hidden.sequence() + ". The log has a hole; restore the file");
            }
        }
        return lines;
    }

    /** A writer appended since the last read (a tool reading a live log): read on. */
    private static boolean retryFinds(final ExcerptTailer tailer)
    {
        try (DocumentContext retry = tailer.readingDocument())
        {
            if (retry.isPresent())
            {
                retry.rollbackOnClose();
                return true;
            }
            return false;
        }
    }

    /** Close the log; call after the thread that writes it has stopped. */
    @Override
    public void close()
    {
        ahead.close();
        if (appender != null)
        {
            appender.close();
        }
        queue.close();
    }
}
