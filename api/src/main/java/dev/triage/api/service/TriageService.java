package dev.triage.api.service;

import dev.triage.api.auth.Principal;
import dev.triage.engine.Engine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.AgentReply;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.CustomerRepliedRequest;
import dev.triage.proto.v1.GetPolicyRequest;
import dev.triage.proto.v1.InfoReply;
import dev.triage.proto.v1.InfoRequest;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.PolicyReply;
import dev.triage.proto.v1.QueueEvent;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.SetPolicyRequest;
import dev.triage.proto.v1.SnapshotReply;
import dev.triage.proto.v1.SnapshotRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpdateRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The Triage gRPC service: validates each request, maps it to a command and publishes it to the ring; the
 * engine's reply stage completes the call. Nothing here blocks a gRPC thread.
 */
public final class TriageService extends TriageGrpc.TriageImplBase
{
    /** The jar's implementation version ("dev" outside a built jar): what Info reports and {@code triage -V} prints. */
    public static final String VERSION = java.util.Objects.requireNonNullElse(TriageService.class.getPackage().getImplementationVersion(), "dev");
    /** Answer a long-poll at least this long before the call's deadline so the empty answer arrives in time. */
    private static final long DEADLINE_MARGIN_MS = 100;

    private final Engine engine;
    private final EpochClock clock;
    private final LongConsumer onAssignedWaitMs;
    private final WatchHub watchHub;
    private final OpenCalls openCalls = new OpenCalls();
    private final Admission admission;
    private final long startedAtMs = System.currentTimeMillis();

    /**
     * @param engine the running engine.
     * @param clock the clock for request checks (the engine stamps commands with its own).
     * @param onAssignedWaitMs told how long each conversation assigned by NextBest had waited (metrics).
     * @param watchHub the engine's queue event sink, feeding Watch streams.
     * @param admission the bound on unary calls waiting on the engine.
     */
    public TriageService(final Engine engine, final EpochClock clock, final LongConsumer onAssignedWaitMs, final WatchHub watchHub,
        final Admission admission)
    {
        this.admission = admission;
        this.engine = engine;
        this.clock = clock;
        this.onAssignedWaitMs = onAssignedWaitMs;
        this.watchHub = watchHub;
    }

    @Override
    public void watch(final WatchRequest request, final StreamObserver<QueueEvent> out)
    {
        watchHub.add((ServerCallStreamObserver<QueueEvent>)out);
    }

    @Override
    public void open(final OpenRequest request, final StreamObserver<ConversationReply> out)
    {
        if (valid(RequestValidator.open(request, clock.time(), mayBackdateFreely(Principal.current())), out))
        {
            submit(ProtoMapper.open(request), out, TriageService::conversationReply);
        }
    }

    @Override
    public void update(final UpdateRequest request, final StreamObserver<ConversationReply> out)
    {
        if (valid(RequestValidator.update(request), out))
        {
            submit(ProtoMapper.update(request), out, TriageService::conversationReply);
        }
    }

    @Override
    public void customerReplied(final CustomerRepliedRequest request, final StreamObserver<ConversationReply> out)
    {
        onConversation(CommandType.CUSTOMER_REPLIED, request, out);
    }

    @Override
    public void reopen(final CustomerRepliedRequest request, final StreamObserver<ConversationReply> out)
    {
        onConversation(CommandType.REOPEN, request, out);
    }

    private void onConversation(final CommandType type, final CustomerRepliedRequest request, final StreamObserver<ConversationReply> out)
    {
        if (valid(RequestValidator.customerReplied(request, clock.time()), out))
        {
            final Command command = Command.onConversation(type, request.getId());
            command.waitingSinceMs = request.getAtMs();
            submit(command, out, TriageService::conversationReply);
        }
    }

    @Override
    public void agentReplied(final ConversationRef request, final StreamObserver<ConversationReply> out)
    {
        if (valid(RequestValidator.ref(request), out))
        {
            submit(Command.onConversation(CommandType.AGENT_REPLIED, request.getId()), out, TriageService::conversationReply);
        }
    }

