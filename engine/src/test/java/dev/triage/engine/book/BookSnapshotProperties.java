package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.fixture.Scenarios;
import dev.triage.engine.fixture.Step;
import dev.triage.engine.fixture.PropertyCheck;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A book restored from a snapshot taken anywhere in a random scenario has the same state hash, and from then on
 * answers every command exactly as the original does.
 */
class BookSnapshotProperties
{
    /** The split point is drawn first and kept while the steps shrink. */
    @Test
    void shouldContinueExactlyAsTheOriginalAfterARestore()
    {
        final int[] split = new int[1];
        PropertyCheck.forAll(200, r ->
        {
            split[0] = r.nextInt(101);
            return Scenarios.scenario(r, 100);
        }, Scenarios::simplify, steps -> continuesAfterRestore(steps, Math.min(split[0], steps.size())));
    }

    private static void continuesAfterRestore(final List<Step> steps, final int split)
    {
        final BookFixture original = new BookFixture(3, 2);
        for (final Step step : steps.subList(0, split))
        {
            original.advance(step.advanceMs());
            original.apply(step.materialise(original.now()));
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final BookFixture restored = new BookFixture(3, 2);
        try
        {
            BookSnapshot.write(original.book, new DataOutputStream(bytes));
            BookSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), restored.book);
        }
        catch (final IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
        restored.syncClockAndSequence(original);
        final long splitSequence = original.book.lastSequence();
        assertEquals(original.book.stateHash(), restored.book.stateHash(), "right after the restore");
        for (final Step step : steps.subList(split, steps.size()))
        {
            original.advance(step.advanceMs());
            restored.advance(step.advanceMs());
            final Command a = step.materialise(original.now());
            final Command b = step.materialise(restored.now());
            final Reply ra = original.apply(a);
            final Reply rb = restored.apply(b);
            assertEquals(String.valueOf(ra), String.valueOf(rb), "at " + step);
            // Long-polls parked before the snapshot have no caller after a restore (as after a restart): compare
            // the late answers of requests made since.
            final List<String> originalLate = original.takeLate().stream()
                .filter(r -> r.sequence > splitSequence).map(String::valueOf).toList();
            assertEquals(originalLate, restored.takeLate().stream().map(String::valueOf).toList(), "late replies at " + step);
        }
        assertEquals(original.book.stateHash(), restored.book.stateHash(), "at the end");
    }
}
