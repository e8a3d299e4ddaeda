package dev.triage.api.cli;

import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code triage serve}: run the server until SIGTERM or Ctrl-C, then stop gracefully.
 */
@Command(name = "serve", description = "Run the Triage server.")
final class ServeCommand implements Callable<Integer>
{
    @Option(names = "--port", defaultValue = "" + ServerContext.PORT_DEFAULT, description = "gRPC port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--metrics-port", defaultValue = "" + ServerContext.METRICS_PORT_DEFAULT,
        description = "Prometheus metrics port on the bind address; -1 turns metrics off (default: ${DEFAULT-VALUE})")
    int metricsPort;

    @Option(names = "--bind", defaultValue = ServerContext.BIND_DEFAULT, description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--journal", defaultValue = "data",
        description = "journal directory: replayed on start, appended to while running (default: ./${DEFAULT-VALUE})")
    Path journal;

    @Option(names = "--tokens", description = "bearer token file (required unless bound to loopback); see 'triage token'")
    Path tokens;

    @Option(names = "--durability", defaultValue = "PROCESS",
        description = "process: answered once in the page cache (survives a killed process); fsync: forced to disk per batch "
            + "before answering (survives power loss) (default: ${DEFAULT-VALUE})")
    EngineContext.Durability durability;

    @Option(names = "--snapshot-every", defaultValue = "" + EngineContext.SNAPSHOT_EVERY_DEFAULT,
        description = "write a snapshot after this many journaled commands; 0 only on demand (default: ${DEFAULT-VALUE})")
    long snapshotEvery;

    @Option(names = "--roll-cycle", defaultValue = "HOUR",
        description = "how often a NEW journal starts a file: ${COMPLETION-CANDIDATES} (an existing journal keeps its own; default: ${DEFAULT-VALUE})")
    dev.triage.engine.journal.JournalRoll rollCycle;

    @Option(names = "--retention-days", defaultValue = "0",
        description = "delete journal files older than this many days once the oldest kept snapshot covers them; 0 keeps all (default: ${DEFAULT-VALUE})")
    int retentionDays;

    @Option(names = "--journal-reserve-mb", defaultValue = "" + (EngineContext.JOURNAL_RESERVE_BYTES_DEFAULT >> 20),
        description = "free disk space (MB) the journal keeps in reserve: no start below it, and changes are refused while "
            + "below it (default: ${DEFAULT-VALUE})")
    long journalReserveMb;

    @Option(names = "--accept-journal-loss", description = "start even though the journal ends before what its directory says "
        + "it reached (its watermark, decision log or newest snapshot), after a deleted or truncated journal file: the state "
        + "comes from what the journal holds, and the loss is logged and reported by triage_journal_loss_accepted_sequences. "
        + "Without it such a start is refused, naming what is missing")
    boolean acceptJournalLoss;

    @Option(names = "--tls-cert", description = "serve over TLS: certificate chain (PEM)")
    Path tlsCert;

    @Option(names = "--tls-key", description = "serve over TLS: PKCS#8 private key (PEM)")
    Path tlsKey;

    @Option(names = "--tls-client-ca", description = "mutual TLS: require client certificates signed by this CA (PEM)")
    Path tlsClientCa;

    @Option(names = "--wait-strategy", defaultValue = "PROGRESS_BLOCKING",
        description = "ring wait strategy: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; YIELDING for dedicated hosts)")
    EngineContext.WaitStrategyKind waitStrategy;

    @Option(names = "--pipeline", defaultValue = "ONE_STAGE",
        description = "ring consumers: ONE_STAGE (journal, apply, answer on one thread: fewest handoffs, best on small hosts) or "
            + "THREE_STAGES (journal beside the processor, answers after both: for hosts with cores to spare) (default: ${DEFAULT-VALUE})")
    EngineContext.Pipeline pipeline;

    @Option(names = "--handshake-timeout", defaultValue = "10s", converter = Durations.class,
        description = "close a connection that has not completed its HTTP/2 (and TLS) handshake within this (default: ${DEFAULT-VALUE})")
    long handshakeTimeoutMs;

    @Option(names = "--first-call-timeout", defaultValue = "10s", converter = Durations.class,
        description = "close a connection that has started no call this long after it connected (a socket that sends the "
            + "HTTP/2 preface and nothing more); clients reconnect on their next call; 0 never (default: ${DEFAULT-VALUE})")
    long firstCallTimeoutMs;

    @Option(names = "--max-connection-idle", defaultValue = "1h", converter = Durations.class,
        description = "close a connection without any call for this long; 0 never (default: ${DEFAULT-VALUE})")
    long maxConnectionIdleMs;

    @Option(names = "--max-connection-age", defaultValue = "0", converter = Durations.class,
        description = "close connections gracefully once this old, so clients spread over replicas again; 0 never (default: ${DEFAULT-VALUE})")
    long maxConnectionAgeMs;

