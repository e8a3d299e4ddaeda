package dev.triage.engine.ground;

/**
 * How badly the customer is suffering. The ordinal is the level the policy weighs (0 = LOW).
 */
public enum Urgency
{
    LOW, NORMAL, HIGH, URGENT, CRITICAL;

    private static final Urgency[] VALUES = values();

    /**
     * @param level 0..4.
     * @return the urgency at that level.
     */
    public static Urgency ofLevel(final int level)
    {
        return VALUES[level];
    }

    /**
     * @return the number of urgency levels.
     */
    public static int count()
    {
        return VALUES.length;
    }
}
