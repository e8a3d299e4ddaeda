package dev.triage.api.cli;

import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.Recovery;
import dev.triage.engine.snapshot.SnapshotStore;
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

    @Option(names = "--verify", description = "recompute every decision and compare with the decision log; exit 1 on any mismatch")
    boolean verify;

    @Override
    public Integer call()
    {
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal at " + journal.toAbsolutePath());
        }
        final dev.triage.engine.EngineContext settings;
        try
        {
            settings = dev.triage.engine.journal.JournalSettings.contextFor(journal);
        }
        catch (final java.io.IOException e)
        {
            throw new IllegalArgumentException(e.getMessage());
        }
        final java.util.List<String> recomputed = new java.util.ArrayList<>();
        final dev.triage.engine.book.DecisionListener recorder = new dev.triage.engine.book.DecisionListener()
        {
            private final StringBuilder text = new StringBuilder(160);

            @Override
            public void onAssigned(final Cause cause, final long sequence, final long nowMs, final dev.triage.engine.command.Reply r)
            {
                recomputed.add(dev.triage.engine.journal.DecisionLog.assigned(cause, sequence, nowMs, r, text));
            }

            @Override
            public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
            {
                recomputed.add(dev.triage.engine.journal.DecisionLog.returned(cause, sequence, nowMs, conversationId, agentId, text));
            }
        };
        final Recovery.Result rebuilt;
        try (Journal j = Journal.readOnly(journal))
        {
            // From the first record while it exists; after retention, from the oldest snapshot covering what it deleted.
            rebuilt = Recovery.rebuild(j, new SnapshotStore(journal.resolve("snapshots")), () -> settings.newBook(r -> { }),
                Recovery.Start.OLDEST, b ->
                {
                    if (verify)
                    {
                        b.decisionListener(recorder);
                    }
                    return b::apply;
                });
        }
        final TriageBook book = rebuilt.book();
        final Journal.ReplayResult result = rebuilt.replay();
        if (rebuilt.snapshot() != null)
        {
            System.out.printf(Locale.ROOT, "started from snapshot %s (sequence %d): retention deleted the journal before it%n",
                rebuilt.snapshot().file().getFileName(), rebuilt.startSequence());
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
        final boolean decisionsMatch = !verify || verifyDecisions(recomputed, rebuilt.startSequence());
        return problem == null && decisionsMatch ? 0 : 1;
    }

    /**
     * The log is written after the fact, so a crash may cut its tail short: a shorter log is reported, not failed;
     * any difference, or a decision the journal does not imply, fails.
     */
    private boolean verifyDecisions(final java.util.List<String> recomputed, final long afterSequence)
    {
        // Decisions a snapshot start did not recompute are not compared.
        final java.util.List<String> recorded = dev.triage.engine.journal.DecisionLog.read(journal).stream()
            .filter(line -> dev.triage.engine.journal.DecisionLog.sequenceOf(line) > afterSequence).toList();
        final int common = Math.min(recorded.size(), recomputed.size());
        for (int i = 0; i < common; i++)
        {
            if (!recorded.get(i).equals(recomputed.get(i)))
            {
                System.out.printf(Locale.ROOT, "MISMATCH at decision %d:%n  recorded:   %s%n  recomputed: %s%n", i, recorded.get(i), recomputed.get(i));
                return false;
            }
        }
        if (recorded.size() > recomputed.size())
        {
            System.out.printf(Locale.ROOT, "MISMATCH: the log records %d decisions the journal does not imply, from: %s%n",
                recorded.size() - recomputed.size(), recorded.get(common));
            return false;
        }
        System.out.printf(Locale.ROOT, "decisions: %,d recomputed, %,d recorded, all recorded ones match%s%n", recomputed.size(),
            recorded.size(), recorded.size() < recomputed.size() ? " (the log's tail is missing, as after a crash)" : "");
        return true;
    }
}
