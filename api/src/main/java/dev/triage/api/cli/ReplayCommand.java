package dev.triage.api.cli;

import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.journal.Journal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code triage replay}: rebuild the state offline from a journal and report what it holds.
 */
@Command(name = "replay", description = "Rebuild the state from a journal offline; print counts, rate and state hash.")
final class ReplayCommand implements Callable<Integer>
{
    @Option(names = "--journal", defaultValue = "data", description = "journal directory (default: ./${DEFAULT-VALUE})")
    Path journal;

    @Override
    public Integer call()
    {
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal at " + journal.toAbsolutePath());
        }
        final TriageBook book;
        try
        {
            book = dev.triage.engine.journal.JournalSettings.contextFor(journal).newBook(r -> { });
        }
        catch (final java.io.IOException e)
        {
            throw new IllegalArgumentException(e.getMessage());
        }
        final Journal.ReplayResult result;
        try (Journal j = new Journal(journal))
        {
            result = j.replay(book::apply);
        }
        final String problem = book.validateInternalState();
        final Reply stats = new Reply(r -> { }, 0);
        final dev.triage.engine.command.Command query = dev.triage.engine.command.Command.of(CommandType.STATS);
        query.reply = stats;
        query.sequence = result.lastSequence() + 1;
        query.timestampMs = book.nowMs();
        book.apply(query);
        System.out.printf(Locale.ROOT, "replayed %,d commands in %d ms (%,.0f commands/s), last sequence %d%n",
            result.commands(), result.nanos() / 1_000_000, result.rate(), result.lastSequence());
        System.out.printf(Locale.ROOT, "open %d, assigned %d, pending %d, resolved kept %d, agents %d, assignments %d, policy v%d%n",
            stats.open, stats.assigned, stats.pending, stats.resolvedRetained, stats.agents, stats.assignmentsTotal, stats.policyVersion);
        System.out.printf(Locale.ROOT, "state hash %016x; invariants %s%n", book.stateHash(), problem == null ? "hold" : "BROKEN: " + problem);
        return problem == null ? 0 : 1;
    }
}
