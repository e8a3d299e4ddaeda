package dev.triage.api.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks the bearer token of every Triage call and the role its method needs; stores the caller in the context
 * for per-agent checks. Health and reflection stay open. Tokens are never logged.
 */
public final class AuthInterceptor implements ServerInterceptor
{
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SERVICE = "triage.v1.Triage/";
    private static final Set<Role> INGEST = EnumSet.of(Role.INGEST, Role.ADMIN);
    private static final Set<Role> AGENT = EnumSet.of(Role.AGENT, Role.ADMIN);
    private static final Set<Role> AGENT_OR_SUPERVISOR = EnumSet.of(Role.AGENT, Role.SUPERVISOR, Role.ADMIN);
    private static final Set<Role> SUPERVISOR = EnumSet.of(Role.SUPERVISOR, Role.ADMIN);
    private static final Set<Role> ADMIN = EnumSet.of(Role.ADMIN);
    /** Which roles may call each method. */
    private static final Map<String, Set<Role>> ALLOWED = Map.ofEntries(
        Map.entry("Open", INGEST),
        Map.entry("Update", INGEST),
        Map.entry("CustomerReplied", INGEST),
        Map.entry("AgentReplied", INGEST),
        Map.entry("Resolve", INGEST),
        Map.entry("Reopen", INGEST),
        Map.entry("Ingest", INGEST),
        Map.entry("IngestBatch", INGEST),
        Map.entry("UpsertAgent", ADMIN),
        Map.entry("SetAgentStatus", AGENT_OR_SUPERVISOR),
        Map.entry("NextBest", AGENT),
        Map.entry("Ack", AGENT),
        Map.entry("Release", AGENT_OR_SUPERVISOR),
        // Each request of a session is checked for the agent it acts for.
        Map.entry("Session", AGENT_OR_SUPERVISOR),
        // An agent must name itself and work one of the incident's leads (checked by the service and the engine).
        Map.entry("IncidentReply", AGENT_OR_SUPERVISOR),
        Map.entry("ResolveIncident", AGENT_OR_SUPERVISOR),
        Map.entry("GetIncident", SUPERVISOR),
        Map.entry("Top", SUPERVISOR),
        Map.entry("Stats", SUPERVISOR),
        Map.entry("Watch", SUPERVISOR),
        Map.entry("GetPolicy", SUPERVISOR),
        Map.entry("Info", SUPERVISOR),
        Map.entry("SetPolicy", ADMIN),
        Map.entry("Snapshot", ADMIN));

    private final TokenStore tokens;

    /**
     * @param tokens the accepted tokens.
     */
    public AuthInterceptor(final TokenStore tokens)
    {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        final String method = call.getMethodDescriptor().getFullMethodName();
        if (!method.startsWith(SERVICE))
        {
            return next.startCall(call, headers);
        }
        final String value = headers.get(AUTHORIZATION);
        if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("missing 'authorization: Bearer <token>' header"));
        }
        final Principal principal = tokens.authenticate(value.substring(7).strip());
        if (principal == null)
        {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("unknown token"));
        }
        final Set<Role> allowed = ALLOWED.getOrDefault(method.substring(SERVICE.length()), ADMIN);
        if (!allowed.contains(principal.role()))
        {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(
                "role " + principal.role().name().toLowerCase() + " may not call " + method.substring(SERVICE.length())));
        }
        return Contexts.interceptCall(Context.current().withValue(Principal.KEY, principal), call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(final ServerCall<Q, R> call, final Status status)
    {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>()
        {
        };
    }
}
