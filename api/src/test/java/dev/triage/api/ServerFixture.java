package dev.triage.api;

import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.TriageGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real server on a free loopback port and a real netty channel to it.
 */
final class ServerFixture implements AutoCloseable
{
    final TriageServer server;
    final ManagedChannel channel;

    ServerFixture(final EngineContext engine, final Path tokens) throws Exception
    {
        this(new ServerContext().tokensFile(tokens).engineContext(engine));
    }

    /**
     * @param context the server's settings; the ports are set here (free ones).
     */
    ServerFixture(final ServerContext context) throws Exception
    {
        server = TriageServer.start(context.port(0).metricsPort(0));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    ServerFixture() throws Exception
    {
        this(new EngineContext(), null);
    }

    TriageGrpc.TriageBlockingStub stub()
    {
        return TriageGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    TriageGrpc.TriageBlockingStub stub(final String token)
    {
        return stub().withCallCredentials(bearer(token));
    }

    static CallCredentials bearer(final String token)
    {
        return new dev.triage.api.auth.BearerCredentials(token);
    }

    @Override
    public void close()
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        server.close();
    }

    /**
     * A unary method of the Triage service that sends and receives raw bytes, as a client in another language (or a
     * broken one) can.
     *
     * @param fullMethodName e.g. {@code triage.v1.Triage/Open}.
     * @return the method.
     */
    static io.grpc.MethodDescriptor<byte[], byte[]> rawUnary(final String fullMethodName)
    {
        final io.grpc.MethodDescriptor.Marshaller<byte[]> raw = new io.grpc.MethodDescriptor.Marshaller<>()
        {
            @Override
            public java.io.InputStream stream(final byte[] value)
            {
                return new java.io.ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(final java.io.InputStream stream)
            {
                try
                {
                    return stream.readAllBytes();
                }
                catch (final java.io.IOException e)
                {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder().setType(io.grpc.MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullMethodName).setRequestMarshaller(raw).setResponseMarshaller(raw).build();
    }
}
