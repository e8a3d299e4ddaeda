package dev.triage.api.cli;

import dev.triage.engine.EngineContext;
import dev.triage.engine.journal.AuditTrail;
import dev.triage.engine.journal.AuditTrail.Entry;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code triage audit}: a conversation's whole timeline, or what an agent was given and why, recomputed from the
 * journal.
 */
@Command(name = "audit", description = "Explain from the journal why a conversation went to whom, or what an agent was given.")
final class AuditCommand implements Callable<Integer>
{
    static final class Target
    {
        @Option(names = "--conversation", required = true, description = "the conversation's whole timeline")
        String conversation;

        @Option(names = "--agent", required = true, description = "what the agent was given and did")
        String agent;
    }

    @Option(names = "--journal", defaultValue = "data", description = "journal directory (default: ./${DEFAULT-VALUE})")
    Path journal;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--from", description = "with --agent: from this instant (ISO-8601 or epoch ms)")
    String from;

    @Option(names = "--to", description = "with --agent: until this instant (ISO-8601 or epoch ms)")
    String to;

    @Option(names = "--json", description = "one JSON array, for machines")
    boolean json;

    PrintStream out = System.out;

    @Override
    public Integer call()
    {
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal at " + journal.toAbsolutePath());
        }
        final EngineContext settings;
        try
        {
            settings = dev.triage.engine.journal.JournalSettings.contextFor(journal);
        }
        catch (final java.io.IOException e)
        {
            throw new IllegalArgumentException(e.getMessage());
        }
        final List<Entry> entries = target.conversation != null ?
            AuditTrail.ofConversation(journal, settings, target.conversation) :
            AuditTrail.ofAgent(journal, settings, target.agent, instant(from, Long.MIN_VALUE), instant(to, Long.MAX_VALUE));
        if (json)
        {
            out.println(Json.of(entries));
            return 0;
        }
        if (entries.isEmpty())
        {
            out.println("nothing in " + journal + " about " + (target.conversation != null ?
                "conversation " + target.conversation : "agent " + target.agent));
            return 0;
        }
        for (final Entry e : entries)
        {
            out.println(line(e));
        }
        return 0;
    }

    static String line(final Entry e)
    {
        final StringBuilder sb = new StringBuilder(160)
            .append(Instant.ofEpochMilli(e.timeMs())).append("  #").append(e.sequence()).append("  ");
        if (AuditTrail.HISTORY_STARTS.equals(e.kind()))
        {
            sb.append("history starts here: retention deleted the journal before this snapshot of the state");
        }
        else if (e.assignment() != null)
        {
            final AuditTrail.Assignment a = e.assignment();
            sb.append(e.conversationId()).append(" ASSIGNED to ").append(e.agentId()).append(" (").append(e.cause()).append(")\n")
                .append(String.format(Locale.ROOT, "      score %.1f = urgency %.0f + impact %.0f + age %.1f + sla %.0f; ",
                    a.score(), a.urgency(), a.impact(), a.age(), a.sla()))
                .append(a.candidates()).append(" eligible");
            if (a.runnerUpId() != null)
            {
                sb.append(String.format(Locale.ROOT, "; runner-up %s (%.1f)", a.runnerUpId(), a.runnerUpScore()));
            }
            sb.append(String.format(Locale.ROOT, "; customer had waited %.1f s; policy v%d", a.waitedMs() / 1000.0, a.policyVersion()));
        }
        else if (e.note() != null)
        {
            sb.append(e.conversationId()).append(' ').append(e.note());
        }
        else if (e.cause() != null)
        {
            sb.append(e.conversationId()).append(" back to the queue from ").append(e.agentId()).append(" (").append(e.cause()).append(')');
        }
        else
        {
            sb.append(e.kind());
            if (e.conversationId() != null)
            {
                sb.append(' ').append(e.conversationId());
            }
            if (e.agentId() != null)
            {
                sb.append(" by ").append(e.agentId());
            }
            sb.append(" -> ").append(e.result());
        }
        return sb.toString();
    }

    static long instant(final String value, final long otherwise)
    {
        if (value == null)
        {
            return otherwise;
        }
        try
        {
            return value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
        }
        catch (final RuntimeException e)
        {
            throw new IllegalArgumentException("'" + value + "' is not an instant (e.g. 2026-11-23T17:00:00Z or epoch ms)");
        }
    }
}
