package dev.triage.bench.load;

/**
 * One conversation of a workload: what is opened, and when, relative to the start of the run.
 *
 * @param index position in the schedule (also the number in its id).
 * @param id the client id.
 * @param urgency 1 (low) .. 5 (critical).
 * @param impact customers affected.
 * @param skill the one skill it needs.
 * @param incident incident key, or "" for none.
 * @param atNanos when it should be opened, from the start of the run.
 */
public record Conversation(int index, String id, int urgency, int impact, String skill, String incident, long atNanos)
{
    /**
     * @param id an id made by {@link #idOf}.
     * @return its index.
     */
    public static int indexOf(final String id)
    {
        return Integer.parseInt(id, id.lastIndexOf('-') + 1, id.length(), 10);
    }

    /**
     * @param run a per-run prefix, so runs against one long-lived peer never collide.
     * @param index the index.
     * @return the id.
     */
    public static String idOf(final String run, final int index)
    {
        return run + "-" + index;
    }
}
