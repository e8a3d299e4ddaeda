package dev.triage.api.cli;

import dev.triage.engine.command.CommandType;
import dev.triage.engine.journal.Journal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code triage journal stats|tail|dump}: look inside a journal without starting a server.
 */
@Command(name = "journal", description = "Inspect a journal: stats (files, sizes, counts by type), tail (last records) or dump (all).")
final class JournalCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "stats, tail or dump")
    String action;

    @Option(names = "--journal", defaultValue = "data", description = "journal directory (default: ./${DEFAULT-VALUE})")
    Path journal;

    @Option(names = "-n", defaultValue = "20", description = "records for tail (default: ${DEFAULT-VALUE})")
    int n;

    PrintStream out = System.out;

    @Override
    public Integer call() throws IOException
    {
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal at " + journal.toAbsolutePath());
        }
        switch (action)
        {
            case "stats": return stats();
            case "tail": return tail();
            case "dump": return dump();
            default: throw new IllegalArgumentException("action must be stats, tail or dump, was '" + action + "'");
        }
    }

    private int stats() throws IOException
    {
        final Map<CommandType, Long> byType = new EnumMap<>(CommandType.class);
        final long[] firstLast = { Long.MAX_VALUE, Long.MIN_VALUE };
        final Journal.ReplayResult result;
        try (Journal j = Journal.readOnly(journal))
        {
            result = j.replay(c ->
            {
                byType.merge(c.type, 1L, Long::sum);
                firstLast[0] = Math.min(firstLast[0], c.timestampMs);
                firstLast[1] = Math.max(firstLast[1], c.timestampMs);
            });
        }
        try (Stream<Path> files = Files.list(journal))
        {
            files.filter(p -> p.toString().endsWith(".cq4")).sorted().forEach(p ->
            {
                try
                {
                    out.printf("%-24s %,14d bytes%n", p.getFileName(), Files.size(p));
                }
                catch (final IOException e)
                {
                    out.printf("%-24s unreadable: %s%n", p.getFileName(), e.getMessage());
                }
            });
        }
        out.printf("%,d commands, last sequence %d%s%n", result.commands(), result.lastSequence(),
            result.commands() == 0 ? "" : ", from " + Instant.ofEpochMilli(firstLast[0]) + " to " + Instant.ofEpochMilli(firstLast[1]));
        byType.forEach((type, count) -> out.printf("  %-16s %,d%n", type, count));
        out.printf("roll %s%n", dev.triage.engine.journal.JournalSettings.rollOf(journal));
        final long deletedThrough = dev.triage.engine.journal.Retention.deletedThrough(journal);
        if (deletedThrough >= 0)
        {
            out.printf("retention deleted the files holding sequences up to %d (replays start from a snapshot)%n", deletedThrough);
        }
        return 0;
    }

    private int tail()
    {
        final ArrayDeque<String> last = new ArrayDeque<>(n);
        try (Journal j = Journal.readOnly(journal))
        {
            j.replay(c ->
            {
                if (last.size() == n)
                {
                    last.removeFirst();
                }
                last.addLast(line(c));
            });
        }
        last.forEach(out::println);
        return 0;
    }

    private int dump()
    {
        try (Journal j = Journal.readOnly(journal))
        {
            j.replay(c -> out.println(line(c)));
        }
        return 0;
    }

    private static String line(final dev.triage.engine.command.Command c)
    {
        final String text = c.toString();
        final int at = text.lastIndexOf(" @");
        return Instant.ofEpochMilli(c.timestampMs) + "  #" + c.sequence + "  " + (at > 0 ? text.substring(0, at) : text);
    }
}