    @Override
    public void resolve(final ConversationRef request, final StreamObserver<ConversationReply> out)
    {
        if (valid(RequestValidator.ref(request), out))
        {
            submit(Command.onConversation(CommandType.RESOLVE, request.getId()), out, TriageService::conversationReply);
        }
    }

    @Override
    public StreamObserver<OpenRequest> ingest(final StreamObserver<IngestResult> out)
    {
        return new IngestStream(engine, clock, out, openCalls);
    }

    @Override
    public StreamObserver<dev.triage.proto.v1.OpenBatch> ingestBatch(final StreamObserver<dev.triage.proto.v1.IngestBatchResult> out)
    {
        return new IngestBatchStream(engine, clock, out, openCalls);
    }

    @Override
    public StreamObserver<dev.triage.proto.v1.SessionRequest> session(final StreamObserver<dev.triage.proto.v1.SessionReply> out)
    {
        return new SessionStream(engine, onAssignedWaitMs, out, openCalls);
    }

    @Override
    public void upsertAgent(final UpsertAgentRequest request, final StreamObserver<AgentReply> out)
    {
        if (valid(RequestValidator.upsertAgent(request), out))
        {
            final Command command = Command.upsertAgent(
                request.getAgentId(), request.getCapacity(), request.getSkillsList().toArray(new String[0]));
            submit(command, out, r -> AgentReply.newBuilder().setAgentId(request.getAgentId()).build());
        }
    }

    @Override
    public void setAgentStatus(final SetAgentStatusRequest request, final StreamObserver<AgentReply> out)
    {
        if (valid(RequestValidator.agentStatus(request), out) && mayActFor(request.getAgentId(), out))
        {
            final Command command = Command.agentStatus(request.getAgentId(), ProtoMapper.status(request.getStatus()));
            submit(command, out, r -> AgentReply.newBuilder().setAgentId(request.getAgentId()).build());
        }
    }

    @Override
    public void nextBest(final NextBestRequest request, final StreamObserver<NextBestReply> out)
    {
        if (valid(RequestValidator.nextBest(request), out) && mayActFor(request.getAgentId(), out))
        {
            long waitMs = request.getWaitMs();
            final Deadline deadline = Context.current().getDeadline();
            if (deadline != null && waitMs > 0)
            {
                final long remainingMs = deadline.timeRemaining(TimeUnit.MILLISECONDS);
                // 5% of the time left, at least 100 ms: room for a tick, a GC pause and the trip back.
                waitMs = Math.max(0, Math.min(waitMs, remainingMs - Math.max(DEADLINE_MARGIN_MS, remainingMs / 20)));
            }
            submit(Command.nextBest(request.getAgentId(), waitMs), out, reply ->
            {
                if (reply.result == ResultCode.OK && reply.conversationId != null)
                {
                    onAssignedWaitMs.accept(reply.waitedMs);
                }
                return ProtoMapper.nextBest(reply);
            });
        }
    }

    @Override
    public void ack(final AgentConversationRequest request, final StreamObserver<ConversationReply> out)
    {
        byAgent(CommandType.ACK, request, out);
    }

    @Override
    public void release(final AgentConversationRequest request, final StreamObserver<ConversationReply> out)
    {
        byAgent(CommandType.RELEASE, request, out);
    }

    private void byAgent(final CommandType type, final AgentConversationRequest request, final StreamObserver<ConversationReply> out)
    {
        if (valid(RequestValidator.agentConversation(request), out) && mayActFor(request.getAgentId(), out))
        {
            submit(Command.byAgent(type, request.getAgentId(), request.getConversationId()), out, TriageService::conversationReply);
        }
    }

    @Override
    public void incidentReply(final dev.triage.proto.v1.IncidentActionRequest request,
        final StreamObserver<dev.triage.proto.v1.IncidentActionReply> out)
    {
        incidentAction(CommandType.INCIDENT_REPLY, request, out);
    }

    @Override
    public void resolveIncident(final dev.triage.proto.v1.IncidentActionRequest request,
        final StreamObserver<dev.triage.proto.v1.IncidentActionReply> out)
    {
        incidentAction(CommandType.INCIDENT_RESOLVE, request, out);
    }

