package dev.triage.bench.load;

import java.util.List;

/**
 * A system the workload runs against: Triage over gRPC, or a peer built the way a team would build it otherwise.
 * Sessions are used by one thread each.
 */
public interface Target extends AutoCloseable
{
    /**
     * @return the target's name in reports.
     */
    String name();

    /**
     * @return how durable an acknowledged open is, in words (reported next to the figures).
     */
    String durability();

    /**
     * @return true if NextBest can wait for work (a long-poll); peers without one are polled every millisecond.
     */
    default boolean longPolls()
    {
        return false;
    }

    /**
     * Empty the target and register the agents.
     *
     * @param agents agent ids and their skills.
     * @throws Exception if the target cannot be reached.
     */
    void reset(List<Agent> agents) throws Exception;

    /**
     * Claim every waiting conversation with the agents' calls in flight at once and no thread per agent (an async
     * client), if the target offers that: each agent asks, and on each assignment resolves it and asks again in the
     * same round trip, until the queue is empty. Returns when all agents are done.
     *
     * @param agents the agents.
     * @param onClaim told of each claim with the latency of the call that made it, in nanoseconds (any thread).
     * @return false if the target has no async path (the caller then runs one thread per agent).
     * @throws Exception on failure.
     */
    default boolean claimAllAsync(List<Agent> agents, java.util.function.LongConsumer onClaim) throws Exception
    {
        return false;
    }

    /**
     * @return a session for one thread.
     * @throws Exception if it cannot connect.
     */
    Session session() throws Exception;

    @Override
    void close();

    /**
     * An agent of the workload.
     *
     * @param id agent id.
     * @param skills skills held.
     */
    record Agent(String id, List<String> skills)
    {
    }

    /** The operations of the workload, on one thread. */
    interface Session extends AutoCloseable
    {
        /**
         * @param c the conversation.
         * @param openedAtMs wall-clock time of the open (peers compute the time-invariant priority from it).
         * @throws Exception on failure (counted by its kind).
         */
        void open(Conversation c, long openedAtMs) throws Exception;

        /**
         * @param agent the agent.
         * @param waitMs how long the target may wait for work (targets without long-polls answer at once).
         * @return the conversation id assigned, or null when none is eligible.
         * @throws Exception on failure.
         */
        String nextBest(Agent agent, int waitMs) throws Exception;

        /**
         * @param agent the agent holding it.
         * @param id the conversation.
         * @throws Exception on failure.
         */
        void resolve(Agent agent, String id) throws Exception;

        /**
         * @param agent the agent holding it.
         * @param id the conversation, back to the queue.
         * @throws Exception on failure.
         */
        void release(Agent agent, String id) throws Exception;

        /**
         * @return open conversations waiting, and the oldest wait in ms (-1 where the target cannot say cheaply).
         * @throws Exception on failure.
         */
        long[] depthAndOldestWait() throws Exception;

        @Override
        void close();
    }
}
