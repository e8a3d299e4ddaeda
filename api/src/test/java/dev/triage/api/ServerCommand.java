package dev.triage.api;

import dev.triage.api.cli.TriageCli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a {@code triage} child JVM on this test's classpath, with the JVM flags Chronicle needs. */
final class ServerCommand
{
    private ServerCommand()
    {
    }

    /**
     * @param jvmOptions options for the child JVM beyond this one's --add-* and -Dchronicle flags.
     * @param triageArgs the triage command line (e.g. serve ...).
     * @return the command.
     */
    static List<String> of(final List<String> jvmOptions, final List<String> triageArgs)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle"))
            {
                command.add(arg);
            }
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TriageCli.class.getName());
        command.addAll(triageArgs);
        return command;
    }
}
