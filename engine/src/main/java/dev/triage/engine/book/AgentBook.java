package dev.triage.engine.book;

import org.agrona.collections.Object2ObjectHashMap;

import java.util.Arrays;

/**
 * Agents by client id and by dense handle. Agents are never removed (they go OFFLINE), so a handle is stable.
 * Processor thread only.
 */
public final class AgentBook
{
    private final Object2ObjectHashMap<String, Agent> byId;
    private Agent[] byHandle;
    private int count;

    /**
     * @param expectedAgents initial sizing.
     */
    public AgentBook(final int expectedAgents)
    {
        byId = new Object2ObjectHashMap<>(Math.max(16, expectedAgents * 2), 0.65f);
        byHandle = new Agent[Math.max(16, expectedAgents)];
    }

    /**
     * @param id client id.
     * @return the agent, or null.
     */
    public Agent find(final String id)
    {
        return byId.get(id);
    }

    /**
     * @param handle a handle below {@link #count()}.
     * @return the agent.
     */
    public Agent get(final int handle)
    {
        return byHandle[handle];
    }

    Agent create(final String id)
    {
        if (count == byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, count * 2);
        }
        final Agent agent = new Agent(count, id);
        byHandle[count++] = agent;
        byId.put(id, agent);
        return agent;
    }

    Agent[] table()
    {
        return byHandle;
    }

    public int count()
    {
        return count;
    }
}