    private void incidentAction(final CommandType type, final dev.triage.proto.v1.IncidentActionRequest request,
        final StreamObserver<dev.triage.proto.v1.IncidentActionReply> out)
    {
        if (valid(RequestValidator.incidentAction(request), out) && mayActOnIncident(request.getAgentId(), out))
        {
            submit(ProtoMapper.incidentAction(type, request), out, r -> ProtoMapper.incidentActionReply(request.getIncident(), r));
        }
    }

    /** An agent's token acts on an incident only naming its own agent (the engine then checks that it works a lead). */
    static boolean mayActOnIncidentAs(final Principal principal, final String agentId)
    {
        return principal.role() != dev.triage.api.auth.Role.AGENT || principal.mayActFor(agentId);
    }

    private static boolean mayActOnIncident(final String agentId, final StreamObserver<?> out)
    {
        final Principal principal = Principal.current();
        if (!mayActOnIncidentAs(principal, agentId))
        {
            out.onError(Status.PERMISSION_DENIED.withDescription("token of agent " + principal.agentId() + " acts on an incident " +
                "only naming its own agent (agent_id), and while it works one of the incident's leads").asRuntimeException());
            return false;
        }
        return true;
    }

    @Override
    public void getIncident(final dev.triage.proto.v1.IncidentRequest request, final StreamObserver<dev.triage.proto.v1.IncidentInfo> out)
    {
        if (valid(RequestValidator.incident(request), out))
        {
            submit(Command.incident(CommandType.INCIDENT_SHOW, request.getIncident(), null, null), out,
                r -> ProtoMapper.incidentInfo(request.getIncident(), r));
        }
    }

    @Override
    public void top(final TopRequest request, final StreamObserver<TopReply> out)
    {
        if (valid(RequestValidator.top(request), out))
        {
            final int n = request.getN() == 0 ? 10 : request.getN();
            submit(Command.top(n, request.getAgentId().isEmpty() ? null : request.getAgentId()), out, ProtoMapper::top);
        }
    }

    @Override
    public void stats(final StatsRequest request, final StreamObserver<StatsReply> out)
    {
        submit(Command.of(CommandType.STATS), out, ProtoMapper::stats);
    }

    @Override
    public void getPolicy(final GetPolicyRequest request, final StreamObserver<PolicyReply> out)
    {
        submit(Command.of(CommandType.STATS), out,
            r -> PolicyReply.newBuilder().setPolicy(ProtoMapper.policy(r.policy)).setVersion(r.policyVersion).build());
    }

    @Override
    public void snapshot(final SnapshotRequest request, final StreamObserver<SnapshotReply> out)
    {
        submit(Command.of(CommandType.SNAPSHOT), out, r -> SnapshotReply.newBuilder()
            .setFile(r.snapshotPath)
            .setSequence(r.sequence)
            .setPauseMs(0)
            .build());
    }

    @Override
    public void info(final InfoRequest request, final StreamObserver<InfoReply> out)
    {
        final dev.triage.engine.Replication replication = engine.replication();
        if (replication != null)
        {
            // A cluster member answers where it stands itself: it must, when there is no leader to order a read.
            out.onNext(info()
                .setSequence(replication.appliedSequence())
                .setWaitStrategy("cluster")
                .setCluster(dev.triage.proto.v1.ClusterInfo.newBuilder()
                    .setNodeId(replication.nodeId())
                    .setRole(replication.role())
                    .setLeaderId(replication.leaderId())
                    .setCommitPosition(replication.commitPosition())
                    .setAppliedPosition(replication.appliedPosition())
                    .setSnapshots(replication.snapshots())
                    .addAllMembers(replication.members()))
                .build());
            out.onCompleted();
            return;
        }
        submit(Command.of(CommandType.STATS), out, r -> info()
            .setSequence(r.sequence)
            .setRecoveredCommands(engine.recovered().commands())
            .setWaitStrategy(engine.context().waitStrategy().name())
            .build());
    }

