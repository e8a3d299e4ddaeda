package dev.triage.engine.journal;

import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.command.Reply;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of every decision as it was made (assignments with their score parts, candidates and runner-up;
 * returns to the queue), in {@code DIR/decisions}. The processor copies each decision into a preallocated slot and
 * hands it to this log's own thread, which appends it; nothing is ever dropped: if the writer falls behind by the
 * whole buffer, the processor waits for it. {@code triage replay --verify} recomputes the decisions from the journal
 * and compares them with this record.
 */
public final class DecisionLog implements DecisionListener, Agent, AutoCloseable
{
    private static final int CAPACITY = 16_384;

    static
    {
        ChronicleDefaults.apply();
    }

    /** One decision as primitives and existing strings: copying it allocates nothing. */
    private static final class Slot
    {
        boolean assignment;
        Cause cause;
        long sequence;
        long nowMs;
        String conversationId;
        String agentId;
        long scoreUnits;
        long urgencyUnits;
        long impactUnits;
        long ageUnits;
        long slaUnits;
        long candidates;
        String runnerUpId;
        long runnerUpScoreUnits;
        long waitedMs;
        int policyVersion;
    }

    private final ChronicleQueue queue;
    private final OneToOneConcurrentArrayQueue<Slot> pending = new OneToOneConcurrentArrayQueue<>(CAPACITY);
    private final OneToOneConcurrentArrayQueue<Slot> free = new OneToOneConcurrentArrayQueue<>(CAPACITY);
    private final StringBuilder line = new StringBuilder(160);
    private Slot taken;
    private ExcerptAppender appender;
    private dev.triage.engine.time.WakeableAgentThread runner;

    /**
     * @param journalDir the journal's directory; the log lives in its {@code decisions} folder.
     */
    public DecisionLog(final Path journalDir)
    {
        queue = SingleChronicleQueueBuilder.binary(journalDir.resolve("decisions")).rollCycle(RollCycles.FAST_HOURLY).build();
        for (int i = 0; i < CAPACITY; i++)
        {
            free.offer(new Slot());
        }
    }

    /** Marks, in a line of its own, where a restart voided decisions the journal does not hold. */
    public static final String VOID = " VOID ";

    /**
     * Decisions are logged by the processor beside the journal, so after a crash the log may hold decisions of
     * commands that never reached the journal (never answered): the restarted engine reuses their sequences. Before
     * any new decision, write a line voiding every logged decision after the journal's last sequence. Call before
     * {@link #start()}.
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
            dc.wire().bytes().writeUtf8(journalLastSequence + VOID + "decisions after sequence " + journalLastSequence +
                " through " + logged + " were made for commands the journal never held (lost in a crash, never answered)");
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

    private long lastLoggedSequence()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(net.openhft.chronicle.queue.TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument())
            {
                return dc.isPresent() ? sequenceOf(dc.wire().bytes().readUtf8()) : -1;
            }
        }
    }

    /**
     * Start the writer thread; call before the processor makes decisions.
     */
    public void start()
    {
        runner = new dev.triage.engine.time.WakeableAgentThread(this, t -> System.getLogger(DecisionLog.class.getName())
            .log(System.Logger.Level.ERROR, "decision log writer failed", t)).start();
    }

    /**
     * The canonical text of an assignment, as recorded and as verify recomputes it.
     *
     * @return the text.
     */
    public static String assigned(final Cause cause, final long sequence, final long nowMs, final Reply r, final StringBuilder out)
    {
        final Slot slot = new Slot();
        copyAssignment(slot, cause, sequence, nowMs, r);
        return format(slot, out);
    }

    /**
     * The canonical text of a return to the queue.
     *
     * @return the text.
     */
    public static String returned(
        final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId, final StringBuilder out)
    {
        final Slot slot = new Slot();
        copyReturn(slot, cause, sequence, nowMs, conversationId, agentId);
        return format(slot, out);
    }

