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
    private ExcerptAppender appender;

    /**
     * @param journalDir the journal's directory; the log lives in its {@code decisions} folder.
     */
    public DecisionLog(final Path journalDir)
    {
        queue = SingleChronicleQueueBuilder.binary(journalDir.resolve("decisions")).rollCycle(RollCycles.FAST_HOURLY).build();
    }

    /** Marks, in a line of its own, where a restart voided decisions the journal does not hold. */
    public static final String VOID = " VOID ";

    /**
     * A binary record starts with this byte; a text record (written before the log went binary) starts with its
     * length, never 0 for a non-empty line. Then one of the kinds below.
     */
    private static final byte BINARY = 0;
    private static final byte ASSIGNED = 1;
    private static final byte RETURNED = 2;
    private static final byte VOIDED = 3;
    private static final DecisionListener.Cause[] CAUSES = DecisionListener.Cause.values();

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
            dc.wire().bytes().writeByte(BINARY).writeByte(VOIDED).writeLong(journalLastSequence).writeLong(logged);
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

    public long lastLoggedSequence()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(net.openhft.chronicle.queue.TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument())
            {
                return dc.isPresent() ? sequenceOf(decode(dc.wire().bytes())) : -1;
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
            out.writeByte(BINARY).writeByte(decision.assignment ? ASSIGNED : RETURNED).writeByte((byte)decision.cause.ordinal())
                .writeLong(decision.sequence).writeLong(decision.nowMs);
            out.writeUtf8(decision.conversationId);
            out.writeUtf8(decision.agentId);
            if (decision.assignment)
            {
                out.writeLong(decision.scoreUnits).writeLong(decision.urgencyUnits).writeLong(decision.impactUnits)
                    .writeLong(decision.ageUnits).writeLong(decision.slaUnits).writeLong(decision.candidates);
                out.writeUtf8(decision.runnerUpId);
                out.writeLong(decision.runnerUpScoreUnits).writeLong(decision.waitedMs).writeInt(decision.policyVersion);
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
        in.readByte();
        final byte kind = in.readByte();
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
        if (!java.nio.file.Files.isDirectory(journalDir.resolve("decisions")))
        {
            return lines;
        }
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(journalDir.resolve("decisions")).rollCycle(RollCycles.FAST_HOURLY)
                 .readOnly(true).build();
             ExcerptTailer tailer = q.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    lines.add(decode(dc.wire().bytes()));
                }
            }
        }
        return lines;
    }

    /** Close the log; call after the thread that writes it has stopped. */
    @Override
    public void close()
    {
        if (appender != null)
        {
            appender.close();
        }
        queue.close();
    }
}
