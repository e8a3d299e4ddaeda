package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.book.DecisionListener;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.policy.Policy;
import dev.triage.engine.snapshot.SnapshotStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Why each conversation went to whom: replays a journal through the same rules and keeps, for one conversation or
 * one agent, every command that touched it and every decision about it, with score breakdown and runner-up.
 * Decisions are recomputed, which is exact because the engine is deterministic (the replay tests prove it).
 */
public final class AuditTrail implements DecisionListener
{
    /**
     * One line of a timeline. Score fields are points and are set for assignments only.
     *
     * @param sequence the command's sequence.
     * @param timeMs engine time.
     * @param kind a command type (OPEN, RESOLVE, ...) or a decision (ASSIGNED, LEASE_EXPIRED, ...).
     * @param conversationId conversation, or null.
     * @param agentId agent, or null.
     * @param result the command's outcome, or null for decisions.
     * @param cause for decisions, why.
     * @param assignment for assignments, the breakdown.
     */
    public record Entry(
        long sequence,
        long timeMs,
        String kind,
        String conversationId,
        String agentId,
        ResultCode result,
        String cause,
        Assignment assignment,
        String note)
    {
        /**
         * @return the same entry without a note.
         */
        Entry(final long sequence, final long timeMs, final String kind, final String conversationId, final String agentId,
            final ResultCode result, final String cause, final Assignment assignment)
        {
            this(sequence, timeMs, kind, conversationId, agentId, result, cause, assignment, null);
        }
    }

    /**
     * Why an assignment was made.
     *
     * @param score total points.
     * @param urgency urgency points.
     * @param impact impact points.
     * @param age age points.
     * @param sla SLA points.
     * @param bound wait-bound points (0 unless it had waited its urgency's bound).
     * @param candidates eligible conversations considered.
     * @param runnerUpId second best, or null.
     * @param runnerUpScore its points.
     * @param waitedMs how long the customer had waited.
     * @param leaseDeadlineMs when the lease runs out.
     * @param policyVersion the policy in force.
     */
    public record Assignment(
        double score,
        double urgency,
        double impact,
        double age,
        double sla,
        double bound,
        long candidates,
        String runnerUpId,
        double runnerUpScore,
        long waitedMs,
        long leaseDeadlineMs,
        int policyVersion)
    {
    }

    private final Predicate<Entry> filter;
    private final List<Entry> entries = new ArrayList<>();
    private TriageBook book;

    private AuditTrail(final Predicate<Entry> filter)
    {
        this.filter = filter;
    }

    /**
     * @param journalDir a journal.
     * @param settings the live engine's settings (decisions depend on its retention and timer limits).
     * @param conversationId the conversation.
     * @return its timeline.
     */
    public static List<Entry> ofConversation(final Path journalDir, final EngineContext settings, final String conversationId)
    {
        return run(journalDir, settings, e -> conversationId.equals(e.conversationId()));
    }

    /**
     * @param journalDir a journal.
     * @param settings the live engine's settings.
     * @param agentId the agent.
     * @param fromMs from (inclusive).
     * @param toMs to (exclusive).
     * @return what the agent was given and did in that window.
     */
    public static List<Entry> ofAgent(
        final Path journalDir, final EngineContext settings, final String agentId, final long fromMs, final long toMs)
    {
        return run(journalDir, settings, e -> agentId.equals(e.agentId()) && e.timeMs() >= fromMs && e.timeMs() < toMs);
    }

    /** The first entry when the journal before a snapshot was deleted by retention: the trail starts there. */
    public static final String HISTORY_STARTS = "HISTORY_STARTS_AT_SNAPSHOT";

    private static List<Entry> run(final Path journalDir, final EngineContext settings, final Predicate<Entry> filter)
    {
        final AuditTrail trail = new AuditTrail(filter);
        final Reply reply = new Reply(r -> { }, 0);
        final long[] startMs = new long[1];
        try (Journal journal = Journal.readOnly(journalDir))
        {
            final Recovery.Result rebuilt = Recovery.rebuild(journal, new SnapshotStore(journalDir.resolve("snapshots")),
                () -> settings.newBook(r -> { }), Recovery.Start.OLDEST, book ->
                {
                    trail.book = book;
                    book.decisionListener(trail);
                    startMs[0] = book.nowMs();
                    return command ->
                    {
                        reply.reset();
                        command.reply = reply;
                        final int decisionsFrom = trail.entries.size();
                        book.apply(command);
                        trail.onCommand(command, reply, decisionsFrom);
                    };
                });
            if (rebuilt.snapshot() != null && !trail.entries.isEmpty())
            {
                trail.entries.add(0, new Entry(rebuilt.startSequence(), startMs[0], HISTORY_STARTS,
                    null, null, null, null, null));
            }
        }
        return trail.entries;
    }

    /** The command's own line goes before the decisions it caused. */
    private void onCommand(final Command command, final Reply reply, final int decisionsFrom)
    {
        if (command.type == CommandType.TICK || command.type == CommandType.RESTART)
        {
            return;
        }
        if ((command.type == CommandType.INCIDENT_REPLY || command.type == CommandType.INCIDENT_RESOLVE) && reply.affectedIds != null)
        {
            // One command, a line for each member it moved: what the member's own audit shows.
            final String note = (command.type == CommandType.INCIDENT_REPLY ? "answered" : "resolved") + " with incident " +
                command.incidentKey + (command.agentId == null ? "" : " by " + command.agentId) +
                (command.reference == null ? "" : " (" + command.reference + ")");
            for (int i = 0; i < reply.affectedCount; i++)
            {
                final Entry entry = new Entry(command.sequence, command.timestampMs, command.type.name(), reply.affectedIds[i],
                    command.agentId, reply.result, null, null, note);
                if (filter.test(entry))
                {
                    entries.add(entry);
                }
            }
            return;
        }
        final Entry entry = new Entry(command.sequence, command.timestampMs, command.type.name(), command.conversationId,
            command.agentId, reply.result, null, null);
        if (filter.test(entry))
        {
            entries.add(decisionsFrom, entry);
        }
    }

    @Override
    public void onAssigned(final Cause cause, final long sequence, final long nowMs, final Reply r)
    {
        add(new Entry(sequence, nowMs, "ASSIGNED", r.conversationId, r.agentId, null, cause.name(), new Assignment(
            points(r.scoreUnits), points(r.urgencyUnits), points(r.impactUnits), points(r.ageUnits), points(r.slaUnits),
            points(r.boundUnits), r.candidates, r.runnerUpId, points(r.runnerUpScoreUnits), r.waitedMs, r.leaseDeadlineMs, book.policyVersion())));
    }

    @Override
    public void onReturned(final Cause cause, final long sequence, final long nowMs, final String conversationId, final String agentId)
    {
        add(new Entry(sequence, nowMs, "RETURNED", conversationId, agentId, null, cause.name(), null));
    }

    private void add(final Entry entry)
    {
        if (filter.test(entry))
        {
            entries.add(entry);
        }
    }

    private static double points(final long units)
    {
        return units / (double)Policy.UNITS_PER_POINT;
    }
}
