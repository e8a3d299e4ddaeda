package dev.triage.api.service;

import com.google.rpc.BadRequest;
import dev.triage.api.auth.Principal;
import dev.triage.engine.Engine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ReplyListener;
import dev.triage.engine.command.ResultCode;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.ResolveAndNextRequest;
import dev.triage.proto.v1.SessionError;
import dev.triage.proto.v1.SessionFieldViolation;
import dev.triage.proto.v1.SessionReply;
import dev.triage.proto.v1.SessionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.function.LongConsumer;

/**
 * One agent session stream: many agents' requests multiplexed, each answered by correlation id in whatever order the
 * engine decides them (a waiting NextBest does not hold up the requests after it). Every request is validated and
 * authorised as its unary twin is, and a failure answers that request only. Back-pressure as Ingest has it: at most
 * {@link IngestStream#window} requests are read ahead of their answers.
 */
final class SessionStream extends OneAnswerEachStream<SessionReply> implements StreamObserver<SessionRequest>
{
    private final Engine engine;
    private final Principal principal;
    private final LongConsumer onAssignedWaitMs;
    /** NEXT_BEST requests that may wait, not yet answered, by their reply: cancelled if the stream ends first. */
    private final java.util.IdentityHashMap<Reply, String> waiting = new java.util.IdentityHashMap<>();

    SessionStream(final Engine engine, final LongConsumer onAssignedWaitMs, final StreamObserver<SessionReply> out,
        final OpenCalls openCalls)
    {
        super(out, openCalls, IngestStream.window(engine));
        this.engine = engine;
        this.onAssignedWaitMs = onAssignedWaitMs;
        principal = Principal.current();
    }

    @Override
    public void onNext(final SessionRequest request)
    {
        received();
        final long id = request.getCorrelationId();
        switch (request.getOpCase())
        {
            case NEXT_BEST -> nextBest(id, request.getNextBest());
            case ACK -> byAgent(id, CommandType.ACK, request.getAck());
            case RELEASE -> byAgent(id, CommandType.RELEASE, request.getRelease());
            case RESOLVE -> byAgent(id, CommandType.RESOLVE, request.getResolve());
            case AGENT_REPLIED -> byAgent(id, CommandType.AGENT_REPLIED, request.getAgentReplied());
            case RESOLVE_AND_NEXT -> resolveAndNext(id, request.getResolveAndNext());
            case INCIDENT_REPLY -> incidentAction(id, CommandType.INCIDENT_REPLY, request.getIncidentReply());
            case RESOLVE_INCIDENT -> incidentAction(id, CommandType.INCIDENT_RESOLVE, request.getResolveIncident());
            default -> answer(error(id, new Violations().require(false, "op", "must be one of next_best, ack, release, resolve, " +
                "agent_replied, resolve_and_next, incident_reply, resolve_incident").toException()));
        }
    }

    private void nextBest(final long id, final NextBestRequest r)
    {
        if (allowed(id, RequestValidator.nextBest(r), r.getAgentId()))
        {
            publish(id, Command.nextBest(r.getAgentId(), r.getWaitMs()));
        }
    }

    private void byAgent(final long id, final CommandType type, final AgentConversationRequest r)
    {
        if (allowed(id, RequestValidator.agentConversation(r), r.getAgentId()))
        {
            // Every session request names its agent, and the engine refuses one that does not hold the conversation:
            // an agent's token may act for its agent, on what its agent holds.
            publish(id, Command.byAgent(type, r.getAgentId(), r.getConversationId()));
        }
    }

    private void incidentAction(final long id, final CommandType type, final dev.triage.proto.v1.IncidentActionRequest r)
    {
        final StatusRuntimeException invalid = RequestValidator.incidentAction(r);
        if (invalid != null)
        {
            answer(error(id, invalid));
            return;
        }
        if (!TriageService.mayActOnIncidentAs(principal, r.getAgentId()))
        {
            answer(error(id, Status.PERMISSION_DENIED.withDescription("token of agent " + principal.agentId() +
                " acts on an incident only naming its own agent (agent_id), and while it works one of the incident's leads")));
            return;
        }
        publish(id, ProtoMapper.incidentAction(type, r));
    }

    private void resolveAndNext(final long id, final ResolveAndNextRequest r)
    {
        final AgentConversationRequest resolve = AgentConversationRequest.newBuilder()
            .setAgentId(r.getAgentId()).setConversationId(r.getConversationId()).build();
        final StatusRuntimeException badResolve = RequestValidator.agentConversation(resolve);
        final StatusRuntimeException invalid = badResolve != null ? badResolve
            : RequestValidator.nextBest(NextBestRequest.newBuilder().setAgentId(r.getAgentId()).setWaitMs(r.getWaitMs()).build());
        if (!allowed(id, invalid, r.getAgentId()))
        {
            return;
        }
        final Command command = Command.byAgent(CommandType.RESOLVE, r.getAgentId(), r.getConversationId());
        command.reply = new Reply(resolved ->
        {
            if (resolved.result != ResultCode.OK)
            {
                answer(replyOf(id, resolved));
                return;
            }
            publish(id, Command.nextBest(r.getAgentId(), r.getWaitMs()));
        });
        refuseIfNotPublished(id, command);
    }

