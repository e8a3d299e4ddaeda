package dev.triage.api;

import dev.triage.api.cli.TriageCli;
import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.book.Conversation;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.Urgency;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server in a child JVM takes opens over gRPC and is killed with SIGKILL at a random point; recovery from
 * the same journal must hold every open that was acknowledged before the kill, each exactly once.
 */
class CrashRecoveryIT
{
    @TempDir
    Path journal;

    @Test
    @Timeout(120)
    void shouldKeepEveryAcknowledgedCommandAcrossAKill() throws Exception
    {
        final long seed = Long.getLong("crash.seed", System.nanoTime());
        final Random random = new Random(seed);
        final int killAfter = 500 + random.nextInt(3_000);
        System.out.println("CrashRecoveryIT seed=" + seed + " killAfter=" + killAfter + " acknowledged opens");

        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final Process child = startChild(port);
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicInteger sent = new AtomicInteger();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try
        {
            final TriageGrpc.TriageStub stub = TriageGrpc.newStub(channel);
            final Semaphore inFlight = new Semaphore(64);
            final CountDownLatch killed = new CountDownLatch(1);
            while (killed.getCount() > 0 && child.isAlive())
            {
                inFlight.acquire();
                final String id = "crash-" + sent.getAndIncrement();
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).open(
                    OpenRequest.newBuilder().setId(id).setUrgency(Urgency.forNumber(1 + random.nextInt(5))).setImpact(1).build(),
                    new StreamObserver<>()
                    {
                        @Override
                        public void onNext(final ConversationReply value)
                        {
                            if (acknowledged.add(id) && acknowledged.size() == killAfter)
                            {
                                child.destroyForcibly();
                                killed.countDown();
                            }
                        }

                        @Override
                        public void onError(final Throwable t)
                        {
                            inFlight.release();
                        }

                        @Override
                        public void onCompleted()
                        {
                            inFlight.release();
                        }
                    });
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }
        finally
        {
            child.destroyForcibly();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        final List<String> acked = new ArrayList<>(acknowledged);
        assertTrue(acked.size() >= killAfter);

        final TriageEngine recovered = TriageEngine.start(new EngineContext().journalDir(journal).tickIntervalMs(0));
        // Closed first: the book is then read on this thread with nothing running.
        recovered.close();
        for (final String id : acked)
        {
            final Conversation c = recovered.book().conversation(id);
            assertNotNull(c, "acknowledged open " + id + " was lost (seed " + seed + ")");
        }
        // No timers are armed in this load (no SLA, lease or long-poll), so every record is an OPEN.
        final long opens = recovered.recovered().commands();
        assertEquals(opens, recovered.book().liveConversations(), "every journaled open applied once");
        assertTrue(opens >= acked.size() && opens <= sent.get(), opens + " opens recovered of " + sent.get() + " sent");
        assertNull(recovered.book().validateInternalState());
    }

    /**
     * Claims (open, NextBest, resolve) in flight when the server is killed, several times over the same journal:
     * the decision log may lag the journal (decisions journaled but not yet logged) or lead it (decisions of
     * commands the journal never got). {@code replay --verify} must then report missing decisions as recomputable
     * and ignore the voided ones, never a mismatch.
     */
    @Test
    @Timeout(300)
    void shouldVerifyTheDecisionLogAfterKillsUnderClaimsLoad() throws Exception
    {
        final long seed = Long.getLong("crash.seed", System.nanoTime());
        final Random random = new Random(seed);
        System.out.println("CrashRecoveryIT decisions seed=" + seed);
        for (int round = 0; round < 4; round++)
        {
            final int port;
            try (ServerSocket probe = new ServerSocket(0))
            {
                port = probe.getLocalPort();
            }
            final Process child = startChild(port);
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try
            {
                claimUntilKilled(child, channel, round, 200 + random.nextInt(1_500));
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            finally
            {
                child.destroyForcibly();
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream old = System.out;
        final int exit;
        try
        {
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            exit = TriageCli.commandLine().execute("replay", "--journal", journal.toString(), "--verify");
        }
        finally
        {
            System.setOut(old);
        }
        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, "seed " + seed + ":\n" + report);
        assertTrue(!report.contains("MISMATCH") && report.contains("decisions:"), "seed " + seed + ":\n" + report);
    }

    /**
     * Two servers on one journal interleave their sequences and destroy it: the second is refused, naming the first's
     * process, and touches nothing; a read-only tool still works beside the first; a killed server lets go at once.
     */
    @Test
    @Timeout(120)
    void shouldRefuseASecondServerOnTheSameJournal() throws Exception
    {
        final Process first = startChild(freePort());
        try
        {
            final Process second = new ProcessBuilder(ServerCommand.of(List.of(), List.of("serve", "--port",
                Integer.toString(freePort()), "--metrics-port", "-1", "--journal", journal.toString()))).redirectErrorStream(true).start();
            final String said = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, second.exitValue(), said);
            assertTrue(said.contains("is in use by another server (pid " + first.pid() + ","), said);
            assertTrue(!said.contains("triage listening"), said);
            final CliRun replay = CliRun.execute("replay", "--journal", journal.toString());
            assertEquals(0, replay.exit(), "a read-only tool works beside the server: " + replay.out() + replay.err());
        }
        finally
        {
            first.destroyForcibly();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        }
        startChild(freePort()).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    private static int freePort() throws java.io.IOException
    {
        try (ServerSocket probe = new ServerSocket(0))
        {
            return probe.getLocalPort();
        }
    }

    private static void claimUntilKilled(final Process child, final ManagedChannel channel, final int round, final int killAfter)
        throws Exception
    {
        final TriageGrpc.TriageStub stub = TriageGrpc.newStub(channel);
        final TriageGrpc.TriageBlockingStub blocking = TriageGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        for (int a = 0; a < 4; a++)
        {
            blocking.upsertAgent(dev.triage.proto.v1.UpsertAgentRequest.newBuilder().setAgentId("agent-" + a).setCapacity(1_000).build());
        }
        final Semaphore inFlight = new Semaphore(32);
        final AtomicInteger claimed = new AtomicInteger();
        for (int i = 0; child.isAlive(); i++)
        {
            if (!inFlight.tryAcquire(10, TimeUnit.SECONDS))
            {
                break;
            }
            final String id = "r" + round + "-" + i;
            final String agent = "agent-" + (i % 4);
            final TriageGrpc.TriageStub call = stub.withDeadlineAfter(10, TimeUnit.SECONDS);
            call.open(OpenRequest.newBuilder().setId(id).setUrgency(Urgency.NORMAL).setImpact(1).build(), new StreamObserver<>()
            {
                @Override
                public void onNext(final ConversationReply value)
                {
                    call.nextBest(dev.triage.proto.v1.NextBestRequest.newBuilder().setAgentId(agent).build(), new StreamObserver<>()
                    {
                        @Override
                        public void onNext(final dev.triage.proto.v1.NextBestReply next)
                        {
                            if (next.getAssigned())
                            {
                                call.resolve(dev.triage.proto.v1.ConversationRef.newBuilder().setId(next.getConversationId()).build(),
                                    new StreamObserver<>()
                                    {
                                        @Override
                                        public void onNext(final ConversationReply resolved)
                                        {
                                            if (claimed.incrementAndGet() == killAfter)
                                            {
                                                child.destroyForcibly();
                                            }
                                        }

                                        @Override
                                        public void onError(final Throwable t)
                                        {
                                            inFlight.release();
                                        }

                                        @Override
                                        public void onCompleted()
                                        {
                                            inFlight.release();
                                        }
                                    });
                            }
                            else
                            {
                                inFlight.release();
                            }
                        }

                        @Override
                        public void onError(final Throwable t)
                        {
                            inFlight.release();
                        }

                        @Override
                        public void onCompleted()
                        {
                        }
                    });
                }

                @Override
                public void onError(final Throwable t)
                {
                    inFlight.release();
                }

                @Override
                public void onCompleted()
                {
                }
            });
        }
    }

    private Process startChild(final int port) throws Exception
    {
        final List<String> command = ServerCommand.of(List.of(),
            List.of("serve", "--port", Integer.toString(port), "--metrics-port", "-1", "--journal", journal.toString()));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final CountDownLatch listening = new CountDownLatch(1);
        final Thread reader = new Thread(() ->
        {
            try
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    if (line.startsWith("triage listening"))
                    {
                        listening.countDown();
                    }
                }
            }
            catch (final java.io.IOException ignored)
            {
                // The child was killed: its output ends.
            }
        }, "crash-child-output");
        reader.setDaemon(true);
        reader.start();
        if (!listening.await(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("child server did not start");
        }
        return process;
    }
}
