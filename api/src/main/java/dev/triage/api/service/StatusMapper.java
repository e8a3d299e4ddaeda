package dev.triage.api.service;

import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import io.grpc.Status;

/**
 * The one table from engine outcomes to gRPC statuses.
 */
final class StatusMapper
{
    private StatusMapper()
    {
    }

    /**
     * @param code an engine outcome.
     * @return its gRPC status code; OK for outcomes that are answers (including an empty NextBest).
     */
    static Status.Code codeOf(final ResultCode code)
    {
        switch (code)
        {
            case OK:
            case NO_CONVERSATION:
            case TIMED_OUT:
                return Status.Code.OK;
            case CONVERSATION_NOT_FOUND:
            case AGENT_NOT_FOUND:
            case INCIDENT_NOT_FOUND:
                return Status.Code.NOT_FOUND;
            case ALREADY_EXISTS:
                return Status.Code.ALREADY_EXISTS;
            case INVALID_STATE:
            case AGENT_NOT_AVAILABLE:
            case AGENT_AT_CAPACITY:
            case NOT_HELD_BY_AGENT:
            case NOT_AN_INCIDENT_LEAD:
            case CANCELLED:
                return Status.Code.FAILED_PRECONDITION;
            case SUPERSEDED:
                return Status.Code.ABORTED;
            case INVALID_ARGUMENT:
                return Status.Code.INVALID_ARGUMENT;
            case SKILL_LIMIT_REACHED:
            case AGENT_LIMIT_REACHED:
            case JOURNAL_SPACE_LOW:
            case REJECTED:
                return Status.Code.RESOURCE_EXHAUSTED;
            case HALTED:
            case SNAPSHOT_FAILED:
            case NO_LEADER:
            case NOT_COMMITTED:
                return Status.Code.UNAVAILABLE;
            default:
                return Status.Code.INTERNAL;
        }
    }

    /**
     * @param reply a completed reply that is not OK.
     * @return the status to send, described for a person.
     */
    static Status statusOf(final Reply reply)
    {
        final StringBuilder description = new StringBuilder(reply.result.description());
        if (reply.detail != null)
        {
            description.append(": ").append(reply.detail);
        }
        if (reply.conversationId != null)
        {
            description.append(" (conversation ").append(reply.conversationId);
            if (reply.conversationState != null)
            {
                description.append(" is ").append(reply.conversationState);
            }
            description.append(')');
        }
        if (reply.agentId != null)
        {
            description.append(" (agent ").append(reply.agentId).append(')');
        }
        return Status.fromCode(codeOf(reply.result)).withDescription(description.toString());
    }
}
