package dev.triage.engine.ground;

/**
 * The bounds of what a request may ask for: one source for the API's field checks and the engine's own.
 */
public final class Limits
{
    /** Ids (conversations, agents, incidents): 1..128 characters. */
    public static final int MAX_ID_LENGTH = 128;
    /** Distinct skill names held engine-wide at once. */
    public static final int MAX_SKILL_NAMES = 4_096;
    /** Of those, the names only agents' skills (UpsertAgent, an admin's call) may bring in. */
    public static final int SKILL_NAMES_KEPT_FOR_AGENTS = 16;
    /** Skill names on one conversation (required or preferred) or one agent. */
    public static final int MAX_SKILLS_PER_ITEM = 16;
    /** Customers one conversation may report affected. */
    public static final int MAX_IMPACT = 1_000_000_000;
    /** Concurrent conversations one agent may hold. */
    public static final int MAX_CAPACITY = 1_000;
    /** TOP's N. */
    public static final int MAX_TOP = 1_000;
    /** How long one NextBest may wait for work. */
    public static final int MAX_WAIT_MS = 300_000;
    /** Clock skew tolerated for client-supplied "waiting since" and "at" times. */
    public static final long FUTURE_TOLERANCE_MS = 60_000;

    private Limits()
    {
    }
}
