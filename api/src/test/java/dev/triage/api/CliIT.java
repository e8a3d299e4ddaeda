package dev.triage.api;

import dev.triage.api.cli.TriageCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's tour through the command line, against a real server over netty.
 */
@Timeout(60)
class CliIT
{
    private ServerFixture fixture;
    private String server;

    @BeforeEach
    void start() throws Exception
    {
        fixture = new ServerFixture();
        server = "127.0.0.1:" + fixture.server.port();
    }

    @AfterEach
    void stop() throws Exception
    {
        fixture.close();
    }

    @Test
    void shouldRunTheTour()
    {
        assertOk("agent", "--id", "ann", "--skills", "billing,en", "--capacity", "3");
        assertTrue(assertOk("open", "--id", "C-1", "--urgency", "normal", "--skills", "billing").contains("opened C-1 is OPEN"));
        assertOk("open", "--id", "C-2", "--urgency", "high", "--impact", "40", "--skills", "en", "--incident", "login-outage");
        assertOk("open", "--id", "C-3", "--urgency", "low", "--respond-by", "10m");
        final String top = assertOk("top");
        assertTrue(top.indexOf("C-3") > top.indexOf("C-2") && top.indexOf("C-1") > top.indexOf("C-2"), top);
        final String next = assertOk("next", "--agent", "ann");
        assertTrue(next.startsWith("ann -> C-2  score 600.0 = urgency 300 + impact 300"), next);
        assertTrue(next.contains("runner-up C-3 (460.0)"), next);
        assertOk("ack", "--agent", "ann", "--id", "C-2");
        assertTrue(assertOk("resolve", "--id", "C-2").contains("RESOLVED"));
        final String stats = assertOk("stats");
        assertTrue(stats.contains("open 2 (low 1, normal 1"), stats);
        assertTrue(stats.contains("oldest wait "), stats);
        // Each urgency with something waiting, the most urgent first, names the one waiting longest.
        final int normal = stats.indexOf("  normal   1 waiting, the oldest C-1 for ");
        final int low = stats.indexOf("  low      1 waiting, the oldest C-3 for ");
        assertTrue(normal >= 0 && low > normal, "most urgent first: " + stats);
        assertFalse(stats.contains("  critical "), "nothing critical waits: " + stats);
        assertTrue(stats.contains("agents 1 (1 available, 0 waiting)"), stats);
        assertTrue(assertOk("policy", "set", "--age-points-per-minute", "4").contains("age_points_per_minute: 4"));
    }

    @Test
    void shouldRunTheDemo()
    {
        final CliRun demo = execute("demo", "--seconds", "3");
        assertEquals(0, demo.exit(), demo.err());
        assertTrue(demo.out().contains("OUTAGE: 150 customers"), demo.out());
        assertTrue(demo.out().contains(" takes "), demo.out());
        assertTrue(demo.out().contains("after 3s: "), demo.out());
    }

    @Test
    void shouldPrintTheServersErrorAndExitNonZero()
    {
        final CliRun run = run("resolve", "--id", "nope");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("error: NOT_FOUND: no such conversation"), run.err());
        final CliRun invalid = run("open", "--id", "C-1", "--urgency", "high", "--impact", "0");
        assertEquals(1, invalid.exit());
        assertTrue(invalid.err().contains("impact: must be 1..1000000000"), invalid.err());
        final CliRun badUrgency = run("open", "--id", "C-1", "--urgency", "sometimes");
        assertEquals(2, badUrgency.exit());
        assertTrue(badUrgency.err().contains("urgency must be low, normal, high, urgent or critical"), badUrgency.err());
    }

    private String assertOk(final String... args)
    {
        final CliRun run = run(args);
        assertEquals(0, run.exit(), run.err());
        return run.out();
    }

    @Test
    void shouldShowHelpForEverySubcommandAndDescribeEveryOption()
    {
        final CommandLine cli = TriageCli.commandLine();
        for (final CommandLine sub : all(cli))
        {
            final String name = sub.getCommandSpec().qualifiedName();
            final String path = name.equals("triage") ? "" : name.substring("triage ".length()) + " ";
            final CliRun help = execute((path + "--help").split(" "));
            assertEquals(0, help.exit(), name + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: " + name), name + ": " + help.out());
            for (final picocli.CommandLine.Model.OptionSpec option : sub.getCommandSpec().options())
            {
                assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                    name + " " + option.longestName() + " has no description");
            }
        }
    }

    @Test
    void shouldRefuseAPolicySetThatChangesNothing()
    {
        final String before = assertOk("policy", "get");
        final CliRun none = run("policy", "set");
        assertEquals(2, none.exit(), none.out() + none.err());
        assertTrue(none.err().contains("policy set changes nothing"), none.err());
        final String current = before.lines().filter(l -> l.startsWith("lease_ms")).findFirst().orElseThrow();
        final CliRun same = run("policy", "set", "--lease", current.substring(current.indexOf(':') + 1).trim() + "ms");
        assertEquals(2, same.exit(), same.out() + same.err());
        assertEquals(before, assertOk("policy", "get"), "no new version was journaled");
    }

    private static java.util.List<CommandLine> all(final CommandLine cli)
    {
        final java.util.List<CommandLine> found = new java.util.ArrayList<>(java.util.List.of(cli));
        for (final CommandLine sub : cli.getSubcommands().values())
        {
            found.addAll(all(sub));
        }
        return found;
    }

    @Test
    void shouldRefuseToServeADamagedJournalInOneLine(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path journal)
        throws Exception
    {
        try (ServerFixture damaged = new ServerFixture(new dev.triage.engine.EngineContext().journalDir(journal), null))
        {
            for (final String id : new String[]{ "first", "MIDMARKER", "third" })
            {
                damaged.stub().open(TriageServiceIT.open(id, dev.triage.proto.v1.Urgency.NORMAL, 1, ""));
            }
        }
        dev.triage.engine.fixture.JournalFiles.rewriteHeader(journal, "MIDMARKER", header -> 0);
        final CliRun refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
            () -> execute("serve", "--journal", journal.toString(), "--port", "0", "--metrics-port", "-1"));
        assertEquals(1, refused.exit(), refused.err());
        assertTrue(refused.err().startsWith("error: journal ") && refused.err().contains("records follow it"), refused.err());
        assertEquals(1, refused.err().strip().lines().count(), "one line: " + refused.err());
    }

    private CliRun run(final String... args)
    {
        final String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        // Appended last, --server lands on the leaf command (policy set --server ...).
        full[args.length + 1] = server;
        return execute(full);
    }

    private static CliRun execute(final String... args)
    {
        return CliRun.execute(args);
    }
}
