package dev.triage.engine.journal;

/**
 * Chronicle settings every user of it in Triage needs before Chronicle's classes initialise: a product must not
 * phone home (no usage analytics, no start-up announcement). Each class that opens a Chronicle queue calls
 * {@link #apply()} from its static initialiser.
 */
final class ChronicleDefaults
{
    static
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private ChronicleDefaults()
    {
    }

    /**
     * Ensures the settings are in place (the work is done once, by this class's initialiser).
     */
    static void apply()
    {
    }
}
