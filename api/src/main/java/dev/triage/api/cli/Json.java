package dev.triage.api.cli;

import dev.triage.engine.journal.AuditTrail;

import java.util.List;

/**
 * Just enough JSON for audit output (the CLI's {@code audit --json} and the console's audit panel): flat records of
 * strings and numbers.
 */
public final class Json
{
    private Json()
    {
    }

    public static String of(final List<AuditTrail.Entry> entries)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < entries.size(); i++)
        {
            final AuditTrail.Entry e = entries.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("  {\"sequence\": ").append(e.sequence())
                .append(", \"timeMs\": ").append(e.timeMs())
                .append(", \"kind\": ").append(string(e.kind()))
                .append(", \"conversationId\": ").append(string(e.conversationId()))
                .append(", \"agentId\": ").append(string(e.agentId()))
                .append(", \"result\": ").append(string(e.result() == null ? null : e.result().name()))
                .append(", \"cause\": ").append(string(e.cause()));
            if (e.note() != null)
            {
                sb.append(", \"note\": ").append(string(e.note()));
            }
            final AuditTrail.Assignment a = e.assignment();
            if (a != null)
            {
                sb.append(", \"score\": ").append(a.score())
                    .append(", \"urgency\": ").append(a.urgency())
                    .append(", \"impact\": ").append(a.impact())
                    .append(", \"age\": ").append(a.age())
                    .append(", \"sla\": ").append(a.sla())
                    .append(", \"bound\": ").append(a.bound())
                    .append(", \"candidates\": ").append(a.candidates())
                    .append(", \"runnerUpId\": ").append(string(a.runnerUpId()))
                    .append(", \"runnerUpScore\": ").append(a.runnerUpScore())
                    .append(", \"waitedMs\": ").append(a.waitedMs())
                    .append(", \"leaseDeadlineMs\": ").append(a.leaseDeadlineMs())
                    .append(", \"policyVersion\": ").append(a.policyVersion());
            }
            sb.append('}');
        }
        return sb.append(entries.isEmpty() ? "]" : "\n]").toString();
    }

    static String string(final String s)
    {
        if (s == null)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
