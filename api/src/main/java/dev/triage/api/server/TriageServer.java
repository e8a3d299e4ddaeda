package dev.triage.api.server;

import dev.triage.api.auth.AuthInterceptor;
import dev.triage.api.auth.TokenStore;
import dev.triage.api.console.ConsoleHandler;
import dev.triage.api.console.RecentDecisions;
import dev.triage.api.service.TriageService;
import dev.triage.api.service.WatchHub;
import dev.triage.engine.Engine;
import dev.triage.proto.v1.TriageGrpc;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Triage gRPC server over netty: the Triage service (behind the token check when a token file is given),
 * gRPC health and server reflection. Service handlers only validate, map and publish, so they run directly on
 * the transport threads.
 */
public final class TriageServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(TriageServer.class.getName());

    static
    {
        GrpcLogLimits.install();
    }
    /** Largest request accepted; a conversation's fields are far smaller, so bigger is refused unread. */
    static final int MAX_MESSAGE_BYTES = 1 << 20;

    private final ServerContext context;
    private final Engine engine;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;
    private final TriageMetrics metrics;
    private final WatchHub watchHub;
    private final dev.triage.api.service.Admission admission;
    private volatile boolean closed;
    private ConnectionLimits connections;
    private NioEventLoopGroup bossGroup;
    private NioEventLoopGroup workerGroup;

    private TriageServer(final ServerContext context) throws IOException
    {
        final InetAddress bind = InetAddress.getByName(context.bindAddress());
        if (context.tokensFile() == null && !bind.isLoopbackAddress())
        {
            throw new IllegalStateException("refusing to listen on " + context.bindAddress() +
                " without --tokens: only a loopback address may run without authentication");
        }
        final TokenStore tokens = context.tokensFile() == null ? null : TokenStore.load(context.tokensFile());
        watchHub = new WatchHub(65_536);
        context.engineContext().queueEventSink(watchHub);
        final RecentDecisions decisions = new RecentDecisions();
        final java.util.function.Consumer<dev.triage.engine.journal.DecisionRecord> observer = context.engineContext().decisionObserver();
        context.engineContext().decisionObserver(observer == null ? decisions : decisions.andThen(observer));
        this.context = context.conclude();
        admission = new dev.triage.api.service.Admission(context.maxCallsInFlight());
        try
        {
            engine = context.engineStarter().apply(context.engineContext());
        }
        catch (final RuntimeException e)
        {
            watchHub.close();
            throw e;
        }
        TriageMetrics startedMetrics = null;
        try
        {
            startedMetrics = context.metricsPort() < 0 ? null : new TriageMetrics(engine, bind, context.metricsPort(), admission,
                new ConsoleHandler(engine, tokens, admission, decisions, context.engineContext()), tokens == null);
            final TriageMetrics m = startedMetrics;
            final TriageService triage = new TriageService(
                engine, context.engineContext().clock(), m == null ? waitedMs -> { } : m::onAssigned, watchHub, admission);
            engine.onHalt(reason ->
            {
                health.setStatus("", HealthCheckResponse.ServingStatus.NOT_SERVING);
                health.setStatus(TriageGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.NOT_SERVING);
                triage.onEngineHalted(reason);
            });
            ServerServiceDefinition service = MalformedRequests.guard(triage.bindService());
            if (tokens != null)
            {
                service = ServerInterceptors.intercept(service, new AuthInterceptor(tokens));
            }
            if (m != null)
            {
                // Outermost, so refused calls are timed and counted too.
                service = ServerInterceptors.intercept(service, m);
            }
            final NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, context.port()));
            if (context.tlsCert() != null)
            {
                final SslContextBuilder tls = GrpcSslContexts.forServer(context.tlsCert().toFile(), context.tlsKey().toFile());
                if (context.tlsClientCa() != null)
                {
                    tls.trustManager(context.tlsClientCa().toFile()).clientAuth(ClientAuth.REQUIRE);
                }
                builder.sslContext(tls.build());
            }
            connections = new ConnectionLimits(context.maxConnections(), context.maxConnectionsPerAddress(),
                context.firstCallTimeoutMs());
            bossGroup = new NioEventLoopGroup(1, daemonThreads("triage-accept"));
            workerGroup = new NioEventLoopGroup(0, daemonThreads("triage-netty"));
            builder.channelFactory(connections::newServerChannel)
                .bossEventLoopGroup(bossGroup)
                .workerEventLoopGroup(workerGroup)
                .handshakeTimeout(context.handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
            if (context.maxConnectionIdleMs() > 0)
            {
                builder.maxConnectionIdle(context.maxConnectionIdleMs(), TimeUnit.MILLISECONDS);
            }
            if (context.maxConnectionAgeMs() > 0)
            {
                builder.maxConnectionAge(context.maxConnectionAgeMs(), TimeUnit.MILLISECONDS);
            }
            server = builder
                .intercept(connections)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxConcurrentCallsPerConnection(context.maxCallsPerConnection())
                .directExecutor()
                .addService(service)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
        }
        catch (final IOException | RuntimeException e)
        {
            if (startedMetrics != null)
            {
                startedMetrics.close();
            }
            engine.close();
            watchHub.close();
            shutdownEventLoops();
            throw e;
        }
        metrics = startedMetrics;
        health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
        health.setStatus(TriageGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
        // A cluster node serves only while its cluster has a leader (a single node is available until it halts).
        engine.onAvailability(available ->
        {
            if (!closed && !engine.isHalted())
            {
                final HealthCheckResponse.ServingStatus status = available ?
                    HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING;
                health.setStatus("", status);
                health.setStatus(TriageGrpc.SERVICE_NAME, status);
            }
        });
        LOG.log(System.Logger.Level.DEBUG, "triage listening on " + context.bindAddress() + ":" + port() +
            (tokens == null ? " (no authentication: loopback only)" : " (" + tokens.size() + " tokens)"));
    }

    /**
     * @param context settings.
     * @return a started server.
     * @throws IOException if the port cannot be bound or the token file read.
     */
    public static TriageServer start(final ServerContext context) throws IOException
    {
        return new TriageServer(context);
    }

    /**
     * @return the admission control of unary calls (how many wait on the engine now).
     */
    public dev.triage.api.service.Admission admission()
    {
        return admission;
    }

    /**
     * @return the bound port.
     */
    public int port()
    {
        return server.getPort();
    }

    /**
     * @return the engine behind the service.
     */
    public Engine engine()
    {
        return engine;
    }

    /**
     * @return open Watch streams.
     */
    public int watchers()
    {
        return watchHub.watchers();
    }

    /**
     * @return the Prometheus port, or -1 when metrics are off.
     */
    public int metricsPort()
    {
        return metrics == null ? -1 : metrics.port();
    }

    /**
     * Block until the server stops.
     *
     * @throws InterruptedException if interrupted.
     */
    public void awaitTermination() throws InterruptedException
    {
        server.awaitTermination();
    }

    /**
     * Graceful stop: report NOT_SERVING, stop accepting calls, let calls in flight finish (up to 5 s), then drain
     * the ring and stop the engine.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        health.enterTerminalState();
        watchHub.close();
        server.shutdown();
        try
        {
            if (!server.awaitTermination(5, TimeUnit.SECONDS))
            {
                server.shutdownNow();
            }
        }
        catch (final InterruptedException e)
        {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (metrics != null)
        {
            metrics.close();
        }
        engine.close();
        shutdownEventLoops();
    }

    /**
     * @return connections open now (those refused at accept are never counted).
     */
    public int openConnections()
    {
        return connections.open();
    }

    /**
     * @return connections closed because they started no call within the first-call limit, since start.
     */
    public long closedWithoutCall()
    {
        return connections.closedWithoutCall();
    }

    /**
     * @return connections closed at accept because a cap was reached, since start.
     */
    public long refusedConnections()
    {
        return connections.refused();
    }

    private void shutdownEventLoops()
    {
        for (final NioEventLoopGroup group : new NioEventLoopGroup[]{ bossGroup, workerGroup })
        {
            if (group != null)
            {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(final String name)
    {
        return new io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory(name, true);
    }
}