    /**
     * @return what info says in both modes: version, start, journal directory and its disk, ring size.
     */
    private InfoReply.Builder info()
    {
        final dev.triage.engine.EngineContext settings = engine.context();
        return InfoReply.newBuilder()
            .setVersion(VERSION)
            .setStartedAtMs(startedAtMs)
            .setJournalDir(settings.journalDir() == null ? "" : settings.journalDir().toAbsolutePath().toString())
            .setRingSize(settings.ringSize())
            .setJournalFreeBytes(engine.journalSpace() == null ? 0 : engine.journalSpace().freeBytes())
            .setJournalReserveBytes(engine.journalSpace() == null ? 0 : engine.journalSpace().reserveBytes());
    }

    @Override
    public void setPolicy(final SetPolicyRequest request, final StreamObserver<PolicyReply> out)
    {
        if (!request.hasPolicy())
        {
            out.onError(new Violations().require(false, "policy", "is required").toException());
            return;
        }
        if (request.getPolicy().getNewestFirstMaxUrgency() == dev.triage.proto.v1.Urgency.UNRECOGNIZED)
        {
            out.onError(new Violations().require(false, "policy.newest_first_max_urgency",
                "must be URGENCY_UNSPECIFIED (off) or LOW..CRITICAL, was " + request.getPolicy().getNewestFirstMaxUrgencyValue())
                .toException());
            return;
        }
        final dev.triage.engine.policy.Policy policy;
        try
        {
            policy = ProtoMapper.policy(request.getPolicy());
        }
        catch (final IllegalArgumentException e)
        {
            out.onError(new Violations().require(false, "policy", e.getMessage()).toException());
            return;
        }
        submit(Command.setPolicy(policy), out,
            r -> PolicyReply.newBuilder().setPolicy(ProtoMapper.policy(policy)).setVersion(r.policyVersion).build());
    }

    private static ConversationReply conversationReply(final Reply r)
    {
        return ConversationReply.newBuilder().setId(r.conversationId).setState(ProtoMapper.state(r.conversationState)).build();
    }

    private static boolean valid(final StatusRuntimeException problem, final StreamObserver<?> out)
    {
        if (problem != null)
        {
            out.onError(problem);
            return false;
        }
        return true;
    }

    /**
     * @param principal the caller.
     * @return true when it may backdate waiting_since without bound (supervisors, admins, the token-less local caller).
     */
    static boolean mayBackdateFreely(final Principal principal)
    {
        return principal.role() == dev.triage.api.auth.Role.SUPERVISOR || principal.role() == dev.triage.api.auth.Role.ADMIN;
    }

    private static boolean mayActFor(final String agentId, final StreamObserver<?> out)
    {
        final Principal principal = Principal.current();
        if (!principal.mayActFor(agentId))
        {
            out.onError(Status.PERMISSION_DENIED
                .withDescription("token of agent " + principal.agentId() + " may not act for agent " + agentId).asRuntimeException());
            return false;
        }
        return true;
    }

    /**
     * Admit, publish and answer from the reply stage; a refused call, a full ring or a halted engine is answered at once.
     */
    private <T> void submit(final Command command, final StreamObserver<T> out, final Function<Reply, T> onOk)
    {
        final boolean counted = !(command.type == CommandType.NEXT_BEST && command.maxWaitMs > 0);
        if (counted)
        {
            final Deadline deadline = Context.current().getDeadline();
            final Status refused = admission.enter(Admission.isBulk(command.type),
                deadline == null ? Long.MAX_VALUE : deadline.timeRemaining(TimeUnit.NANOSECONDS));
            if (refused != null)
            {
                out.onError(refused.asRuntimeException());
                return;
            }
        }
        final UnaryCall<T> call = new UnaryCall<>(engine, out, onOk, openCalls, counted ? admission : null);
        command.reply = new Reply(call, command.type == CommandType.TOP ? command.topN : 0);
        openCalls.add(call);
        final ResultCode published = engine.publish(command);
        if (published != ResultCode.OK)
        {
            call.fail(Status.fromCode(StatusMapper.codeOf(published)).withDescription(published.description()));
        }
        else if (!counted && out instanceof ServerCallStreamObserver<T> server)
        {
            // A long-poll whose caller goes away (a cancelled call, an expired deadline, a closed connection) ends its
            // wait, journaled, so the next conversation goes to an agent who is there. The translator stamped the
            // call's sequence on its reply during publish, on this thread.
            final String agentId = command.agentId;
            final long waitSequence = command.reply.sequence;
            server.setOnCancelHandler(() ->
            {
                if (!call.get())
                {
                    engine.publish(Command.cancelWait(agentId, waitSequence));
                }
            });
        }
    }

