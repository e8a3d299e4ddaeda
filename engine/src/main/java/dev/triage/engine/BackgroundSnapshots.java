package dev.triage.engine;

import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.Recovery;
import dev.triage.engine.journal.Retention;
import dev.triage.engine.snapshot.SnapshotStore;
import dev.triage.engine.time.WakeableAgentThread;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Snapshots without pausing the processor. The processor only asks for one (a SNAPSHOT command, or every
 * {@code snapshotEveryCommands}); this agent, on its own thread, keeps a second book: built the way recovery does
 * on the first request (the newest snapshot, then the journal after it, read-only), then brought forward on each
 * request by applying the journal records after its last sequence. It writes that book as the new snapshot, prunes
 * by retention, and answers the SNAPSHOT calls waiting on it. The live book is never read off its thread and never
 * stops: the cost is this thread's CPU for the journal since the last snapshot, and a second copy of the state in
 * memory (kept, so a snapshot neither reloads the last one nor churns the heap).
 * <p>
 * Deterministic replay makes the rebuilt book the live book as of its last sequence, so the snapshot is exactly
 * what a synchronous one would have held. Sleeps until asked (no polling), except while the journal stage has not
 * yet written the sequence asked for (then it looks again every millisecond).
 */
final class BackgroundSnapshots implements Agent, TriageBook.SnapshotRequests, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(BackgroundSnapshots.class.getName());
    private static final long JOURNAL_BEHIND_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path journalDir;
    private final Journal liveJournal;
    private final SnapshotStore snapshots;
    private final Supplier<TriageBook> newBook;
    private final int retentionDays;
    private final Runnable beforeWrite;
    private final dev.triage.engine.journal.JournalSpace space;
    private final ManyToOneConcurrentArrayQueue<Reply> waiting;
    /** The calls taken from {@link #waiting} for the attempt in progress: only they share its failure. */
    private final java.util.ArrayDeque<Reply> attempt = new java.util.ArrayDeque<>();
    private final WakeableAgentThread runner;
    private volatile long wanted = -1;
    /** The second book, once built; it only ever moves forward through the journal. */
    private TriageBook shadow;
    private long written = -1;
    private boolean journalBehind;

    /**
     * @param journalDir the journal directory (read through a read-only journal of its own).
     * @param liveJournal the engine's journal: its index lookup and retention's deletions.
     * @param snapshots where snapshots go.
     * @param newBook an empty book with the journal's settings, with no one waiting on its late replies.
     * @param retentionDays journal retention; 0 keeps all.
     * @param maxWaiting SNAPSHOT calls that may wait at once (the ring's size bounds them).
     * @param beforeWrite run on this thread before each write (tests hold a snapshot here); null for none.
     * @param space the journal disk's reserve, which a snapshot must leave whole.
     */
    BackgroundSnapshots(final Path journalDir, final Journal liveJournal, final SnapshotStore snapshots,
        final Supplier<TriageBook> newBook, final int retentionDays, final int maxWaiting, final Runnable beforeWrite,
        final dev.triage.engine.journal.JournalSpace space)
    {
        this.space = space;
        this.journalDir = journalDir;
        this.liveJournal = liveJournal;
        this.snapshots = snapshots;
        this.newBook = newBook;
        this.retentionDays = retentionDays;
        this.beforeWrite = beforeWrite;
        waiting = new ManyToOneConcurrentArrayQueue<>(maxWaiting);
        runner = new WakeableAgentThread(this, () -> journalBehind ? JOURNAL_BEHIND_NS : Long.MAX_VALUE,
            t -> LOG.log(System.Logger.Level.ERROR, "snapshot thread failed", t));
    }

    BackgroundSnapshots start()
    {
        runner.start();
        return this;
    }

    /**
     * Processor thread: never blocks.
     */
    @Override
    public boolean request(final long sequence, final Reply reply)
    {
        if (reply != null)
        {
            // Until answered, the reply's sequence is the one its snapshot must cover.
            reply.sequence = sequence;
            if (!waiting.offer(reply))
            {
                return false;
            }
        }
        if (sequence > wanted)
        {
            wanted = sequence;
        }
        runner.wake();
        return true;
    }

    @Override
    public int doWork()
    {
        final long target = wanted;
        if (target <= written && waiting.isEmpty() && attempt.isEmpty())
        {
            journalBehind = false;
            return 0;
        }
        waiting.drain(attempt::add);
        final long start = System.nanoTime();
        final TriageBook book;
        try (Journal journal = Journal.readOnly(journalDir))
        {
            if (shadow == null)
            {
                shadow = Recovery.rebuild(journal, snapshots, newBook, Recovery.Start.NEWEST, b -> b::apply).book();
            }
            else
            {
                journal.replayAfter(shadow.lastSequence(), liveJournal.indexAtOrBefore(shadow.lastSequence()), shadow::apply);
            }
            book = shadow;
        }
        catch (final RuntimeException e)
        {
            // Built again from the newest snapshot next time: a half-applied record must not stay in it.
            shadow = null;
            fail(target, "cannot rebuild the state to snapshot: " + e);
            return 1;
        }
        if (book.lastSequence() < target)
        {
            // The journal stage (beside the processor in THREE_STAGES) has not written it yet: look again shortly.
            journalBehind = true;
            return 0;
        }
        journalBehind = false;
        try
        {
            if (beforeWrite != null)
            {
                beforeWrite.run();
            }
            // The reserve is the journal's: a snapshot (about as large as the last one) must leave it whole.
            final String refused = space.refuseToWrite(Math.max(1L << 20, snapshots.newestSizeBytes() * 3 / 2), "snapshot");
            if (refused != null)
            {
                fail(target, refused);
                return 1;
            }
            final Path file = snapshots.write(book, liveJournal.indexAtOrBefore(book.lastSequence()));
            written = book.lastSequence();
            LOG.log(System.Logger.Level.INFO, "snapshot " + file + " written at sequence " + written + " in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms, off the processor (it did not pause)");
            try
            {
                Retention.prune(liveJournal, snapshots, retentionDays, book.nowMs());
            }
            catch (final java.io.IOException | RuntimeException e)
            {
                LOG.log(System.Logger.Level.WARNING, "journal retention failed; files are kept: " + e);
            }
            answer(ResultCode.OK, file.toString(), null);
        }
        catch (final java.io.IOException | RuntimeException e)
        {
            fail(target, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return 1;
    }

    /**
     * The attempt for {@code target} failed: the calls it was for get the failure; a call that arrived after the
     * attempt began waits for the next one instead of sharing a failure nobody tried it for.
     */
    private void fail(final long target, final String why)
    {
        LOG.log(System.Logger.Level.WARNING, "snapshot failed: " + why);
        // Asked-for sequences count as served: the next request (or period) tries again.
        written = Math.max(written, target);
        answer(ResultCode.SNAPSHOT_FAILED, null, why, target);
    }

    private void answer(final ResultCode result, final String file, final String detail)
    {
        answer(result, file, detail, written);
    }

    /**
     * Answer the attempt's calls that it covered (sequence up to {@code covered}); a call taken with a later
     * sequence waits for the next attempt, as do calls that arrived during this one.
     */
    private void answer(final ResultCode result, final String file, final String detail, final long covered)
    {
        Reply reply;
        while ((reply = attempt.peek()) != null && reply.sequence <= covered)
        {
            attempt.poll();
            reply.result = result;
            reply.snapshotPath = file;
            reply.detail = detail;
            reply.sequence = written;
            try
            {
                reply.listener.onReply(reply);
            }
            catch (final RuntimeException e)
            {
                LOG.log(System.Logger.Level.WARNING, "snapshot reply listener failed", e);
            }
        }
    }

    @Override
    public String roleName()
    {
        return "triage-snapshots";
    }

    /** Stop after the snapshot in progress, if any. */
    @Override
    public void close()
    {
        runner.close();
    }
}