    private static void copyAssignment(final Slot slot, final Cause cause, final long sequence, final long nowMs, final Reply r)
    {
        slot.assignment = true;
        slot.cause = cause;
        slot.sequence = sequence;
        slot.nowMs = nowMs;
        slot.conversationId = r.conversationId;
        slot.agentId = r.agentId;
        slot.scoreUnits = r.scoreUnits;
        slot.urgencyUnits = r.urgencyUnits;
        slot.impactUnits = r.impactUnits;
        slot.ageUnits = r.ageUnits;
        slot.slaUnits = r.slaUnits;
        slot.candidates = r.candidates;
        slot.runnerUpId = r.runnerUpId;
        slot.runnerUpScoreUnits = r.runnerUpScoreUnits;
        slot.waitedMs = r.waitedMs;
        slot.policyVersion = r.policyVersion;
    }

    private static void copyReturn(
        final Slot slot, final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
    {
        slot.assignment = false;
        slot.cause = cause;
        slot.sequence = sequence;
        slot.nowMs = nowMs;
        slot.conversationId = conversationId;
        slot.agentId = agentId;
        slot.runnerUpId = null;
    }

    /**
     * @param line a decision as {@link #read} returns it.
     * @return the sequence of the command that made it (the line's first field).
     */
    public static long sequenceOf(final String line)
    {
        return Long.parseLong(line, 0, line.indexOf(' '), 10);
    }

    private static String format(final Slot s, final StringBuilder out)
    {
        out.setLength(0);
        out.append(s.sequence).append(' ').append(s.nowMs).append(' ').append(s.cause).append(' ').append(s.conversationId);
        if (!s.assignment)
        {
            return out.append(" <- ").append(s.agentId).toString();
        }
        return out.append(" -> ").append(s.agentId).append(" score ").append(s.scoreUnits)
            .append(" [").append(s.urgencyUnits).append(' ').append(s.impactUnits).append(' ').append(s.ageUnits).append(' ')
            .append(s.slaUnits).append("] candidates ").append(s.candidates).append(" runner-up ").append(s.runnerUpId)
            .append(' ').append(s.runnerUpScoreUnits).append(" waited ").append(s.waitedMs).append(" policy ").append(s.policyVersion)
            .toString();
    }

    @Override
    public void onAssigned(final Cause cause, final long sequence, final long nowMs, final Reply r)
    {
        copyAssignment(take(), cause, sequence, nowMs, r);
        pending.offer(taken);
        wakeWriter();
    }

    @Override
    public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
    {
        copyReturn(take(), cause, sequence, nowMs, conversationId, agentId);
        pending.offer(taken);
        wakeWriter();
    }

    /** On the processor thread: never drop a decision; wait for the writer if it is a whole buffer behind. */
    private Slot take()
    {
        Slot slot;
        while ((slot = free.poll()) == null)
        {
            wakeWriter();
            Thread.onSpinWait();
        }
        taken = slot;
        return slot;
    }

    /** The writer sleeps while it has nothing to write; a decision handed over wakes it (no polling). */
    private void wakeWriter()
    {
        if (runner != null)
        {
            runner.wake();
        }
    }

    @Override
    public int doWork()
    {
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        int work = 0;
        Slot slot;
        while ((slot = pending.poll()) != null)
        {
            final String text = format(slot, line);
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().writeUtf8(text);
            }
            slot.conversationId = null;
            slot.agentId = null;
            slot.runnerUpId = null;
            free.offer(slot);
            work++;
        }
        return work;
    }

    @Override
    public void onClose()
    {
        doWork();
        if (appender != null)
        {
            appender.close();
        }
    }

    @Override
    public String roleName()
    {
        return "triage-decisions";
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
                    final Bytes<?> bytes = dc.wire().bytes();
                    lines.add(bytes.readUtf8());
                }
            }
        }
        return lines;
    }

    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
        else
        {
            onClose();
        }
        queue.close();
    }
}
