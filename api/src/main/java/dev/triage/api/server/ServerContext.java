package dev.triage.api.server;

import dev.triage.engine.EngineContext;

import java.nio.file.Path;

/**
 * Settings of the gRPC server: fluent same-named setters and getters; {@link #conclude()} validates and freezes.
 */
public final class ServerContext
{
    /** Default gRPC port. */
    public static final int PORT_DEFAULT = 7411;
    /** Default Prometheus metrics port. */
    public static final int METRICS_PORT_DEFAULT = 9464;
    /** Default bind address: loopback, so a development server is never exposed by accident. */
    public static final String BIND_DEFAULT = "127.0.0.1";
    /** A connection that has not finished its HTTP/2 (and TLS) handshake by then is closed: silent sockets cost no fd for long. */
    public static final long HANDSHAKE_TIMEOUT_MS_DEFAULT = 10_000;
    /**
     * A connection that has completed its handshake but started no call by then is closed: a socket that sends the
     * HTTP/2 preface and nothing else holds no fd for long. Clients reconnect on their next call.
     */
    public static final long FIRST_CALL_TIMEOUT_MS_DEFAULT = 10_000;
    /** A connection with no call for this long is closed with GOAWAY (clients reconnect on their next call). */
    public static final long MAX_CONNECTION_IDLE_MS_DEFAULT = 3_600_000;
    /** 0: connections may live for ever; a load-balanced deployment may set an age so clients spread again. */
    public static final long MAX_CONNECTION_AGE_MS_DEFAULT = 0;
    /** File descriptors never given to connections: the journal, snapshots, metrics and the JVM keep these. */
    public static final int RESERVED_FDS = 512;
    /** Upper bound of the derived connection cap. */
    public static final int MAX_CONNECTIONS_CEILING = 10_000;
    /**
     * Unary calls waiting on the engine at most (bulk writes: half): the engine answers in microseconds, so this many
     * waiting means it is stalled (a snapshot, a slow disk) and more would only queue.
     */
    public static final int MAX_CALLS_IN_FLIGHT_DEFAULT = 8_192;
    /**
     * Concurrent calls (HTTP/2 streams) one connection may have open: a flooding client waits for its own streams
     * instead of filling the server. A front end serving many agents multiplexes them on one Session stream.
     */
    public static final int MAX_CALLS_PER_CONNECTION_DEFAULT = 1_024;

    private boolean concluded;
    private int port = PORT_DEFAULT;
    private int metricsPort = METRICS_PORT_DEFAULT;
    private String bindAddress = BIND_DEFAULT;
    private Path tokensFile;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private EngineContext engineContext = EngineContext.smallHost();
    private java.util.function.Function<EngineContext, dev.triage.engine.Engine> engineStarter = dev.triage.engine.TriageEngine::start;
    private long handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS_DEFAULT;
    private long firstCallTimeoutMs = FIRST_CALL_TIMEOUT_MS_DEFAULT;
    private long maxConnectionIdleMs = MAX_CONNECTION_IDLE_MS_DEFAULT;
    private long maxConnectionAgeMs = MAX_CONNECTION_AGE_MS_DEFAULT;
    private int maxConnections;
    private int maxConnectionsPerAddress;
    private int maxCallsInFlight = MAX_CALLS_IN_FLIGHT_DEFAULT;
    private int maxCallsPerConnection = MAX_CALLS_PER_CONNECTION_DEFAULT;

