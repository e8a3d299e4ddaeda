package dev.triage.api.cli;

import dev.triage.api.auth.Role;
import dev.triage.api.auth.TokenStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * {@code triage token}: mint a random bearer token and print the line to add to the token file.
 */
@Command(name = "token", description = "Mint a bearer token and print its token-file line (only the hash is stored).")
final class TokenCommand implements Callable<Integer>
{
    @Option(names = "--role", required = true, description = "ingest, agent, supervisor or admin")
    Role role;

    @Option(names = "--agent", description = "the agent id an agent token acts for")
    String agent;

    @Option(names = "--label", description = "a label for logs")
    String label;

    @Override
    public Integer call()
    {
        if ((role == Role.AGENT) != (agent != null))
        {
            System.err.println("error: --agent is required for --role agent and only for it");
            return 2;
        }
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        System.out.println("token: " + token);
        System.out.println("token-file line: " + TokenStore.hashLine(token) + " " + role.name().toLowerCase() +
            (agent != null ? " " + agent : "") + (label != null ? " # " + label : ""));
        return 0;
    }
}