    @Option(names = "--max-connections", defaultValue = "0",
        description = "open connections at most; more are closed at accept. 0: the fd limit less " + ServerContext.RESERVED_FDS +
            " kept for the journal, at most " + ServerContext.MAX_CONNECTIONS_CEILING + " (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "0",
        description = "open connections from one client address at most; 0: half of --max-connections (default: ${DEFAULT-VALUE})")
    int maxConnectionsPerAddress;

    @Option(names = "--max-calls-in-flight", defaultValue = "" + ServerContext.MAX_CALLS_IN_FLIGHT_DEFAULT,
        description = "unary calls waiting on the engine at most; more are refused at once with RESOURCE_EXHAUSTED. "
            + "Writes (Open, Update, CustomerReplied, Reopen) get half, so agents are served during a flood (default: ${DEFAULT-VALUE})")
    int maxCallsInFlight;

    @Option(names = "--max-calls-per-connection", defaultValue = "" + ServerContext.MAX_CALLS_PER_CONNECTION_DEFAULT,
        description = "concurrent calls (HTTP/2 streams) one connection may have open; its client holds more back "
            + "(default: ${DEFAULT-VALUE})")
    int maxCallsPerConnection;

    @Option(names = "--cluster", description = "run as a member of the cluster this file describes (e.g. "
        + "docs/cluster-3-loopback.conf); its line for --node gives this node's host, gRPC and metrics ports")
    Path cluster;

    @Option(names = "--node", defaultValue = "-1", description = "with --cluster: this node's id in the file")
    int node;

    @Override
    public Integer call() throws Exception
    {
        final ServerContext settings = new ServerContext();
        if (cluster != null)
        {
            if (node < 0)
            {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--cluster needs --node N");
            }
            final dev.triage.api.cluster.ClusterFile file = dev.triage.api.cluster.ClusterFile.read(cluster);
            final dev.triage.api.cluster.ClusterFile.Member me = file.member(node);
            port = me.grpcPort();
            metricsPort = me.metricsPort();
            bind = me.host();
            settings.engineStarter(context -> dev.triage.api.cluster.ClusterNode.start(context, file, node));
        }
        else if (node >= 0)
        {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--node goes with --cluster FILE");
        }
        final TriageServer server = TriageServer.start(settings
            .port(port)
            .metricsPort(metricsPort)
            .bindAddress(bind)
            .tokensFile(tokens)
            .tls(tlsCert, tlsKey)
            .tlsClientCa(tlsClientCa)
            .handshakeTimeoutMs(handshakeTimeoutMs)
            .firstCallTimeoutMs(firstCallTimeoutMs)
            .maxConnectionIdleMs(maxConnectionIdleMs)
            .maxConnectionAgeMs(maxConnectionAgeMs)
            .maxConnections(maxConnections)
            .maxConnectionsPerAddress(maxConnectionsPerAddress)
            .maxCallsInFlight(maxCallsInFlight)
            .maxCallsPerConnection(maxCallsPerConnection)
            .engineContext(new EngineContext().waitStrategy(waitStrategy).pipeline(pipeline).journalDir(journal).snapshotEveryCommands(snapshotEvery)
                .durability(durability).retentionDays(retentionDays).journalReserveBytes(journalReserveMb << 20).journalRoll(rollCycle)
                .acceptJournalLoss(acceptJournalLoss)));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            System.out.println(cluster == null ? "triage stopped: calls finished, ring drained" :
                "triage node " + node + " stopped: calls finished; the cluster goes on without it");
        }, "triage-shutdown"));
        final var recovered = server.engine().recovered();
        if (server.engine() instanceof dev.triage.engine.TriageEngine single && single.snapshotLoaded() != null)
        {
            System.out.println("snapshot " + single.snapshotLoaded().file() + " loaded (sequence " +
                single.snapshotLoaded().sequence() + ")");
        }
        if (cluster != null)
        {
            System.out.printf("cluster node %d of %s, journal %s: the state comes from the cluster's snapshot and log%n",
                node, cluster, journal.toAbsolutePath().normalize());
        }
        else
        {
            System.out.printf("journal %s: replayed %,d commands in %d ms%s%n", journal.toAbsolutePath().normalize(),
                recovered.commands(), recovered.nanos() / 1_000_000, Replayed.rate(recovered));
        }
        if (server.engine().acceptedLoss() != null)
        {
            System.out.println("WARNING: " + server.engine().acceptedLoss().reason() + "; started from sequence " +
                server.engine().acceptedLoss().reached() + " as --accept-journal-loss says");
        }
        if (server.metricsPort() > 0)
        {
            System.out.println("console on http://" + bind + ":" + server.metricsPort() + "/, metrics at /metrics");
        }
        System.out.println("triage listening on " + bind + ":" + server.port() +
            (tlsCert == null ? "" : tlsClientCa == null ? " over TLS" : " over mutual TLS") +
            (tokens == null ? " (no authentication: loopback only)" : " (tokens from " + tokens + ")"));
        server.awaitTermination();
        return 0;
    }
}
