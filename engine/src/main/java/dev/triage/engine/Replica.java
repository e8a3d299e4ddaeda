package dev.triage.engine;

import dev.triage.engine.book.BookSnapshot;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.journal.DecisionLog;
import dev.triage.engine.journal.DecisionRecord;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.JournalHandler;
import dev.triage.engine.journal.JournalLock;
import dev.triage.engine.journal.JournalWatermark;
import dev.triage.engine.journal.JournalRoll;
import dev.triage.engine.journal.JournalSpace;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * One replica of the book, fed by a replicated log instead of a ring: each command is journaled, applied and
 * answered on the caller's thread (the cluster's service thread), in the log's order, at the log's time. The same
 * stages as {@link TriageEngine}'s one-stage pipeline, so a replica decides exactly as a single node would, and its
 * journal and decision log are in the single node's formats ({@code replay}, {@code audit}, {@code whatif} read them).
 * <p>
 * The log is the source of truth: on start the book comes from the cluster's snapshot and the log after it, and
 * commands this directory's journal (or decision log) already holds from an earlier run are applied but not written
 * again, so a restart neither loses nor duplicates a record.
 */
public final class Replica implements AutoCloseable
{
    private final EngineContext context;
    /** The policy defaults the book starts under: this directory's journal's (a replica replays as it was decided). */
    private final int policyDefaults;
    private final JournalLock journalLock;
    private final JournalWatermark watermark;
    private final Journal journal;
    private final JournalSpace journalSpace;
    private final JournalHandler journalStage;
    private final DecisionLog decisionLog;
    private final long journaledThrough;
    private final long loggedThrough;
    private final OneToOneConcurrentArrayQueue<Reply> lateReplies;
    private final TriageBook.DeferredReplies deferred;
    private final Consumer<DecisionRecord> decisions;
    private final SlotOutputs.Collector outputs;
    private TriageBook book;
    private ProcessorHandler processor;
    private ReplyHandler responder;
    private long slot;

    /**
     * Open the journal and decision log of {@code context.journalDir()} (both optional: without a directory the
     * replica keeps no files). Call {@link #start} on the thread that will apply commands.
     *
     * @param context the engine settings; concluded here. Its decision observer and queue event sink receive what the
     * book decides and how the queue moves, as on a single node.
     */
    public Replica(final EngineContext context)
    {
        this.context = context.conclude();
        lateReplies = new OneToOneConcurrentArrayQueue<>(context.maxAgents() + 2);
        deferred = reply ->
        {
            if (!lateReplies.offer(reply))
            {
                throw new IllegalStateException("late reply queue overflow at sequence " + reply.completedAtSequence);
            }
        };
        if (context.journalDir() != null)
        {
            journalLock = JournalLock.acquire(context.journalDir());
            try
            {
                final dev.triage.engine.journal.JournalSettings recorded = TriageEngine.checkJournalSettings(context);
                final JournalRoll roll = recorded.roll();
                policyDefaults = recorded.policyDefaults();
                journalSpace = new JournalSpace(context.journalDir(), context.journalReserveBytes(), context.journalSpaceProbe());
                journalSpace.requireReserve();
                final org.agrona.concurrent.EpochClock clock = context.clock();
                journal = new Journal(context.journalDir(), false, roll, clock::time);
                // The cluster's log restores a lost tail (commands past the journal's end are written again), so only a
                // gap inside the journal refuses the start here.
                journaledThrough = journal.replay(command -> { }).journalLast();
                watermark = JournalWatermark.open(context.journalDir(),
                    new JournalWatermark.Reading(journaledThrough, journaledThrough, false));
                journalStage = new JournalHandler(journal, journalSpace, watermark, journaledThrough);
                decisionLog = new DecisionLog(context.journalDir(), journalSpace);
                loggedThrough = decisionLog.lastLoggedSequence();
            }
            catch (final RuntimeException e)
            {
                close();
                throw e;
            }
        }
        else
        {
            policyDefaults = context.policyDefaults();
            journalLock = null;
            watermark = null;
            journal = null;
            journalSpace = null;
            journalStage = null;
            decisionLog = null;
            journaledThrough = -1;
            loggedThrough = -1;
        }
        final Consumer<DecisionRecord> observer = context.decisionObserver();
        final Consumer<DecisionRecord> logged = decisionLog == null ? null : decision ->
        {
            if (decision.sequence > loggedThrough)
            {
                decisionLog.accept(decision);
            }
        };
        decisions = logged == null ? observer : observer == null ? logged : logged.andThen(observer);
        outputs = decisions == null && context.queueEventSink() == null ? null :
            new SlotOutputs.Collector(context.ringSize(), decisions != null, context.queueEventSink());
    }

