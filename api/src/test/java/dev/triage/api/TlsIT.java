package dev.triage.api;

import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TriageGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TLS and mutual TLS over real netty, with a throwaway CA made by openssl (skipped, with the reason, without it).
 */
@Timeout(60)
class TlsIT
{
    @TempDir
    Path dir;

    @BeforeEach
    void makeCertificates() throws Exception
    {
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        final String ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        final List<String> steps = List.of(
            "openssl req -x509 " + ec + " -keyout ca.key -out ca.crt -days 2 -subj /CN=triage-test-ca",
            "openssl req " + ec + " -keyout server.key -out server.csr -subj /CN=localhost",
            "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext",
            "openssl req " + ec + " -keyout client.key -out client.csr -subj /CN=client",
            "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2");
        for (final String step : steps)
        {
            final Process p;
            try
            {
                p = new ProcessBuilder(step.split(" ")).directory(dir.toFile()).redirectErrorStream(true).start();
            }
            catch (final java.io.IOException e)
            {
                dev.triage.engine.fixture.Needs.tool(false, "openssl is not installed (Debian's openssl package; .ci/run installs it)");
                return;
            }
            final String output = new String(p.getInputStream().readAllBytes());
            dev.triage.engine.fixture.Needs.tool(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl failed: " + step + "\n" + output);
        }
    }

    @Test
    void shouldServeOverTlsAndRefusePlaintext() throws Exception
    {
        try (TriageServer server = TriageServer.start(new ServerContext().port(0).metricsPort(-1)
            .tls(dir.resolve("server.crt"), dir.resolve("server.key")).engineContext(new EngineContext())))
        {
            assertEquals(0, stats(channel(server, GrpcSslContexts.forClient().trustManager(dir.resolve("ca.crt").toFile()))));
            final StatusRuntimeException plaintext = assertThrows(StatusRuntimeException.class, () -> stats(channel(server, null)));
            assertEquals(Status.Code.UNAVAILABLE, plaintext.getStatus().getCode());
        }
    }

    @Test
    void shouldRequireAClientCertificateForMutualTls() throws Exception
    {
        try (TriageServer server = TriageServer.start(new ServerContext().port(0).metricsPort(-1)
            .tls(dir.resolve("server.crt"), dir.resolve("server.key")).tlsClientCa(dir.resolve("ca.crt"))
            .engineContext(new EngineContext())))
        {
            final SslContextBuilder withCert = GrpcSslContexts.forClient().trustManager(dir.resolve("ca.crt").toFile())
                .keyManager(dir.resolve("client.crt").toFile(), dir.resolve("client.key").toFile());
            assertEquals(0, stats(channel(server, withCert)));
            final StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class,
                () -> stats(channel(server, GrpcSslContexts.forClient().trustManager(dir.resolve("ca.crt").toFile()))));
            assertEquals(Status.Code.UNAVAILABLE, anonymous.getStatus().getCode());
        }
    }

    private static ManagedChannel channel(final TriageServer server, final SslContextBuilder tls) throws Exception
    {
        final NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", server.port());
        return tls == null ? builder.usePlaintext().build() : builder.sslContext(tls.build()).build();
    }

    private static long stats(final ManagedChannel channel) throws InterruptedException
    {
        try
        {
            return TriageGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).stats(StatsRequest.getDefaultInstance()).getOpen();
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