    /**
     * @return this, validated and frozen.
     * @throws IllegalArgumentException naming the setting that is wrong.
     */
    public ServerContext conclude()
    {
        if (!concluded)
        {
            if (port < 0 || port > 65_535)
            {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            if (metricsPort < -1 || metricsPort > 65_535)
            {
                throw new IllegalArgumentException("metrics port must be -1 (off) or 0..65535, was " + metricsPort);
            }
            if ((tlsCert == null) != (tlsKey == null))
            {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            if (tlsClientCa != null && tlsCert == null)
            {
                throw new IllegalArgumentException("--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key");
            }
            if (firstCallTimeoutMs < 0)
            {
                throw new IllegalArgumentException("--first-call-timeout must be >= 0 (0 = off), was " + firstCallTimeoutMs);
            }
            if (handshakeTimeoutMs < 1 || maxConnectionIdleMs < 0 || maxConnectionAgeMs < 0)
            {
                throw new IllegalArgumentException("handshake timeout must be >= 1 ms, connection idle and age >= 0 (0 = off); were " +
                    handshakeTimeoutMs + ", " + maxConnectionIdleMs + ", " + maxConnectionAgeMs);
            }
            if (maxConnections < 0 || maxConnectionsPerAddress < 0)
            {
                throw new IllegalArgumentException("--max-connections and --max-connections-per-address must be >= 0 (0 = derived)");
            }
            if (maxCallsInFlight < 2 || maxCallsPerConnection < 1)
            {
                throw new IllegalArgumentException("--max-calls-in-flight must be >= 2 and --max-calls-per-connection >= 1; were " +
                    maxCallsInFlight + ", " + maxCallsPerConnection);
            }
            if (maxConnections == 0)
            {
                maxConnections = derivedMaxConnections(fdLimit());
            }
            if (maxConnectionsPerAddress == 0)
            {
                maxConnectionsPerAddress = Math.max(1, maxConnections / 2);
            }
            engineContext.conclude();
            concluded = true;
        }
        return this;
    }

    /**
     * @param calls unary calls waiting on the engine at most; bulk writes are admitted below half of it.
     * @return this.
     */
    public ServerContext maxCallsInFlight(final int calls)
    {
        checkOpen();
        this.maxCallsInFlight = calls;
        return this;
    }

    public int maxCallsInFlight()
    {
        return maxCallsInFlight;
    }

    /**
     * @param calls concurrent calls (HTTP/2 streams) per connection at most.
     * @return this.
     */
    public ServerContext maxCallsPerConnection(final int calls)
    {
        checkOpen();
        this.maxCallsPerConnection = calls;
        return this;
    }

    public int maxCallsPerConnection()
    {
        return maxCallsPerConnection;
    }

    /**
     * @param fdLimit the process's file descriptor limit (-1 if unknown).
     * @return the connection cap that leaves {@link #RESERVED_FDS} descriptors to everything else.
     */
    public static int derivedMaxConnections(final long fdLimit)
    {
        if (fdLimit <= 0)
        {
            return MAX_CONNECTIONS_CEILING;
        }
        return (int)Math.max(16, Math.min(MAX_CONNECTIONS_CEILING, fdLimit - RESERVED_FDS));
    }

    private static long fdLimit()
    {
        final java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /**
     * @param ms close connections that have not completed their handshake within this.
     * @return this.
     */
    public ServerContext handshakeTimeoutMs(final long ms)
    {
        checkOpen();
        this.handshakeTimeoutMs = ms;
        return this;
    }

    public long handshakeTimeoutMs()
    {
        return handshakeTimeoutMs;
    }

    /**
     * @param ms close a connection that has started no call this long after it was accepted; 0 never.
     * @return this.
     */
    public ServerContext firstCallTimeoutMs(final long ms)
    {
        checkOpen();
        this.firstCallTimeoutMs = ms;
        return this;
    }

    public long firstCallTimeoutMs()
    {
        return firstCallTimeoutMs;
    }

    /**
     * @param ms close connections without a call for this long (0 = never).
     * @return this.
     */
    public ServerContext maxConnectionIdleMs(final long ms)
    {
        checkOpen();
        this.maxConnectionIdleMs = ms;
        return this;
    }

    public long maxConnectionIdleMs()
    {
        return maxConnectionIdleMs;
    }

    /**
     * @param ms close connections (gracefully) once this old (0 = never).
     * @return this.
     */
    public ServerContext maxConnectionAgeMs(final long ms)
    {
        checkOpen();
        this.maxConnectionAgeMs = ms;
        return this;
    }

    public long maxConnectionAgeMs()
    {
        return maxConnectionAgeMs;
    }

    /**
     * @param max open connections at most (0 = derived from the fd limit, leaving {@link #RESERVED_FDS}).
     * @return this.
     */
    public ServerContext maxConnections(final int max)
    {
        checkOpen();
        this.maxConnections = max;
        return this;
    }

    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * @param max open connections from one remote address at most (0 = half the server's cap).
     * @return this.
     */
    public ServerContext maxConnectionsPerAddress(final int max)
    {
        checkOpen();
        this.maxConnectionsPerAddress = max;
        return this;
    }

    public int maxConnectionsPerAddress()
    {
        return maxConnectionsPerAddress;
    }

    private void checkOpen()
    {
        if (concluded)
        {
            throw new IllegalStateException("context is concluded");
        }
    }

    /**
     * @param port the gRPC port; 0 picks a free one.
     * @return this.
     */
    public ServerContext port(final int port)
    {
        checkOpen();
        this.port = port;
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param metricsPort Prometheus port on the bind address; 0 picks a free one, -1 turns metrics off.
     * @return this.
     */
    public ServerContext metricsPort(final int metricsPort)
    {
        checkOpen();
        this.metricsPort = metricsPort;
        return this;
    }

    public int metricsPort()
    {
        return metricsPort;
    }

    public ServerContext bindAddress(final String bindAddress)
    {
        checkOpen();
        this.bindAddress = bindAddress;
        return this;
    }

    public String bindAddress()
    {
        return bindAddress;
    }

    /**
     * @param tokensFile bearer tokens (see TokenStore); null turns auth off, allowed only on loopback.
     * @return this.
     */
    public ServerContext tokensFile(final Path tokensFile)
    {
        checkOpen();
        this.tokensFile = tokensFile;
        return this;
    }

    public Path tokensFile()
    {
        return tokensFile;
    }

    /**
     * Serve over TLS with this certificate chain and PKCS#8 private key (PEM).
     *
     * @param cert certificate chain.
     * @param key private key.
     * @return this.
     */
    public ServerContext tls(final Path cert, final Path key)
    {
        checkOpen();
        this.tlsCert = cert;
        this.tlsKey = key;
        return this;
    }

    /**
     * @param clientCa require client certificates signed by this CA (mutual TLS); null for none.
     * @return this.
     */
    public ServerContext tlsClientCa(final Path clientCa)
    {
        checkOpen();
        this.tlsClientCa = clientCa;
        return this;
    }

    public Path tlsCert()
    {
        return tlsCert;
    }

    public Path tlsKey()
    {
        return tlsKey;
    }

    public Path tlsClientCa()
    {
        return tlsClientCa;
    }

    public ServerContext engineContext(final EngineContext engineContext)
    {
        checkOpen();
        this.engineContext = engineContext;
        return this;
    }

    /**
     * @param starter builds the engine from the engine settings: a single node's ring (the default) or a cluster node.
     * @return this.
     */
    public ServerContext engineStarter(final java.util.function.Function<EngineContext, dev.triage.engine.Engine> starter)
    {
        checkOpen();
        this.engineStarter = starter;
        return this;
    }

    public java.util.function.Function<EngineContext, dev.triage.engine.Engine> engineStarter()
    {
        return engineStarter;
    }

    public EngineContext engineContext()
    {
        return engineContext;
    }
}
