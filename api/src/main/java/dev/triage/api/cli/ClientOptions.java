package dev.triage.api.cli;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

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

    ManagedChannel channel()
    {
        final int colon = server.lastIndexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("--server must be HOST:PORT, was " + server);
        }
        final NettyChannelBuilder builder =
            NettyChannelBuilder.forAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
        if (tlsCa == null)
        {
            return builder.usePlaintext().build();
        }
        try
        {
            final io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder tls =
                io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient().trustManager(tlsCa.toFile());
            if (tlsCert != null)
            {
                tls.keyManager(tlsCert.toFile(), tlsKey.toFile());
            }
            return builder.sslContext(tls.build()).build();
        }
        catch (final javax.net.ssl.SSLException e)
        {
            throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage());
        }
    }

    CallCredentials credentials()
    {
        if (token == null || token.isBlank())
        {
            return null;
        }
        return new dev.triage.api.auth.BearerCredentials(token);
    }

    static void close(final ManagedChannel channel)
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
