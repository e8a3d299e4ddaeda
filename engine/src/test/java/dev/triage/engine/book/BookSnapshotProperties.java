package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.Reply;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.fixture.Scenarios;
import dev.triage.engine.fixture.Step;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

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
    @Property(tries = 200)
    void shouldContinueExactlyAsTheOriginalAfterARestore(@ForAll("splitScenarios") final Tuple.Tuple2<List<Step>, Integer> input)
        throws IOException
    {
        final List<Step> steps = input.get1();
        final int split = Math.min(input.get2(), steps.size());
        final BookFixture original = new BookFixture(3, 2);
        for (final Step step : steps.subList(0, split))
        {
            original.advance(step.advanceMs());
            original.apply(step.materialise(original.now()));
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BookSnapshot.write(original.book, new DataOutputStream(bytes));
        final BookFixture restored = new BookFixture(3, 2);
        BookSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), restored.book);
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

    @Provide
    Arbitrary<Tuple.Tuple2<List<Step>, Integer>> splitScenarios()
    {
        return Combinators.combine(Scenarios.scenarios(100), Arbitraries.integers().between(0, 100)).as(Tuple::of);
    }
}