    /**
     * A conversation assigned to a caller who is gone goes back to the queue now, not when its lease expires: nobody
     * will acknowledge it, and an agent who is there may be waiting for it.
     *
     * @param engine the engine.
     * @param reply an answer that could not be delivered.
     */
    static void releaseUndelivered(final Engine engine, final Reply reply)
    {
        if (reply.type == CommandType.NEXT_BEST && reply.result == ResultCode.OK && reply.conversationId != null)
        {
            engine.publish(Command.byAgent(CommandType.RELEASE, reply.agentId, reply.conversationId));
        }
    }

    /**
     * Answer every open call and Watch stream with UNAVAILABLE: the engine halted and will answer none of them.
     *
     * @param reason why.
     */
    public void onEngineHalted(final String reason)
    {
        final Status status = Status.UNAVAILABLE.withDescription(reason);
        watchHub.halt(status);
        openCalls.failAll(status);
    }

    /** One unary call: answered once, by its reply or by a halt, whichever comes first. */
    private static final class UnaryCall<T> extends java.util.concurrent.atomic.AtomicBoolean
        implements dev.triage.engine.command.ReplyListener, OpenCalls.Call
    {
        private final Engine engine;
        private final StreamObserver<T> out;
        private final Function<Reply, T> onOk;
        private final OpenCalls openCalls;
        private final Admission admitted;
        private final long enteredNs;

        /**
         * @param admitted the admission to leave once answered, or null for an uncounted call.
         */
        UnaryCall(final Engine engine, final StreamObserver<T> out, final Function<Reply, T> onOk, final OpenCalls openCalls,
            final Admission admitted)
        {
            this.engine = engine;
            this.out = out;
            this.onOk = onOk;
            this.openCalls = openCalls;
            this.admitted = admitted;
            enteredNs = admitted == null ? 0 : admitted.now();
        }

        private void ended()
        {
            openCalls.remove(this);
            if (admitted != null)
            {
                admitted.leave(enteredNs);
            }
        }

        @Override
        public void onReply(final Reply reply)
        {
            if (compareAndSet(false, true))
            {
                ended();
                complete(engine, reply, out, onOk);
            }
        }

        @Override
        public void fail(final Status status)
        {
            if (compareAndSet(false, true))
            {
                ended();
                out.onError(status.asRuntimeException());
            }
        }
    }

    private static <T> void complete(final Engine engine, final Reply reply, final StreamObserver<T> out, final Function<Reply, T> onOk)
    {
        if (out instanceof ServerCallStreamObserver && ((ServerCallStreamObserver<T>)out).isCancelled())
        {
            releaseUndelivered(engine, reply);
            return;
        }
        try
        {
            if (StatusMapper.codeOf(reply.result) == Status.Code.OK)
            {
                out.onNext(onOk.apply(reply));
                out.onCompleted();
            }
            else
            {
                out.onError(StatusMapper.statusOf(reply).asRuntimeException());
            }
        }
        catch (final StatusRuntimeException cancelledMeanwhile)
        {
            // The caller went away (its deadline passed) between the check above and the answer: gRPC refuses the
            // answer with CANCELLED. Under overload that is every late call; it is not an error of ours.
            if (cancelledMeanwhile.getStatus().getCode() != Status.Code.CANCELLED)
            {
                throw cancelledMeanwhile;
            }
            releaseUndelivered(engine, reply);
        }
    }
}
