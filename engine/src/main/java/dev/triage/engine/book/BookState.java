package dev.triage.engine.book;

import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.policy.Policy;

/**
 * The state every room of the book shares, and the few moves they all make (emit a queue event, complete a parked
 * reply late, refuse a malformed command). Fields are read and written by the rooms directly, on the processor
 * thread only; this class holds no rules of its own.
 */
final class BookState
{
    final SkillRegistry skills = new SkillRegistry();
    final ConversationBook conversations;
    final AgentBook agents;
    final PriorityIndex index;
    final ParkedAgents parked;
    final Selection selection = new Selection();
    final Reply scratchReply = new Reply(null);
    final TriageBook.DeferredReplies deferred;
    final int maxAgents;

    Policy policy = Policy.defaults();
    int policyVersion = 1;
    /** Command time, clamped so it never goes back. */
    long nowMs;
    /** Sequence of the command being applied. */
    long sequence;
    /** Sequence of the last state-changing (journaled) command applied. */
    long lastChangeSequence;
    long assignmentsTotal;
    long leaseExpiries;
    long assignedCount;
    long pendingCount;
    DecisionListener decisions;
    QueueEventSink events;

    BookState(final int expectedConversations, final int expectedAgents, final int maxAgents, final int retainResolved,
        final TriageBook.DeferredReplies deferred)
    {
        conversations = new ConversationBook(expectedConversations, retainResolved, skills);
        agents = new AgentBook(expectedAgents);
        index = new PriorityIndex(conversations, expectedConversations);
        parked = new ParkedAgents(expectedAgents);
        this.maxAgents = maxAgents;
        this.deferred = deferred;
    }

    void emit(final int kind, final String conversationId, final String agentId, final long scoreUnits)
    {
        if (events != null)
        {
            events.onQueueEvent(kind, sequence, nowMs, conversationId, agentId, scoreUnits);
        }
    }

    /** Complete a parked request now (served elsewhere, timed out, cancelled or superseded), if there is one. */
    void completeLate(final Reply reply, final ResultCode result)
    {
        if (reply != null)
        {
            reply.result = result;
            deferIfWaitedOn(reply);
        }
    }

    /** Hand a reply completed by the current command to the reply stage, to answer after this command. */
    void deferIfWaitedOn(final Reply reply)
    {
        if (reply != null)
        {
            reply.completedAtSequence = sequence;
            reply.timestampMs = nowMs;
            reply.policyVersion = policyVersion;
            deferred.defer(reply);
        }
    }

    static ResultCode invalid(final Reply r, final String detail)
    {
        r.detail = detail;
        return ResultCode.INVALID_ARGUMENT;
    }

    static boolean isBlank(final String s)
    {
        return s == null || s.isEmpty();
    }

    static boolean hasBlank(final String[] names)
    {
        if (names == null)
        {
            return true;
        }
        for (final String name : names)
        {
            if (isBlank(name))
            {
                return true;
            }
        }
        return false;
    }
}
