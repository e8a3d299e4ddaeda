package dev.triage.engine.ground;

/**
 * Where a conversation stands against its SLA deadline; int constants so state stays primitive.
 */
public final class SlaBand
{
    public static final int NONE = 0;
    public static final int AT_RISK = 1;
    public static final int BREACHED = 2;

    private SlaBand()
    {
    }
}
