package dev.triage.engine.journal;

import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.snapshot.SnapshotStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Rebuilding a book from a journal directory: a snapshot, then the journal after it, through the same
 * {@link TriageBook#apply}. The live engine starts from the NEWEST readable snapshot (fastest); offline tools from the
 * OLDEST one they can (the longest history), which is no snapshot at all unless retention has deleted early files.
 */
public final class Recovery
{
    /** Which snapshot to start from. */
    public enum Start
    {
        /** The newest readable snapshot (live recovery). */
        NEWEST,
        /** The first record if it is still there, else the oldest snapshot covering what retention deleted (tools). */
        OLDEST
    }

    /**
     * How far the directory says its journal reached before this start. Each is a lower bound on the journal's last
     * sequence: the watermark is advanced only after a batch's appends, decisions are logged only after their command is
     * journaled, and snapshots are built from the journal. Read before the journal is, so a running server's appends
     * since only add to what a tool reads.
     *
     * @param watermark the journal stage's watermark.
     * @param decisionsThrough the decision log's last sequence, -1 for none.
     */
    public record Expected(JournalWatermark.Reading watermark, long decisionsThrough)
    {
        /**
         * @param journalDir a journal directory.
         * @return what it says, read only.
         */
        public static Expected of(final java.nio.file.Path journalDir)
        {
            return new Expected(JournalWatermark.read(journalDir), DecisionLog.lastLoggedSequence(journalDir));
        }
    }

    /**
     * A loss an operator accepted: the journal ended before what the directory said it reached.
     *
     * @param reached the journal's last sequence, -1 for none.
     * @param expected the highest sequence the directory said was journaled.
     * @param reason what said so, for the log.
     */
    public record Loss(long reached, long expected, String reason)
    {
        /**
         * @return sequences between the journal's end and what was expected (reads among them took sequences too).
         */
        public long sequences()
        {
            return expected - reached;
        }
    }

    /**
     * What was rebuilt.
     *
     * @param book the book.
     * @param snapshot the snapshot it started from, or null.
     * @param replay what the journal after it held.
     * @param loss the loss accepted to start, or null when the journal reached everything expected.
     */
    public record Result(TriageBook book, SnapshotStore.Loaded snapshot, Journal.ReplayResult replay, Loss loss)
    {
        /**
         * @return the last sequence the snapshot covers, or -1 without one (decisions after it were recomputed).
         */
        public long startSequence()
        {
            return snapshot == null ? -1 : snapshot.sequence();
        }
    }

    private Recovery()
    {
    }

    /**
     * Rebuild, refusing a journal that ends before what its directory says it reached.
     *
     * @param journal the journal.
     * @param snapshots its snapshots.
     * @param newBook makes an empty book with the journal's settings.
     * @param start which snapshot to start from.
     * @param applier given the book, what receives each command after the snapshot (usually {@code book::apply}).
     * @return the rebuilt book.
     * @throws IllegalStateException if retention deleted records no readable snapshot covers.
     * @throws JournalFormatException if the journal cannot be read, has a gap, or lost its tail.
     */
    public static Result rebuild(final Journal journal, final SnapshotStore snapshots, final Supplier<TriageBook> newBook,
        final Start start, final Function<TriageBook, Consumer<Command>> applier)
    {
        return rebuild(journal, snapshots, newBook, start, applier, Expected.of(journal.directory()), false);
    }

    /**
     * @param journal the journal.
     * @param snapshots its snapshots.
     * @param newBook makes an empty book with the journal's settings.
     * @param start which snapshot to start from.
     * @param applier given the book, what receives each command after the snapshot (usually {@code book::apply}).
     * @param expected how far the directory says the journal reached, read before the journal.
     * @param acceptLoss true when an operator said to go on from the journal's end if it falls short: the book is then
     * rebuilt from what the journal holds (from a snapshot it still covers) and the result names the loss.
     * @return the rebuilt book.
     * @throws IllegalStateException if retention deleted records no readable snapshot covers.
     * @throws JournalFormatException if the journal cannot be read, has a gap, or (unless accepted) lost its tail.
     */
    public static Result rebuild(final Journal journal, final SnapshotStore snapshots, final Supplier<TriageBook> newBook,
        final Start start, final Function<TriageBook, Consumer<Command>> applier, final Expected expected, final boolean acceptLoss)
    {
        Result result;
        try
        {
            result = rebuildFrom(journal, snapshots, newBook, start, applier, Long.MAX_VALUE);
        }
        catch (final Journal.SnapshotIndexMissing e)
        {
            if (!acceptLoss)
            {
                throw e;
            }
            // The snapshot's place in the journal is gone with the lost tail: start from what the journal holds.
            result = rebuildFrom(journal, snapshots, newBook, start, applier, journal.replay(c -> { }).journalLast());
        }
        final long reached = result.replay().journalLast();
        final String shortfall = shortfall(reached, expected, result.snapshot());
        if (shortfall == null)
        {
            return result;
        }
        final long expectedThrough = Math.max(Math.max(expected.watermark().journaledThrough(), expected.decisionsThrough()),
            result.startSequence());
        final String problem = "journal " + journal.directory() + " ends at sequence " + reached + ", but " + shortfall +
            ": the records after " + reached + " through " + expectedThrough + " are lost, as a deleted or truncated journal " +
            "file leaves them, and they may have been answered";
        if (!acceptLoss)
        {
            throw new JournalFormatException(problem + ". Nothing is started on a guess: restore the journal's files, or " +
                "start with --accept-journal-loss to go on from sequence " + reached + " (logged, and counted in the " +
                "triage_journal_loss_accepted_sequences metric)");
        }
        if (result.startSequence() > reached)
        {
            result = rebuildFrom(journal, snapshots, newBook, start, applier, reached);
        }
        return new Result(result.book(), result.snapshot(), result.replay(), new Loss(reached, expectedThrough, problem));
    }

    /** What says the journal reached further than it does, or null when nothing does. */
    private static String shortfall(final long reached, final Expected expected, final SnapshotStore.Loaded snapshot)
    {
        final java.util.List<String> claims = new java.util.ArrayList<>();
        final JournalWatermark.Reading watermark = expected.watermark();
        if (watermark.journaledThrough() > reached)
        {
            claims.add("its watermark says sequence " + watermark.journaledThrough() + " was journaled" +
                (watermark.cleanStop() ? " when the server last stopped cleanly" : " (the server was running or crashed)"));
        }
        if (expected.decisionsThrough() > reached)
        {
            claims.add("the decision log holds decisions through sequence " + expected.decisionsThrough());
        }
        if (snapshot != null && snapshot.sequence() > reached)
        {
            claims.add("snapshot " + snapshot.file().getFileName() + " covers sequence " + snapshot.sequence());
        }
        return claims.isEmpty() ? null : String.join(", and ", claims);
    }

    /** One rebuild, from the snapshot {@code start} picks among those covering at most {@code maxSequence}. */
    private static Result rebuildFrom(final Journal journal, final SnapshotStore snapshots, final Supplier<TriageBook> newBook,
        final Start start, final Function<TriageBook, Consumer<Command>> applier, final long maxSequence)
    {
        final long deletedThrough;
        try
        {
            deletedThrough = Retention.deletedThrough(journal.directory());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final SnapshotStore.Loaded loaded;
        if (start == Start.NEWEST)
        {
            loaded = maxSequence == Long.MAX_VALUE ? snapshots.loadNewest(newBook) : snapshots.loadNewestAtOrBefore(maxSequence, newBook);
        }
        else
        {
            loaded = deletedThrough < 0 ? null : snapshots.loadOldestFrom(deletedThrough, newBook);
        }
        if (deletedThrough >= 0 && (loaded == null || loaded.sequence() < deletedThrough))
        {
            throw new IllegalStateException("journal " + journal.directory() + ": retention deleted the records through sequence " +
                deletedThrough + " (see " + Retention.FILE + "), and no readable snapshot in " + snapshots.directory() +
                " covers them" + (loaded == null ? "" : " (the newest readable one covers sequence " + loaded.sequence() + ")") +
                "; restore a snapshot covering sequence " + deletedThrough + " or later");
        }
        final TriageBook book = loaded != null ? loaded.book() : newBook.get();
        final Journal.ReplayResult replay = loaded != null
            ? journal.replayAfter(loaded.sequence(), loaded.journalIndex(), applier.apply(book))
            : journal.replay(applier.apply(book));
        return new Result(book, loaded, replay, null);
    }
}
