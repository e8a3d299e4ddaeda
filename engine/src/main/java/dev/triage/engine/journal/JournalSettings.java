package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The engine settings that shape decisions (retention of resolved conversations, timers per tick, the agent limit)
 * and the journal's file roll, kept beside the journal in {@code engine.properties}: a journal only replays exactly
 * under the settings that wrote it and is only read back with its own roll, so the engine refuses to start on it with
 * others, and offline tools read them from here.
 *
 * @param retainResolved resolved conversations kept.
 * @param timerLimitPerTick timers of each kind per TICK.
 * @param maxAgents agent limit.
 * @param roll how often the journal starts a new file (journals recorded before it was configurable: hourly).
 * @param policyDefaults the policy defaults the journal starts under before its first SET_POLICY
 * ({@link dev.triage.engine.policy.Policy#defaults(int)}; journals recorded before leads and bounds: generation 1).
 */
public record JournalSettings(int retainResolved, int timerLimitPerTick, int maxAgents, JournalRoll roll, int policyDefaults)
{
    /** The file's name in the journal directory. */
    public static final String FILE = "engine.properties";
    /** The property recording the policy defaults' generation. */
    public static final String POLICY_DEFAULTS_PROP = "triage.policy.defaults";

    /**
     * @param context settings.
     * @return the decision-shaping part of them.
     */
    public static JournalSettings of(final EngineContext context)
    {
        return new JournalSettings(context.retainResolved(), context.timerLimitPerTick(), context.maxAgents(), context.journalRoll(),
            context.policyDefaults());
    }

    /**
     * @param other other settings.
     * @return true if both make the same decisions (the roll only places records in files; the policy defaults are the
     * journal's, adopted by whoever opens it).
     */
    public boolean decidesLike(final JournalSettings other)
    {
        return retainResolved == other.retainResolved && timerLimitPerTick == other.timerLimitPerTick && maxAgents == other.maxAgents;
    }

    /**
     * @param journalDir a journal directory.
     * @return its recorded settings, or null if none are recorded.
     * @throws IOException if the file exists but cannot be read.
     */
    public static JournalSettings read(final Path journalDir) throws IOException
    {
        final Path file = journalDir.resolve(FILE);
        if (!Files.exists(file))
        {
            return null;
        }
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            p.load(in);
        }
        try
        {
            return new JournalSettings(
                Integer.parseInt(p.getProperty(EngineContext.RETAIN_RESOLVED_PROP)),
                Integer.parseInt(p.getProperty(EngineContext.TIMER_LIMIT_PER_TICK_PROP)),
                Integer.parseInt(p.getProperty(EngineContext.MAX_AGENTS_PROP)),
                JournalRoll.valueOf(p.getProperty(EngineContext.JOURNAL_ROLL_PROP, JournalRoll.HOUR.name())),
                Integer.parseInt(p.getProperty(POLICY_DEFAULTS_PROP, Integer.toString(dev.triage.engine.policy.Policy.DEFAULTS_BEFORE_LEADS))));
        }
        catch (final RuntimeException e)
        {
            throw new IOException(file + " is malformed: " + e.getMessage());
        }
    }

    /**
     * @param journalDir where to record them.
     * @throws IOException if they cannot be written.
     */
    public void write(final Path journalDir) throws IOException
    {
        Files.createDirectories(journalDir);
        final Properties p = new Properties();
        p.setProperty(EngineContext.RETAIN_RESOLVED_PROP, Integer.toString(retainResolved));
        p.setProperty(EngineContext.TIMER_LIMIT_PER_TICK_PROP, Integer.toString(timerLimitPerTick));
        p.setProperty(EngineContext.MAX_AGENTS_PROP, Integer.toString(maxAgents));
        p.setProperty(EngineContext.JOURNAL_ROLL_PROP, roll.name());
        p.setProperty(POLICY_DEFAULTS_PROP, Integer.toString(policyDefaults));
        try (Writer out = Files.newBufferedWriter(journalDir.resolve(FILE), StandardCharsets.UTF_8))
        {
            p.store(out, "Settings this journal was written with; decisions replay exactly only under them.");
        }
    }

    /**
     * @param journalDir a journal directory.
     * @return the roll it was written with (hourly when none is recorded).
     * @throws IOException if the recorded settings cannot be read.
     */
    public static JournalRoll rollOf(final Path journalDir) throws IOException
    {
        final JournalSettings recorded = read(journalDir);
        return recorded == null ? JournalRoll.HOUR : recorded.roll;
    }

    /**
     * @param journalDir a journal directory.
     * @return an engine context with the journal's recorded settings (defaults where none are recorded).
     * @throws IOException if the recorded settings cannot be read.
     */
    public static EngineContext contextFor(final Path journalDir) throws IOException
    {
        final JournalSettings recorded = read(journalDir);
        final EngineContext context = new EngineContext();
        if (recorded != null)
        {
            context.retainResolved(recorded.retainResolved).timerLimitPerTick(recorded.timerLimitPerTick).maxAgents(recorded.maxAgents)
                .journalRoll(recorded.roll).policyDefaults(recorded.policyDefaults);
        }
        return context;
    }
}
