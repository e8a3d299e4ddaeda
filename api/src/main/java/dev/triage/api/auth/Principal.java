package dev.triage.api.auth;

import io.grpc.Context;

/**
 * Who is calling: a role, and for the AGENT role the one agent it may act for.
 *
 * @param name the token's label, for logs (never the token).
 * @param role the role.
 * @param agentId the bound agent for AGENT, else null.
 */
public record Principal(String name, Role role, String agentId)
{
    /** The gRPC context key under which the interceptor stores the caller. */
    public static final Context.Key<Principal> KEY = Context.key("triage-principal");

    /** The caller when authentication is off (loopback development server). */
    public static final Principal LOCAL = new Principal("local", Role.ADMIN, null);

    /**
     * @return the current call's principal.
     */
    public static Principal current()
    {
        final Principal principal = KEY.get();
        return principal != null ? principal : LOCAL;
    }

    /**
     * @param agent the agent a request acts for.
     * @return true if this principal may act for that agent.
     */
    public boolean mayActFor(final String agent)
    {
        return role != Role.AGENT || agentId.equals(agent);
    }
}
