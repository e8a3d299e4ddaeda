package dev.triage.api;

import dev.triage.api.cli.TriageCli;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * One {@code triage} command line run in this JVM, as {@code main} runs it, with its exit code and what it printed.
 *
 * @param exit the exit code.
 * @param out standard output.
 * @param err standard error, then picocli's own messages.
 */
record CliRun(int exit, String out, String err)
{
    static CliRun execute(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final StringWriter parseErr = new StringWriter();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final CommandLine cl = TriageCli.commandLine();
            cl.setErr(new PrintWriter(parseErr, true));
            final int exit = cl.execute(args);
            return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + parseErr);
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
