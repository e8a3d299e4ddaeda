package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.fixture.Scenarios;
import dev.triage.engine.fixture.Step;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.fixture.PropertyCheck;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every random scenario, journaled and replayed into a fresh book, reaches the same state: the codec carries every
 * input of every command type, and recovery runs the same rules.
 */
class JournalProperties
{
    @Test
    void shouldRebuildTheSameStateFromTheJournal()
    {
        PropertyCheck.forAll(40, r -> Scenarios.scenario(r, 80), Scenarios::simplify, steps ->
        {
            try
            {
                rebuildsTheSameState(steps);
            }
            catch (final IOException e)
            {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static void rebuildsTheSameState(final List<Step> steps) throws IOException
    {
        final Path dir = Files.createTempDirectory("journal-property");
        try
        {
            final BookFixture live = new BookFixture(3, 2);
            long journaled = 0;
            try (Journal journal = new Journal(dir))
            {
                final JournalHandler handler = new JournalHandler(journal);
                for (final Step step : steps)
                {
                    live.advance(step.advanceMs());
                    final Command command = step.materialise(live.now());
                    live.apply(command);
                    if (command.type.changesState())
                    {
                        handler.append(command);
                        journaled++;
                    }
                }
                handler.onShutdown();
            }
            final TriageBook recovered = new TriageBook(16, 4, 1_000, 3, 2, r -> { });
            try (Journal journal = new Journal(dir))
            {
                final Journal.ReplayResult result = journal.replay(recovered::apply);
                assertEquals(journaled, result.commands());
            }
            assertEquals(live.book.stateHash(), recovered.stateHash());
            assertEquals(null, recovered.validateInternalState());
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
