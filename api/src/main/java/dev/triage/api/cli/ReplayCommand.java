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

    @Option(names = "--accept-journal-loss", description = "replay what the journal holds even though it ends before what its "
        + "directory says it reached (exit 1 all the same, after saying what is lost)")
    boolean acceptJournalLoss;

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
            private final dev.triage.engine.journal.DecisionRecord record = new dev.triage.engine.journal.DecisionRecord();

            @Override
            public void onAssigned(final Cause cause, final long sequence, final long nowMs, final dev.triage.engine.command.Reply r)
            {
                recomputed.add(record.assigned(cause, sequence, nowMs, r).text(text));
            }

            @Override
            public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
            {
                recomputed.add(record.returned(cause, sequence, nowMs, conversationId, agentId).text(text));
            }
        };
        final Recovery.Result rebuilt;
        try (Journal j = Journal.readOnly(journal))
        {
            // From the first record while it exists; after retention, from the oldest snapshot covering what it deleted.
            rebuilt = Recovery.rebuild(j, new SnapshotStore(journal.resolve("snapshots")), () -> settings.newBook(r -> { }),
                Recovery.Start.OLDEST, b ->
                {
                    recomputed.clear();
                    if (verify)
                    {
                        b.decisionListener(recorder);
                    }
                    return b::apply;
                }, Recovery.Expected.of(journal), acceptJournalLoss);
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
        System.out.printf(Locale.ROOT, "replayed %,d commands in %d ms%s, last sequence %d%n",
            result.commands(), result.nanos() / 1_000_000, Replayed.rate(result), result.lastSequence());
        System.out.printf(Locale.ROOT, "open %d, assigned %d, pending %d, resolved kept %d, agents %d, assignments %d, policy v%d%n",
            stats.open, stats.assigned, stats.pending, stats.resolvedRetained, stats.agents, stats.assignmentsTotal, stats.policyVersion);
        System.out.printf(Locale.ROOT, "state hash %016x; invariants %s%n", book.stateHash(), problem == null ? "hold" : "BROKEN: " + problem);
        System.out.printf(Locale.ROOT, "journal continuous: %,d records each linked to the one before%s%n", result.linked(),
            rebuilt.loss() != null ? "" : ", and it reaches its watermark and decision log");
        if (rebuilt.loss() != null)
        {
            System.out.println("LOSS: " + rebuilt.loss().reason());
        }
        final boolean decisionsMatch = !verify || verifyDecisions(recomputed, rebuilt.startSequence(), result.lastSequence());
        return problem == null && decisionsMatch && rebuilt.loss() == null ? 0 : 1;
    }

    /**
     * Compare, sequence by sequence, what the log recorded with what the journal implies. The log is written beside
     * the journal, so a crash may leave it short (decisions of journaled commands not yet logged: reported as
     * missing and recomputed) or long (decisions of commands the journal never got, never answered: voided, by the
     * restart's VOID line or, before any restart, by lying past the journal's end). Anything else fails.
     */
    private boolean verifyDecisions(final java.util.List<String> recomputed, final long afterSequence, final long journalLast)
    {
        final java.util.List<String> recorded = new java.util.ArrayList<>();
        int voided = 0;
        for (final String line : dev.triage.engine.journal.DecisionLog.read(journal))
        {
            final long sequence = dev.triage.engine.journal.DecisionLog.sequenceOf(line);
            if (dev.triage.engine.journal.DecisionLog.isVoid(line))
            {
                final int before = recorded.size();
                recorded.removeIf(r -> dev.triage.engine.journal.DecisionLog.sequenceOf(r) > sequence);
                voided += before - recorded.size();
            }
            else
            {
                recorded.add(line);
            }
        }
        final java.util.Map<Long, java.util.List<String>> logged = bySequence(recorded, afterSequence);
        final java.util.Map<Long, java.util.List<String>> implied = bySequence(recomputed, afterSequence);
        long missing = 0;
        final java.util.List<Long> missingAt = new java.util.ArrayList<>();
        for (final java.util.Map.Entry<Long, java.util.List<String>> e : logged.entrySet())
        {
            final java.util.List<String> expected = implied.get(e.getKey());
            if (expected == null && e.getKey() > journalLast)
            {
                voided += e.getValue().size();
                continue;
            }
            final java.util.List<String> got = e.getValue();
            if (expected == null || got.size() > expected.size() || !expected.subList(0, got.size()).equals(got))
            {
                System.out.printf(Locale.ROOT, "MISMATCH at sequence %d:%n  recorded:   %s%n  recomputed: %s%n", e.getKey(), got,
                    expected == null ? "(no decision)" : expected);
                return false;
            }
        }
        for (final java.util.Map.Entry<Long, java.util.List<String>> e : implied.entrySet())
        {
            final java.util.List<String> got = logged.getOrDefault(e.getKey(), java.util.List.of());
            if (got.size() < e.getValue().size())
            {
                missing += e.getValue().size() - got.size();
                missingAt.add(e.getKey());
            }
        }
        System.out.printf(Locale.ROOT, "decisions: %,d recomputed, %,d recorded, all recorded ones match%n", recomputed.size(),
            recorded.size());
        if (missing > 0)
        {
            System.out.printf(Locale.ROOT, "  %,d decisions were never logged (the log lagged the journal at a crash); recomputed " +
                "from the journal, at sequences %s%n", missing, ranges(missingAt));
        }
        if (voided > 0)
        {
            System.out.printf(Locale.ROOT, "  %,d logged decisions belong to commands the journal never held (made just before a " +
                "crash, never answered): void%n", voided);
        }
        return true;
    }

    private static java.util.Map<Long, java.util.List<String>> bySequence(final java.util.List<String> lines, final long afterSequence)
    {
        final java.util.Map<Long, java.util.List<String>> grouped = new java.util.TreeMap<>();
        for (final String line : lines)
        {
            final long sequence = dev.triage.engine.journal.DecisionLog.sequenceOf(line);
            if (sequence > afterSequence)
            {
                grouped.computeIfAbsent(sequence, k -> new java.util.ArrayList<>()).add(line);
            }
        }
        return grouped;
    }

    /** Sorted sequences as runs: "4-9, 12, 15-16". */
    private static String ranges(final java.util.List<Long> sorted)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < sorted.size(); )
        {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) <= sorted.get(j) + 1)
            {
                j++;
            }
            out.append(out.length() == 0 ? "" : ", ").append(sorted.get(i)).append(j > i ? "-" + sorted.get(j) : "");
            i = j + 1;
        }
        return out.toString();
    }
}
