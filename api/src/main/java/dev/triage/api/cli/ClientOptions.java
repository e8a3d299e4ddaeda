package dev.triage.api.cli;

import dev.triage.api.client.TriageClient;
import picocli.CommandLine.Option;

/**
 * Connection options shared by every client subcommand.
 */
final class ClientOptions
{
    @Option(names = "--server", defaultValue = "localhost:7411", description = "HOST:PORT of the server (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--token", defaultValue = "${env:TRIAGE_TOKEN}", description = "bearer token (default: $TRIAGE_TOKEN)")
    String token;

    @Option(names = "--tls-ca", description = "connect over TLS, trusting this CA (PEM)")
    java.nio.file.Path tlsCa;

    @Option(names = "--tls-cert", description = "mutual TLS: this client's certificate (PEM)")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", description = "mutual TLS: this client's PKCS#8 private key (PEM)")
    java.nio.file.Path tlsKey;

    @Option(names = "--timeout", defaultValue = "10s", converter = Durations.class, description = "call deadline (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    /**
     * @return a client with these options.
     * @throws IllegalArgumentException naming the option that is wrong.
     */
    TriageClient client()
    {
        return client(server, timeoutMs);
    }

    /**
     * @param otherServer another server (a cluster's other members), with this token and TLS.
     * @param deadlineMs the call deadline.
     * @return a client.
     */
    TriageClient client(final String otherServer, final long deadlineMs)
    {
        return TriageClient.builder(otherServer).token(token).tls(tlsCa, tlsCert, tlsKey).deadlineMs(deadlineMs).build();
    }
}
