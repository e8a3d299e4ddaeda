package dev.triage.api.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code triage}: the server and its command-line client.
 */
@Command(name = "triage", mixinStandardHelpOptions = true, versionProvider = TriageCli.Version.class,
    scope = CommandLine.ScopeType.INHERIT,
    description = "A low-latency triage engine for customer-support teams.",
    subcommands = {
        ServeCommand.class,
        DemoCommand.class,
        ClientCommands.Open.class,
        ClientCommands.Update.class,
        ClientCommands.CustomerReplied.class,
        ClientCommands.AgentReplied.class,
        ClientCommands.Resolve.class,
        ClientCommands.Reopen.class,
        ClientCommands.Agent.class,
        ClientCommands.Status.class,
        ClientCommands.Next.class,
        ClientCommands.Ack.class,
        ClientCommands.Release.class,
        ClientCommands.Top.class,
        ClientCommands.Stats.class,
        ClientCommands.Watch.class,
        ClientCommands.Info.class,
        ClientCommands.Snapshot.class,
        ClientCommands.PolicyCommand.class,
        ClientCommands.IncidentCommand.class,
        AuditCommand.class,
        WhatIfCommand.class,
        ReplayCommand.class,
        JournalCommand.class,
        TokenCommand.class
    })
public final class TriageCli
{
    /** Held so the setting is not collected: Chronicle's start-up notes are not for operators. */
    private static final java.util.logging.Logger CHRONICLE_LOG = java.util.logging.Logger.getLogger("net.openhft");

    /**
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        CHRONICLE_LOG.setLevel(java.util.logging.Level.WARNING);
        try
        {
            System.exit(commandLine().execute(args));
        }
        catch (final InternalError e)
        {
            // The JVM's word for a fault in a memory-mapped file: a read or write the disk could not back.
            System.err.println("error: reading or writing a memory-mapped journal file failed (" + e.getMessage() + "): its " +
                "disk is probably full (a read of an unwritten part of a file needs space on tmpfs), or the file was cut short " +
                "while mapped. Free space and run it again");
            System.exit(1);
        }
    }

    /**
     * @return the configured command line, for tests and embedding: bad input prints its reason and exits 2.
     */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new TriageCli()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) ->
        {
            if (e instanceof IllegalArgumentException)
            {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            final java.net.BindException bind = bindFailure(e);
            if (bind != null)
            {
                commandLine.getErr().println("error: cannot listen: " + (e == bind ? "" : e.getMessage() + ": ") + bind.getMessage() +
                    " (is another server running there? choose another --port, --metrics-port or --bind)");
                return 1;
            }
            if (e instanceof IllegalStateException || e instanceof dev.triage.engine.journal.JournalFormatException)
            {
                // A refusal to start (a full disk, a damaged journal, other settings): the reason is the whole story.
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl;
    }

    private static java.net.BindException bindFailure(final Throwable e)
    {
        for (Throwable t = e; t != null; t = t.getCause())
        {
            if (t instanceof java.net.BindException bind)
            {
                return bind;
            }
        }
        return null;
    }

    /** The version the server's Info reports too: the jar's implementation version. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[]{ "triage " + dev.triage.api.service.TriageService.VERSION };
        }
    }
}
