package dev.triage.api.cli;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.triage.api.service.ProtoMapper;
import dev.triage.engine.EngineContext;
import dev.triage.engine.journal.JournalSettings;
import dev.triage.engine.policy.Policy;
import dev.triage.engine.whatif.WhatIf;
import dev.triage.engine.whatif.WhatIfResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code triage whatif}: replay a journal's traffic under another policy, beside the recorded one, and report who
 * would have waited longer. Offline; reads a live server's journal without changing it.
 */
@Command(name = "whatif", description = {
    "Replay a journal's traffic under another policy and compare: waits by urgency, SLA, incidents, fairness.",
    "Two simulations in one pass (baseline: the recorded policies; candidate: yours from --from on), beside the recording.",
    "The model (see README, What-if): recorded arrivals, logins and statuses; each agent does what it did in the recording",
    "until the simulation assigns it something else, then it handles each conversation for as long as the recording did",
    "(never-handled ones: a time drawn from their skill set's spread) and asks again. The first lines say how close the",
    "baseline is to the recording."})
final class WhatIfCommand implements Callable<Integer>
{
    @Option(names = "--journal", defaultValue = "data", description = "journal directory (default: ./${DEFAULT-VALUE})")
    Path journal;

    @Option(names = "--policy", description = "candidate policy as JSON ('triage policy get --json' prints one); " +
        "fields it leaves out keep the recorded values")
    Path policyFile;

    @Option(names = "--set", description = "change one field of the recorded policy, named as in triage.proto's Policy, " +
        "e.g. --set age_points_per_minute=4 (repeatable; after --policy)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--from", description = "the candidate applies, and the report starts, here (ISO-8601 or epoch ms; default: the start)")
    String from;

    @Option(names = "--to", description = "the report and the simulations end here (ISO-8601 or epoch ms; default: the end)")
    String to;

    @Option(names = "--replace-recorded-changes", description = "the candidate holds from --from on and the policy changes " +
        "recorded after it are left out (default: the candidate's changes apply on top of each recorded policy)")
    boolean replace;

    @Option(names = "--agents-off-trace", description = "the simulations act for every agent from the start instead of " +
        "following the recording until an assignment differs: checks the model of agents alone against the recording")
    boolean offTrace;

    @Option(names = "--out", description = "write whatif.json and whatif.html (charts) in this directory")
    Path out;

    @Option(names = "--json", description = "print the JSON instead of the summary")
    boolean json;

    PrintStream stdout = System.out;
    PrintStream stderr = System.err;

    @Override
    public Integer call() throws IOException
    {
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal at " + journal.toAbsolutePath());
        }
        if (policyFile == null && sets.isEmpty())
        {
            throw new IllegalArgumentException("name a candidate policy: --policy FILE or --set field=value");
        }
        final long fromMs = AuditCommand.instant(from, Long.MIN_VALUE);
        final long toMs = AuditCommand.instant(to, Long.MAX_VALUE);
        if (fromMs >= toMs)
        {
            throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
        }
        final String policyJson = policyFile == null ? null : Files.readString(policyFile, StandardCharsets.UTF_8);
        candidate(Policy.defaults(), policyJson); // bad fields and values fail here, before the journal is read
        final EngineContext settings;
        try
        {
            settings = JournalSettings.contextFor(journal);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException(e.getMessage());
        }
        final boolean[] progressed = new boolean[1];
        final WhatIfResult result = WhatIf.run(journal, settings, new WhatIf.Options(fromMs, toMs,
            recorded -> candidate(recorded, policyJson),
            read ->
            {
                progressed[0] = true;
                stderr.printf(Locale.ROOT, "\rwhatif: %,d records read (the journal is read twice)", read);
            }, replace, !offTrace));
        if (progressed[0])
        {
            stderr.println();
        }
        final String text = WhatIfReport.json(result);
        if (out != null)
        {
            Files.createDirectories(out);
            Files.writeString(out.resolve("whatif.json"), text, StandardCharsets.UTF_8);
            Files.writeString(out.resolve("whatif.html"), WhatIfReport.html(result, text), StandardCharsets.UTF_8);
        }
        if (json)
        {
            stdout.println(text);
        }
        else
        {
            stdout.print(WhatIfReport.summary(result));
            if (out != null)
            {
                stdout.println("report: " + out.resolve("whatif.html").toAbsolutePath() + " and whatif.json");
            }
        }
        return 0;
    }

    /** The recorded policy with the file's fields, then each --set, applied; errors name the field. */
    private Policy candidate(final Policy recorded, final String policyJson)
    {
        final dev.triage.proto.v1.Policy.Builder p = ProtoMapper.policy(recorded).toBuilder();
        if (policyJson != null)
        {
            try
            {
                // Parsed alone (names and ranges of types checked), then only the fields the file names are copied.
                final dev.triage.proto.v1.Policy.Builder file = dev.triage.proto.v1.Policy.newBuilder();
                JsonFormat.parser().merge(policyJson, file);
                for (final String key : com.google.gson.JsonParser.parseString(policyJson).getAsJsonObject().keySet())
                {
                    Descriptors.FieldDescriptor field = dev.triage.proto.v1.Policy.getDescriptor().findFieldByName(key);
                    if (field == null)
                    {
                        field = dev.triage.proto.v1.Policy.getDescriptor().getFields().stream()
                            .filter(f -> f.getJsonName().equals(key)).findFirst().orElseThrow();
                    }
                    p.setField(field, file.getField(field));
                }
            }
            catch (final InvalidProtocolBufferException | RuntimeException e)
            {
                throw new IllegalArgumentException("policy file " + policyFile + ": " + e.getMessage() +
                    " (fields are named as in triage.proto's Policy: " + fieldNames() + ")");
            }
        }
        for (final String set : sets)
        {
            final int eq = set.indexOf('=');
            final String key = eq < 0 ? set : set.substring(0, eq).trim();
            final Descriptors.FieldDescriptor field = dev.triage.proto.v1.Policy.getDescriptor().findFieldByName(key);
            if (eq < 0 || field == null)
            {
                throw new IllegalArgumentException("--set " + set + ": " + (eq < 0 ? "write field=value" : "no policy field '" + key + "'") +
                    "; fields: " + fieldNames());
            }
            final String value = set.substring(eq + 1).trim();
            try
            {
                if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.ENUM)
                {
                    final String name = value.equalsIgnoreCase("off") ? "URGENCY_UNSPECIFIED" : value.toUpperCase(Locale.ROOT);
                    final Descriptors.EnumValueDescriptor urgency = field.getEnumType().findValueByName(name);
                    if (urgency == null)
                    {
                        throw new NumberFormatException("not low, normal, high, urgent, critical or off");
                    }
                    p.setField(field, urgency);
                }
                else if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.INT)
                {
                    p.setField(field, Integer.parseInt(value));
                }
                else
                {
                    p.setField(field, Long.parseLong(value));
                }
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("--set " + set + ": '" + value + "' is not a value for " + key +
                    (e.getMessage() != null && e.getMessage().startsWith("not ") ? " (" + e.getMessage() + ")" : " (a whole number)"));
            }
        }
        try
        {
            return ProtoMapper.policy(p.build());
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("candidate policy: " + e.getMessage());
        }
    }

    private static String fieldNames()
    {
        return String.join(", ", dev.triage.proto.v1.Policy.getDescriptor().getFields().stream()
            .map(Descriptors.FieldDescriptor::getName).toList());
    }
}
