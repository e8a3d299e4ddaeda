package dev.triage.engine.journal;

import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.fixture.Scenarios;
import dev.triage.engine.fixture.Step;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded 100,000-command scenario (ticks, leases, long-polls, policy changes, incidents) journaled to disk and
 * replayed by a fresh book: the same state hash and the very same sequence of decisions.
 */
class LongReplayTest
{
    private static final long SEED = 20261123L;

    /** One fixed seed; shrinking 100k steps would not help, so a failure names the seed instead. */
    @Test
    void shouldReplayAHundredThousandCommandsToTheSameStateAndDecisions() throws IOException
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(SEED);
        final List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 100_000; i++)
        {
            steps.add(Scenarios.step(random));
        }
        final Path dir = Files.createTempDirectory("long-replay");
        try
        {
            run(steps, dir);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError("scenario of seed " + SEED + ": " + e.getMessage(), e);
        }
        finally
        {
            try (java.util.stream.Stream<Path> files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(final List<Step> steps, final Path dir)
    {
        final BookFixture live = new BookFixture(3, 2);
        final List<String> liveDecisions = new ArrayList<>();
        live.book.decisionListener(recorder(liveDecisions));
        final Map<CommandType, Integer> seen = new EnumMap<>(CommandType.class);
        try (Journal journal = new Journal(dir))
        {
            final JournalHandler handler = new JournalHandler(journal);
            for (final Step step : steps)
            {
                live.advance(step.advanceMs());
                final Command command = step.materialise(live.now());
                live.apply(command);
                seen.merge(command.type, 1, Integer::sum);
                if (command.type.changesState())
                {
                    handler.append(command);
                }
            }
            handler.onShutdown();
        }
        for (final CommandType type : new CommandType[]{ CommandType.TICK, CommandType.SET_POLICY, CommandType.NEXT_BEST })
        {
            assertTrue(seen.getOrDefault(type, 0) > 100, type + " too rare to prove anything: " + seen);
        }
        assertTrue(live.book.leaseExpiries() > 0, "no lease ever expired");

        final TriageBook replayed = new TriageBook(16, 4, 1_000, 3, 2, r -> { });
        final List<String> replayedDecisions = new ArrayList<>();
        replayed.decisionListener(recorder(replayedDecisions));
        try (Journal journal = new Journal(dir))
        {
            journal.replay(replayed::apply);
        }
        assertEquals(live.book.stateHash(), replayed.stateHash());
        assertEquals(liveDecisions.size(), replayedDecisions.size());
        assertEquals(liveDecisions, replayedDecisions);
    }

    private static DecisionListener recorder(final List<String> into)
    {
        return new DecisionListener()
        {
            @Override
            public void onAssigned(final Cause cause, final long sequence, final long nowMs, final Reply r)
            {
                into.add(sequence + " " + cause + " " + r.conversationId + "->" + r.agentId + " " + r.scoreUnits + " " +
                    r.candidates + " " + r.runnerUpId + " " + r.runnerUpScoreUnits);
            }

            @Override
            public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
            {
                into.add(sequence + " " + cause + " " + conversationId + "<-" + agentId);
            }
        };
    }
}