    /**
     * Build the book, empty or from a snapshot written by {@link #writeSnapshot}. On the applying thread.
     *
     * @param snapshot the snapshot, or null to start empty.
     * @throws IOException if the snapshot does not read.
     */
    public void start(final DataInputStream snapshot) throws IOException
    {
        book = context.newBook(deferred, policyDefaults);
        if (snapshot != null)
        {
            BookSnapshot.read(snapshot, book);
            if (journal != null && journaledThrough < book.lastSequence())
            {
                throw new IllegalStateException("the journal in " + context.journalDir() + " ends at sequence " +
                    journaledThrough + " but the cluster's snapshot is at " + book.lastSequence() +
                    ": the journal lost records; restore the node's whole directory, or start it on a new one");
            }
        }
        if (outputs != null)
        {
            if (decisions != null)
            {
                book.decisionListener(outputs);
            }
            if (context.queueEventSink() != null)
            {
                book.queueEventSink(outputs);
            }
        }
        processor = new ProcessorHandler(book, 0, outputs);
        responder = new ReplyHandler(lateReplies, outputs, decisions, context.queueEventSink());
        if (journalStage != null)
        {
            journalStage.onStart();
        }
    }

    /**
     * Journal (unless this directory already holds it), apply and answer one command of the log.
     *
     * @param command the command with its reply (a throwaway one when nobody here waits for it); its
     * {@code timestampMs} is the log's time. Its sequence is assigned here.
     * @throws Exception a failure to journal or apply, which must stop the replica.
     */
    public void apply(final Command command) throws Exception
    {
        // Reads take no sequence of their own (they are not journaled): the journal's sequences stay contiguous, so a
        // restart can tell exactly which commands of the log this directory already holds.
        command.sequence = command.type.changesState() ? book.lastSequence() + 1 : book.lastSequence();
        // The log's clock may step back after a leader change (another host's clock): the book's time never does.
        command.timestampMs = Math.max(command.timestampMs, book.nowMs());
        if (journalStage != null && command.sequence > journaledThrough)
        {
            journalStage.onEvent(command, slot, true);
        }
        processor.onEvent(command, slot, true);
        responder.onEvent(command, slot, true);
        slot++;
    }

    /**
     * @return the earliest timer deadline of the book, or Long.MAX_VALUE: the cluster arms one timer for it.
     */
    public long nextTimerDeadlineMs()
    {
        return book.nextTimerDeadlineMs();
    }

    /**
     * @return true when the last TICK left due timers for another one at once.
     */
    public boolean timersBacklog()
    {
        return book.timersBacklog();
    }

    /**
     * @return the book (applying thread only).
     */
    public TriageBook book()
    {
        return book;
    }

    /**
     * Write the book's whole state in the snapshot format of {@link BookSnapshot} (one codec for both modes).
     *
     * @param out where to.
     * @throws IOException if it cannot be written.
     */
    public void writeSnapshot(final DataOutputStream out) throws IOException
    {
        BookSnapshot.write(book, out);
    }

    /**
     * @return the journal's disk monitor, or null without a directory.
     */
    public JournalSpace journalSpace()
    {
        return journalSpace;
    }

    /**
     * @return the last sequence this directory's journal held when the replica opened it (-1 for none).
     */
    public long journaledThrough()
    {
        return journaledThrough;
    }

    /**
     * @param type a command type.
     * @return a reply for a command nobody here waits for (another node's caller, or one from before a restart).
     */
    public static Reply unwatchedReply(final CommandType type)
    {
        final Reply reply = new Reply(r -> { }, type == CommandType.TOP || type == CommandType.VIEW ?
            dev.triage.engine.ground.Limits.MAX_TOP : 0);
        reply.view = type == CommandType.VIEW ? new dev.triage.engine.command.BookView() : null;
        return reply;
    }

    /** Close what is open, the lock last; also after a failed start, so a field may still be null. */
    @Override
    public void close()
    {
        if (journalStage != null)
        {
            journalStage.onShutdown();
        }
        if (decisionLog != null)
        {
            decisionLog.close();
        }
        if (watermark != null)
        {
            watermark.stopped();
            watermark.close();
        }
        if (journal != null)
        {
            journal.close();
        }
        if (journalLock != null)
        {
            journalLock.close();
        }
    }
}
