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
