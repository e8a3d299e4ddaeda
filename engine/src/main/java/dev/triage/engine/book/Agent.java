package dev.triage.engine.book;

import dev.triage.engine.command.Reply;
import dev.triage.engine.ground.AgentStatus;

/**
 * A support agent: skills, capacity, status, the conversations it holds and its parked NEXT_BEST, if any.
 * Processor thread only.
 */
public final class Agent
{
    final int handle;
    final String id;
    /** The agent's skills ({@link SkillRegistry} set id). */
    int skillSet;
    EligibleSets eligible;
    int capacity;
    AgentStatus status = AgentStatus.AVAILABLE;
    long assignments;

    /** Held conversations in assignment order. */
    int held;
    Conversation heldHead;
    Conversation heldTail;

    /** Parked NEXT_BEST: its group (non-null while parked), the reply to complete (null in replay), idle rank, deadline. */
    Reply parkedReply;
    long parkSeq;
    long parkDeadlineMs;
    /** The sequence of the NEXT_BEST whose wait this is (a superseded wait keeps its idle rank, not this). */
    long parkRequestSeq;
    ParkedAgents.Group parkGroup;
    Agent parkPrev;
    Agent parkNext;

    Agent(final int handle, final String id)
    {
        this.handle = handle;
        this.id = id;
    }

    void hold(final Conversation c)
    {
        c.agent = this;
        c.prev = heldTail;
        c.next = null;
        if (heldTail != null)
        {
            heldTail.next = c;
        }
        else
        {
            heldHead = c;
        }
        heldTail = c;
        held++;
    }

    void drop(final Conversation c)
    {
        if (c.prev != null)
        {
            c.prev.next = c.next;
        }
        else
        {
            heldHead = c.next;
        }
        if (c.next != null)
        {
            c.next.prev = c.prev;
        }
        else
        {
            heldTail = c.prev;
        }
        c.prev = null;
        c.next = null;
        c.agent = null;
        held--;
    }

    boolean isParked()
    {
        return parkGroup != null;
    }

    public String id()
    {
        return id;
    }

    public AgentStatus status()
    {
        return status;
    }

    public int capacity()
    {
        return capacity;
    }

    public int held()
    {
        return held;
    }

    public boolean parked()
    {
        return isParked();
    }
}