    /** Validation first, then the caller's right to act for the agent; a refusal answers this request only. */
    private boolean allowed(final long id, final StatusRuntimeException invalid, final String agentId)
    {
        if (invalid != null)
        {
            answer(error(id, invalid));
            return false;
        }
        if (!principal.mayActFor(agentId))
        {
            answer(error(id, Status.PERMISSION_DENIED.withDescription(
                "token of agent " + principal.agentId() + " may not act for agent " + agentId)));
            return false;
        }
        return true;
    }

    private void publish(final long id, final Command command)
    {
        final ReplyListener listener = reply -> onEngineReply(id, reply);
        command.reply = new Reply(listener);
        final boolean mayWait = command.type == CommandType.NEXT_BEST && command.maxWaitMs > 0;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            if (mayWait)
            {
                waiting.put(command.reply, command.agentId);
            }
        }
        final boolean published = refuseIfNotPublished(id, command);
        if (mayWait)
        {
            final boolean endedMeanwhile;
            synchronized (this)
            {
                endedMeanwhile = published && closed;
                if (!published)
                {
                    waiting.remove(command.reply);
                }
            }
            if (endedMeanwhile)
            {
                // The stream ended while this was published (resolve_and_next continues on the engine's thread): the
                // cancels sent then may have missed its sequence. Another cancel of the same wait changes nothing.
                engine.publish(Command.cancelWait(command.agentId, command.reply.sequence));
            }
        }
    }

    /** The engine's answer: to the client, or, on a stream that has ended, an assignment goes back to the queue. */
    private void onEngineReply(final long id, final Reply reply)
    {
        final boolean gone;
        synchronized (this)
        {
            waiting.remove(reply);
            gone = closed;
        }
        if (gone)
        {
            TriageService.releaseUndelivered(engine, reply);
            return;
        }
        answer(replyOf(id, reply));
    }

    /**
     * The client went away (cancelled, or its connection closed): every long-poll it left waiting ends, journaled.
     *
     * @param t why.
     */
    @Override
    public void onError(final Throwable t)
    {
        final java.util.List<Command> cancels = new java.util.ArrayList<>();
        synchronized (this)
        {
            super.onError(t);
            waiting.forEach((reply, agentId) -> cancels.add(Command.cancelWait(agentId, reply.sequence)));
            waiting.clear();
        }
        for (final Command cancel : cancels)
        {
            engine.publish(cancel);
        }
    }

    /** @return true when published; else the request is answered with the refusal. */
    private boolean refuseIfNotPublished(final long id, final Command command)
    {
        final ResultCode published = engine.publish(command);
        if (published != ResultCode.OK)
        {
            answer(error(id, Status.fromCode(StatusMapper.codeOf(published)).withDescription(published.description())));
            return false;
        }
        return true;
    }

    private SessionReply replyOf(final long id, final Reply reply)
    {
        if (StatusMapper.codeOf(reply.result) != Status.Code.OK)
        {
            return error(id, StatusMapper.statusOf(reply));
        }
        final SessionReply.Builder b = SessionReply.newBuilder().setCorrelationId(id);
        if (reply.type == CommandType.INCIDENT_REPLY || reply.type == CommandType.INCIDENT_RESOLVE)
        {
            return b.setIncident(dev.triage.proto.v1.IncidentActionReply.newBuilder().setMembers(reply.affectedCount)).build();
        }
        if (reply.type == CommandType.NEXT_BEST)
        {
            if (reply.result == ResultCode.OK && reply.conversationId != null)
            {
                onAssignedWaitMs.accept(reply.waitedMs);
            }
            return b.setNextBest(ProtoMapper.nextBest(reply)).build();
        }
        return b.setConversation(dev.triage.proto.v1.ConversationReply.newBuilder().setId(reply.conversationId)
            .setState(ProtoMapper.state(reply.conversationState))).build();
    }

    private static SessionReply error(final long id, final Status status)
    {
        return SessionReply.newBuilder().setCorrelationId(id).setError(SessionError.newBuilder()
            .setCode(status.getCode().name()).setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
    }

    /** A validation failure, with the field violations its unary call carries as google.rpc.BadRequest. */
    private static SessionReply error(final long id, final StatusRuntimeException e)
    {
        final SessionError.Builder b = SessionError.newBuilder().setCode(e.getStatus().getCode().name())
            .setMessage(e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription());
        for (final BadRequest.FieldViolation v : FieldViolations.of(e))
        {
            b.addFieldViolations(SessionFieldViolation.newBuilder().setField(v.getField()).setDescription(v.getDescription()));
        }
        return SessionReply.newBuilder().setCorrelationId(id).setError(b).build();
    }
}
