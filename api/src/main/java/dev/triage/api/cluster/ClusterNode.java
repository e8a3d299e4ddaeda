package dev.triage.api.cluster;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.triage.engine.Engine;
import dev.triage.engine.EngineContext;
import dev.triage.engine.Replica;
import dev.triage.engine.Replication;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.JournalSpace;
import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.Publication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One member of a Triage cluster, and the engine its gRPC server talks to. It runs, in this process, what Aeron
 * Cluster needs (media driver, archive, consensus module, the {@link TriageClusteredService} with its
 * {@link Replica}) and a forwarder: the gRPC threads hand each command to a ring, without blocking; the forwarder
 * sends it into the cluster through this node's cluster client, whoever leads. The caller is answered by this node's
 * replica once it applies the command, which it does only after the cluster committed it.
 * <p>
 * Threads: Aeron's (driver, archive, consensus module: one each, {@link ClusterFile.Idle idle} as configured), the
 * service's, and the forwarder's, which blocks on its ring and otherwise wakes every 100 ms to keep its session alive
 * and notice a new leader.
 */
public final class ClusterNode implements Engine
{
    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());
    private static final long FORWARDER_WAKE_MS = 100;
    private static final long KEEP_ALIVE_NS = TimeUnit.SECONDS.toNanos(1);

    private final EngineContext context;
    private final ClusterFile file;
    private final int nodeId;
    private final Replica replica;
    private final PendingCalls pending = new PendingCalls();
    private final TriageClusteredService service;
    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final Aeron aeron;
    private final Disruptor<Command> disruptor;
    private final RingBuffer<Command> ring;
    private final Forwarder forwarder;
    private final List<Consumer<Boolean>> availability = new CopyOnWriteArrayList<>();
    private final List<String> memberAddresses = new ArrayList<>();
    private final java.nio.channels.FileChannel directoryLock;
    private volatile boolean closed;

    private ClusterNode(final EngineContext context, final ClusterFile file, final int nodeId)
    {
        this.context = context.conclude();
        this.file = file;
        this.nodeId = nodeId;
        if (context.journalDir() == null)
        {
            throw new IllegalArgumentException("a cluster node needs a journal directory (--journal)");
        }
        for (final ClusterFile.Member m : file.members())
        {
            memberAddresses.add(m.host() + ":" + m.grpcPort());
        }
        final ClusterFile.Member me = file.member(nodeId);
        final File base = context.journalDir().resolve("cluster").toAbsolutePath().toFile();
        final String aeronDir = aeronDirectory(context.journalDir(), nodeId);
        final Supplier<IdleStrategy> idle = file.idle() == ClusterFile.Idle.SPIN ? BusySpinIdleStrategy::new :
            () -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), file.idleMaxParkNs());
        final ErrorHandler errors = t -> LOG.log(System.Logger.Level.WARNING, "cluster: " + t);
        directoryLock = lockDirectory(base.toPath());
        replica = new Replica(context);
        service = new TriageClusteredService(replica, pending);

        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle.get())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errors);
        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(base, "archive"))
            .controlChannel("aeron:udp?endpoint=" + me.endpoint(4))
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=" + me.host() + ":0"))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + me.host() + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle)
            .errorHandler(errors);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(aeronDir);
        final ConsensusModule.Context consensus = new ConsensusModule.Context()
            .clusterMemberId(nodeId)
            .clusterMembers(file.aeronMembers())
            .clusterDir(new File(base, "consensus"))
            .archiveContext(archiveClient.clone())
            .serviceCount(1)
            .replicationChannel("aeron:udp?endpoint=" + me.host() + ":0")
            .ingressChannel("aeron:udp")
            .logChannel("aeron:udp?term-length=16m")
            .leaderHeartbeatIntervalNs(file.heartbeatIntervalNs())
            .leaderHeartbeatTimeoutNs(file.heartbeatTimeoutNs())
            .electionTimeoutNs(file.electionTimeoutNs())
            .startupCanvassTimeoutNs(file.heartbeatTimeoutNs() * 2)
            // The members' own sessions ask for snapshots (triage snapshot); Aeron's ports belong on a private network.
            .authorisationServiceSupplier(() -> io.aeron.security.AuthorisationService.ALLOW_ALL)
            .idleStrategySupplier(idle)
            .errorHandler(errors);
        ClusteredMediaDriver startedDriver = null;
        ClusteredServiceContainer startedContainer = null;
        Aeron startedAeron = null;
        try
        {
            startedDriver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensus);
            startedContainer = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
                .aeronDirectoryName(aeronDir)
                .archiveContext(archiveClient.clone())
                .clusterDir(new File(base, "consensus"))
                .clusteredService(service)
                .serviceId(0)
                .idleStrategySupplier(idle)
                .errorHandler(errors));
            startedAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir).errorHandler(errors));
        }
        catch (final RuntimeException e)
        {
            CloseHelper.quietCloseAll(startedAeron, startedContainer, startedDriver, replica, directoryLock);
            throw e;
        }
        driver = startedDriver;
        container = startedContainer;
        aeron = startedAeron;
        forwarder = new Forwarder();
        disruptor = new Disruptor<>(Command::new, context.ringSize(), r ->
        {
            final Thread thread = new Thread(r, "triage-cluster-forwarder");
            thread.setDaemon(true);
            return thread;
        }, ProducerType.MULTI, new LiteTimeoutBlockingWaitStrategy(FORWARDER_WAKE_MS, TimeUnit.MILLISECONDS));
        disruptor.handleEventsWith(forwarder);
        ring = disruptor.start();
    }

    /**
     * @param context engine settings; its journal directory holds this node's journal, decision log and cluster state.
     * @param file the cluster.
     * @param nodeId this node's id in it.
     * @return a started node (it serves once the cluster has a leader).
     */
    public static ClusterNode start(final EngineContext context, final ClusterFile file, final int nodeId)
    {
        file.member(nodeId);
        return new ClusterNode(context, file, nodeId);
    }

    /**
     * Hold this node's directory for the life of the process (the operating system lets go when it dies, kill -9
     * included). Holding it proves that Aeron's mark files in it are a dead process's: Aeron would otherwise refuse to
     * start for 10 s after a kill, taking them for a live node's. They hold liveness and error records only (the
     * election state is in node-state.dat, which stays).
     */
    private static java.nio.channels.FileChannel lockDirectory(final Path base)
    {
        try
        {
            Files.createDirectories(base);
            final java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(base.resolve("node.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            if (lock.tryLock() == null)
            {
                lock.close();
                throw new IllegalStateException("another process runs a cluster node on " + base.getParent() +
                    "; one directory per node");
            }
            for (final Path mark : List.of(base.resolve("archive").resolve("archive-mark.dat"),
                base.resolve("consensus").resolve("cluster-mark.dat"),
                base.resolve("consensus").resolve("cluster-mark-service-0.dat")))
            {
                if (Files.deleteIfExists(mark))
                {
                    LOG.log(System.Logger.Level.DEBUG, "removed " + mark + ", left by a node that stopped");
                }
            }
            return lock;
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException("cannot lock the cluster directory " + base, e);
        }
    }

    /**
     * The media driver's files are memory-mapped and busy: /dev/shm where there is one, one directory per node and
     * journal (so two clusters on one host do not meet).
     */
    private static String aeronDirectory(final Path journalDir, final int nodeId)
    {
        final String prefix = "triage-" + System.getProperty("user.name", "user") + "-node";
        final String name = prefix + nodeId + "-" + Integer.toHexString(journalDir.toAbsolutePath().normalize().toString().hashCode());
        final Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm) || !Files.isWritable(shm))
        {
            return journalDir.toAbsolutePath().resolve("cluster").resolve("driver").toString();
        }
        removeDeadDrivers(shm, prefix);
        return shm.resolve(name).toString();
    }

    /**
     * A node that was killed leaves its media driver's files (tens of MB of memory) in /dev/shm; one started again on
     * the same directory reuses them, but a directory never used again would keep them until a reboot. Remove those
     * of drivers that are no longer alive (no heartbeat for 10 s) and older than a minute (never one being created).
     */
    private static void removeDeadDrivers(final Path shm, final String prefix)
    {
        try (java.util.stream.Stream<Path> dirs = Files.list(shm))
        {
            final long minuteAgo = System.currentTimeMillis() - 60_000;
            dirs.filter(d -> d.getFileName().toString().startsWith(prefix))
                .filter(d -> d.toFile().lastModified() < minuteAgo)
                .filter(d -> !io.aeron.CommonContext.isDriverActive(d.toFile(), 10_000, message -> { }))
                .forEach(d ->
                {
                    org.agrona.IoUtil.delete(d.toFile(), true);
                    LOG.log(System.Logger.Level.DEBUG, "removed " + d + ", a stopped node's media driver files");
                });
        }
        catch (final java.io.IOException | RuntimeException e)
        {
            LOG.log(System.Logger.Level.DEBUG, "could not look for stopped nodes' driver files in " + shm + ": " + e);
        }
    }

    @Override
    public ResultCode publish(final Command command)
    {
        if (closed || service.isHalted())
        {
            return ResultCode.HALTED;
        }
        return ring.tryPublishEvent((slot, sequence, source) -> slot.copyFrom(source), command) ? ResultCode.OK : ResultCode.REJECTED;
    }

    @Override
    public void onHalt(final Consumer<String> listener)
    {
        service.onHalt(listener);
    }

    @Override
    public boolean isHalted()
    {
        return service.isHalted();
    }

    @Override
    public EngineContext context()
    {
        return context;
    }

    @Override
    public JournalSpace journalSpace()
    {
        return replica.journalSpace();
    }

    @Override
    public Journal.ReplayResult recovered()
    {
        return Journal.ReplayResult.none();
    }

    @Override
    public long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    @Override
    public Replication replication()
    {
        final CountersReader counters = aeron.countersReader();
        final long role = counter(counters, AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID);
        return new Replication(nodeId, role == 2 ? "LEADER" : role == 1 ? "CANDIDATE" : "FOLLOWER",
            forwarder.leaderId, counter(counters, AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID),
            service.appliedPosition(), service.appliedSequence(), counter(counters, AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID),
            List.copyOf(memberAddresses));
    }

    @Override
    public void onAvailability(final Consumer<Boolean> listener)
    {
        availability.add(listener);
        listener.accept(!forwarder.electing && forwarder.leaderId >= 0);
    }

    /**
     * @return the value of this node's first counter of {@code typeId} (one consensus module per driver), or -1.
     */
    private static long counter(final CountersReader counters, final int typeId)
    {
        final int id = counterId(counters, typeId);
        return id < 0 ? -1 : counters.getCounterValue(id);
    }

    /** One counter of a type, found once: the forwarder reads two of them at every batch end. One thread only. */
    private static final class CounterRef
    {
        private final int typeId;
        private int id = -1;

        CounterRef(final int typeId)
        {
            this.typeId = typeId;
        }

        long get(final CountersReader counters)
        {
            if (id < 0 || counters.getCounterTypeId(id) != typeId || counters.getCounterState(id) != CountersReader.RECORD_ALLOCATED)
            {
                id = counterId(counters, typeId);
            }
            return id < 0 ? -1 : counters.getCounterValue(id);
        }
    }

    private static int counterId(final CountersReader counters, final int typeId)
    {
        final int[] found = { -1 };
        counters.forEach((counterId, type, key, label) ->
        {
            if (type == typeId && found[0] < 0)
            {
                found[0] = counterId;
            }
        });
        return found[0];
    }

    /**
     * Stop taking commands, send those already taken, then stop the client, the service and Aeron. The cluster goes on
     * without this node (it rejoins and catches up when started again).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            disruptor.shutdown(5, TimeUnit.SECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException e)
        {
            disruptor.halt();
        }
        forwarder.closeClient();
        CloseHelper.quietCloseAll(aeron, container, driver);
        replica.close();
        CloseHelper.quietClose(directoryLock);
    }

    /**
     * The forwarder: this node's cluster client. Sends each command with a correlation id; keeps it until the replica
     * applies it; resends what is in flight after a leader change (the service applies a session's command once);
     * answers NOT_COMMITTED after the commit timeout, and NO_LEADER at once while an election has lasted that long.
     */
    private final class Forwarder implements EventHandler<Command>, EgressListener
    {
        private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(1024);
        private final IngressCodec codec = new IngressCodec();
        private AeronCluster.AsyncConnect connecting;
        private AeronCluster client;
        private long nextCorrelationId;
        private boolean resend;
        private long lastSendNs;
        private long electingSinceNs = System.nanoTime();
        private volatile boolean electing = true;
        private volatile int leaderId = -1;
        private Reply snapshotReply;
        private long snapshotCorrelationId;
        private long snapshotsSeen;
        private long snapshotBase;
        private long lastSnapshotRequestNs = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
        private final CounterRef electionCounter = new CounterRef(AeronCounters.CLUSTER_ELECTION_STATE_TYPE_ID);
        private final CounterRef snapshotCounter = new CounterRef(AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID);

        @Override
        public void onEvent(final Command command, final long sequence, final boolean endOfBatch)
        {
            final Command copy = new Command();
            copy.copyFrom(command);
            command.clear();
            final long correlationId = ++nextCorrelationId;
            if (copy.type == CommandType.SNAPSHOT)
            {
                requestSnapshot(correlationId, copy.reply);
                return;
            }
            final PendingCalls.Call call = new PendingCalls.Call(copy.reply, copy, System.nanoTime());
            if (copy.reply != null)
            {
                pending.add(correlationId, call);
            }
            if (electing && System.nanoTime() - electingSinceNs > TimeUnit.MILLISECONDS.toNanos(file.commitTimeoutMs()))
            {
                // Leaderless for longer than a caller would wait: refuse at once.
                pending.fail(correlationId, call, ResultCode.NO_LEADER);
            }
            else if (client == null || resend || !send(correlationId, copy))
            {
                // Not connected yet, or a leader change under way: sent (in order) once there is a leader.
                resend = true;
            }
            if (endOfBatch)
            {
                duty();
            }
        }

        @Override
        public void onTimeout(final long sequence)
        {
            duty();
        }

        /**
         * @return true if sent; false if the cluster cannot take it now (it stays pending, for the resend).
         */
        private boolean send(final long correlationId, final Command command)
        {
            final int length = codec.encode(correlationId, command, buffer, 0);
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                final long result = client.offer(buffer, 0, length);
                if (result > 0)
                {
                    lastSendNs = System.nanoTime();
                    return true;
                }
                if (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION)
                {
                    return false;
                }
                Thread.onSpinWait();
            }
            return false;
        }

        private void duty()
        {
            final long now = System.nanoTime();
            updateElection(now);
            pending.expire(now, TimeUnit.MILLISECONDS.toNanos(file.commitTimeoutMs()),
                client == null ? ResultCode.NO_LEADER : ResultCode.NOT_COMMITTED);
            if (client == null)
            {
                connect();
                return;
            }
            if (client.isClosed())
            {
                LOG.log(System.Logger.Level.WARNING, "cluster session " + client.clusterSessionId() + " closed; reconnecting");
                closeClient();
                pending.expire(now, -1, ResultCode.NOT_COMMITTED);
                return;
            }
            client.pollEgress();
            periodicSnapshot(now);
            if (resend && client.ingressPublication() != null && client.ingressPublication().isConnected() && !electing)
            {
                resend = false;
                pending.forEach((id, call) ->
                {
                    if (!resend && !send(id, call.command()))
                    {
                        resend = true;
                    }
                });
            }
            if (now - lastSendNs > KEEP_ALIVE_NS && client.sendKeepAlive())
            {
                lastSendNs = now;
            }
        }

        /**
         * The leader's node asks for a cluster snapshot once the replica has applied --snapshot-every commands since the
         * last one completed (at most one request every 10 s), so a restart replays a bounded log.
         */
        private void periodicSnapshot(final long now)
        {
            final long every = context.snapshotEveryCommands();
            if (every <= 0)
            {
                return;
            }
            final long taken = snapshotCounter.get(aeron.countersReader());
            if (taken != snapshotsSeen)
            {
                snapshotsSeen = taken;
                snapshotBase = service.appliedSequence();
            }
            if (service.role() == io.aeron.cluster.service.Cluster.Role.LEADER && service.appliedSequence() - snapshotBase >= every &&
                now - lastSnapshotRequestNs > TimeUnit.SECONDS.toNanos(10) && client.sendAdminRequestToTakeASnapshot(++nextCorrelationId))
            {
                lastSnapshotRequestNs = now;
                LOG.log(System.Logger.Level.DEBUG, "asked for a cluster snapshot at sequence " + service.appliedSequence());
            }
        }

        private void updateElection(final long now)
        {
            final long state = electionCounter.get(aeron.countersReader());
            final boolean nowElecting = state != 17; // ElectionState.CLOSED: no election under way
            if (nowElecting != electing)
            {
                electing = nowElecting;
                electingSinceNs = now;
                if (nowElecting)
                {
                    leaderId = -1;
                }
                tellAvailability();
            }
        }

        private void tellAvailability()
        {
            final boolean available = !electing && leaderId >= 0;
            for (final Consumer<Boolean> listener : availability)
            {
                listener.accept(available);
            }
        }

        private void connect()
        {
            try
            {
                if (connecting == null)
                {
                    connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                        .aeron(aeron)
                        .ownsAeronClient(false)
                        .ingressChannel("aeron:udp")
                        .ingressEndpoints(file.ingressEndpoints())
                        .egressChannel("aeron:udp?endpoint=" + file.member(nodeId).host() + ":0")
                        .egressListener(this)
                        .messageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(file.commitTimeoutMs())));
                }
                final AeronCluster connected = connecting.poll();
                if (connected != null)
                {
                    connecting = null;
                    client = connected;
                    pending.localSessionId(connected.clusterSessionId());
                    leaderId = connected.leaderMemberId();
                    lastSendNs = System.nanoTime();
                    resend = pending.size() > 0;
                    LOG.log(System.Logger.Level.INFO, "node " + nodeId + " joined the cluster as session " +
                        connected.clusterSessionId() + "; leader is node " + leaderId);
                    tellAvailability();
                }
            }
            catch (final RuntimeException e)
            {
                // No leader yet (the others are starting, or an election): try again on the next wake.
                LOG.log(System.Logger.Level.DEBUG, "cluster connect: " + e);
                CloseHelper.quietClose(connecting);
                connecting = null;
            }
        }

        void closeClient()
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            CloseHelper.quietClose(client);
            client = null;
            leaderId = -1;
            pending.localSessionId(Long.MIN_VALUE);
        }

        @Override
        public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header header)
        {
            // Answers come from this node's replica, not the egress.
        }

        /**
         * A snapshot is the cluster's: the leader has every member take one at the same log position. Asked through
         * the cluster client, not the log; answered when the leader accepts or refuses.
         */
        private void requestSnapshot(final long correlationId, final Reply reply)
        {
            if (reply == null)
            {
                return;
            }
            reply.type = CommandType.SNAPSHOT;
            if (client == null || snapshotReply != null || !client.sendAdminRequestToTakeASnapshot(correlationId))
            {
                reply.result = client == null ? ResultCode.NO_LEADER : ResultCode.SNAPSHOT_FAILED;
                reply.detail = client == null ? null : "another snapshot request is waiting, or the leader cannot take it now";
                reply.listener.onReply(reply);
                return;
            }
            snapshotReply = reply;
            snapshotCorrelationId = correlationId;
        }

        @Override
        public void onAdminResponse(final long clusterSessionId, final long correlationId,
            final io.aeron.cluster.codecs.AdminRequestType requestType, final io.aeron.cluster.codecs.AdminResponseCode code,
            final String message, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
        {
            final Reply reply = snapshotReply;
            if (reply == null || correlationId != snapshotCorrelationId)
            {
                return;
            }
            snapshotReply = null;
            final boolean ok = code == io.aeron.cluster.codecs.AdminResponseCode.OK;
            reply.result = ok ? ResultCode.OK : ResultCode.SNAPSHOT_FAILED;
            reply.sequence = service.appliedSequence();
            reply.snapshotPath = "";
            reply.detail = ok ? null : code + ": " + message;
            reply.listener.onReply(reply);
        }

        @Override
        public void onNewLeader(final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
            final String ingressEndpoints)
        {
            LOG.log(System.Logger.Level.INFO, "node " + nodeId + ": the cluster's leader is now node " + leaderMemberId);
            leaderId = leaderMemberId;
            // What was sent to the old leader may be lost: send it all again, in order; the service skips what it has.
            resend = pending.size() > 0;
            tellAvailability();
        }
    }
}
