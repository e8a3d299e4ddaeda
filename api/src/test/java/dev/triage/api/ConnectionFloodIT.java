package dev.triage.api;

import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import dev.triage.engine.journal.JournalRoll;
import dev.triage.proto.v1.SnapshotRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.Urgency;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of TCP connections that never speak HTTP/2, over real netty: connections over the caps are closed at
 * accept, silent ones are closed at the handshake timeout, and afterwards the journal still rolls to a new file
 * and a snapshot is still written (before, such a flood took every fd and the next roll halted the engine).
 */
@Timeout(120)
class ConnectionFloodIT
{
    private static final int CAP = 120;
    private static final int PER_ADDRESS = 100;
    private static final int FLOOD = 600;

    @TempDir
    Path journal;

    @Test
    void shouldCapAndReapSilentConnectionsAndStillRollAndSnapshot() throws Exception
    {
        final AtomicLong nowMs = new AtomicLong(1_700_000_000_000L);
        final ServerContext context = new ServerContext().port(0).metricsPort(-1)
            .handshakeTimeoutMs(1_000).maxConnections(CAP).maxConnectionsPerAddress(PER_ADDRESS)
            .engineContext(new EngineContext().journalDir(journal).journalRoll(JournalRoll.FIVE_MINUTES).clock(nowMs::get));
        try (TriageServer server = TriageServer.start(context))
        {
            final List<Socket> flood = new ArrayList<>();
            try
            {
                for (int i = 0; i < FLOOD; i++)
                {
                    flood.add(new Socket("127.0.0.1", server.port()));
                }
                await(() -> server.openConnections() + server.refusedConnections() >= FLOOD, "the server saw every connection");
                assertTrue(server.openConnections() <= PER_ADDRESS, "open: " + server.openConnections());
                assertTrue(server.refusedConnections() >= FLOOD - PER_ADDRESS, "refused: " + server.refusedConnections());
                // None of them ever sends a preface: the handshake timeout closes them all.
                await(() -> server.openConnections() == 0, "silent connections closed at the handshake timeout");
            }
            finally
            {
                for (final Socket s : flood)
                {
                    s.close();
                }
            }
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try
            {
                final TriageGrpc.TriageBlockingStub stub = TriageGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                stub.open(TriageServiceIT.open("before-roll", Urgency.NORMAL, 1, ""));
                final long filesBefore = journalFiles();
                nowMs.addAndGet(TimeUnit.MINUTES.toMillis(10));
                stub.open(TriageServiceIT.open("after-roll", Urgency.NORMAL, 1, ""));
                assertEquals(filesBefore + 1, journalFiles(), "the journal rolled to a new file");
                assertTrue(Files.exists(Path.of(stub.snapshot(SnapshotRequest.getDefaultInstance()).getFile())));
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Sockets that send the HTTP/2 preface and their SETTINGS, then nothing: past the handshake timeout's reach, they
     * were held until --max-connection-idle (1 h) while new clients were refused at the cap. Now each is closed once the
     * first-call limit passes; a client that makes calls is not.
     */
    @Test
    void shouldCloseConnectionsThatNeverStartACall() throws Exception
    {
        final ServerContext context = new ServerContext().port(0).metricsPort(-1).firstCallTimeoutMs(1_000)
            .maxConnections(CAP).maxConnectionsPerAddress(PER_ADDRESS).engineContext(new EngineContext().journalDir(journal));
        try (TriageServer server = TriageServer.start(context))
        {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            final List<Socket> silent = new ArrayList<>();
            try
            {
                final TriageGrpc.TriageBlockingStub stub = TriageGrpc.newBlockingStub(channel);
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).open(TriageServiceIT.open("first", Urgency.NORMAL, 1, ""));
                for (int i = 0; i < 50; i++)
                {
                    final Socket s = new Socket("127.0.0.1", server.port());
                    s.getOutputStream().write(PREFACE_AND_SETTINGS);
                    s.getOutputStream().flush();
                    silent.add(s);
                }
                await(() -> server.openConnections() == 51, "the server holds the 50 silent connections and the client's");
                await(() -> server.closedWithoutCall() == 50, "connections that started no call are closed at the first-call limit");
                await(() -> server.openConnections() == 1, "only the client's connection, which made a call, stays");
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).open(TriageServiceIT.open("second", Urgency.NORMAL, 1, ""));
                for (final Socket s : silent)
                {
                    assertEquals(-1, readToEnd(s), "the server closed it");
                }
            }
            finally
            {
                for (final Socket s : silent)
                {
                    s.close();
                }
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The global cap binds when no one address reaches its own: two loopback addresses, 100 connections each. */
    @Test
    void shouldCapConnectionsFromManyAddressesAtTheGlobalCap() throws Exception
    {
        final ServerContext context = new ServerContext().port(0).metricsPort(-1).handshakeTimeoutMs(30_000)
            .maxConnections(CAP).maxConnectionsPerAddress(PER_ADDRESS).engineContext(new EngineContext().journalDir(journal));
        try (TriageServer server = TriageServer.start(context))
        {
            final List<Socket> flood = new ArrayList<>();
            try
            {
                for (final String from : List.of("127.0.0.1", "127.0.0.2"))
                {
                    for (int i = 0; i < PER_ADDRESS; i++)
                    {
                        final Socket s = new Socket();
                        s.bind(new java.net.InetSocketAddress(from, 0));
                        s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
                        flood.add(s);
                    }
                }
                await(() -> server.openConnections() + server.refusedConnections() >= 2L * PER_ADDRESS, "the server saw them all");
                assertEquals(CAP, server.openConnections(), "the global cap binds, below both addresses' own caps");
                assertEquals(2L * PER_ADDRESS - CAP, server.refusedConnections());
            }
            finally
            {
                for (final Socket s : flood)
                {
                    s.close();
                }
            }
        }
    }

    /** The client connection preface and an empty SETTINGS frame: a complete HTTP/2 handshake from the client's side. */
    private static final byte[] PREFACE_AND_SETTINGS;

    static
    {
        final byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final byte[] settings = { 0, 0, 0, 4, 0, 0, 0, 0, 0 };
        PREFACE_AND_SETTINGS = java.util.Arrays.copyOf(preface, preface.length + settings.length);
        System.arraycopy(settings, 0, PREFACE_AND_SETTINGS, preface.length, settings.length);
    }

    private static int readToEnd(final Socket s) throws java.io.IOException
    {
        s.setSoTimeout(10_000);
        final java.io.InputStream in = s.getInputStream();
        final byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0)
        {
            assertTrue(n > 0);
        }
        return n;
    }

    @Test
    void shouldLeaveFileDescriptorsToTheJournalWhenDerivingTheCap()
    {
        assertEquals(ServerContext.MAX_CONNECTIONS_CEILING, ServerContext.derivedMaxConnections(20_000));
        assertEquals(1_024 - ServerContext.RESERVED_FDS, ServerContext.derivedMaxConnections(1_024));
        assertEquals(16, ServerContext.derivedMaxConnections(300), "never fewer than 16");
    }

    private long journalFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(journal))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }
}
