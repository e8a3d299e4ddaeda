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

    private boolean concluded;
    private int port = PORT_DEFAULT;
    private int metricsPort = METRICS_PORT_DEFAULT;
    private String bindAddress = BIND_DEFAULT;
    private Path tokensFile;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private EngineContext engineContext = EngineContext.smallHost();

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
            engineContext.conclude();
            concluded = true;
        }
        return this;
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

    public EngineContext engineContext()
    {
        return engineContext;
    }
}
