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
     * What was rebuilt.
     *
     * @param book the book.
     * @param snapshot the snapshot it started from, or null.
     * @param replay what the journal after it held.
     */
    public record Result(TriageBook book, SnapshotStore.Loaded snapshot, Journal.ReplayResult replay)
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
     * @param journal the journal.
     * @param snapshots its snapshots.
     * @param newBook makes an empty book with the journal's settings.
     * @param start which snapshot to start from.
     * @param applier given the book, what receives each command after the snapshot (usually {@code book::apply}).
     * @return the rebuilt book.
     * @throws IllegalStateException if retention deleted records no readable snapshot covers.
     * @throws JournalFormatException if the journal cannot be read.
     */
    public static Result rebuild(final Journal journal, final SnapshotStore snapshots, final Supplier<TriageBook> newBook,
        final Start start, final Function<TriageBook, Consumer<Command>> applier)
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
            loaded = snapshots.loadNewest(newBook);
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
        return new Result(book, loaded, replay);
    }
}
