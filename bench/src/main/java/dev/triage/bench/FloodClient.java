package dev.triage.bench;

import dev.triage.proto.v1.AgentStatus;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Overload, open loop: unary Opens fired asynchronously at a fixed rate, each with a deadline, whatever the answers
 * do; prints how the calls ended (by status) with their latency, and the latency of an agent asking for work
 * meanwhile. The shape of an integration flooding the server during an outage, to see whether excess is refused at
 * once (RESOURCE_EXHAUSTED) or queued into time-outs, and whether agents are still served.
 * <p>
 * The agent probe runs on its own connection, as a helpdesk front end does: every 10 ms one blocking NextBest
 * (wait 0), and a Resolve of what it got. The sender sleeps between calls (it never spins a core the server needs).
 * {@code java -cp bench/target/benchmarks.jar dev.triage.bench.FloodClient PORT CALLS RATE_PER_S [DEADLINE_MS]}
 */
public final class FloodClient
{
    private FloodClient()
    {
    }

    /**
     * @param args port, calls, rate per second, deadline in ms (default 1000).
     * @throws Exception if interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final int port = Integer.parseInt(args[0]);
        final int calls = Integer.parseInt(args[1]);
        final int rate = Integer.parseInt(args[2]);
        final long deadlineMs = args.length > 3 ? Long.parseLong(args[3]) : 1_000;
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        final ManagedChannel agentChannel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        final TriageGrpc.TriageStub stub = TriageGrpc.newStub(channel);
        final String run = Long.toString(System.currentTimeMillis(), 36);
        final Probe probe = new Probe(TriageGrpc.newBlockingStub(agentChannel), "flood-agent-" + run);
        final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
        final Map<String, Recorder> latency = new ConcurrentHashMap<>();
        final CountDownLatch done = new CountDownLatch(calls);
        final Thread prober = new Thread(probe, "flood-probe");
        prober.setDaemon(true);
        prober.start();
        final long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++)
        {
            final long ahead = t0 + (long)(i * 1e9 / rate) - System.nanoTime();
            if (ahead > 50_000)
            {
                LockSupport.parkNanos(ahead);
            }
            final long sent = System.nanoTime();
            stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).open(
                OpenRequest.newBuilder().setId("flood-" + run + "-" + i).setUrgency(Urgency.NORMAL).setImpact(1).build(),
                new StreamObserver<>()
                {
                    @Override
                    public void onNext(final ConversationReply reply)
                    {
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        end(Status.fromThrowable(t).getCode().name());
                    }

                    @Override
                    public void onCompleted()
                    {
                        end("OK");
                    }

                    private void end(final String code)
                    {
                        ended.computeIfAbsent(code, k -> new LongAdder()).increment();
                        latency.computeIfAbsent(code, k -> new Recorder(3)).recordValue((System.nanoTime() - sent) / 1_000);
                        done.countDown();
                    }
                });
        }
        final long sentMs = (System.nanoTime() - t0) / 1_000_000;
        done.await(deadlineMs + 60_000, TimeUnit.MILLISECONDS);
        probe.stop = true;
        prober.join(5_000);
        System.out.printf("%,d Opens at %,d/s (sent in %,d ms), deadline %d ms:%n", calls, rate, sentMs, deadlineMs);
        for (final Map.Entry<String, LongAdder> e : new TreeMap<>(ended).entrySet())
        {
            final Histogram h = latency.get(e.getKey()).getIntervalHistogram();
            System.out.printf("  %-18s %,7d  p50 %,9d us  p99 %,9d us  max %,9d us%n", e.getKey(), e.getValue().sum(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
        }
        final Histogram agent = probe.latency.getIntervalHistogram();
        System.out.printf("  agent NextBest     %,7d  p50 %,9d us  p99 %,9d us  max %,9d us  (%s)%n", agent.getTotalCount(),
            agent.getValueAtPercentile(50), agent.getValueAtPercentile(99), agent.getMaxValue(), new TreeMap<>(probe.ended));
        channel.shutdownNow();
        agentChannel.shutdownNow();
    }

    /** An agent asking for work every 10 ms on its own connection, timing each NextBest. */
    private static final class Probe implements Runnable
    {
        private final TriageGrpc.TriageBlockingStub stub;
        private final String agentId;
        private final Recorder latency = new Recorder(3);
        private final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
        private volatile boolean stop;

        Probe(final TriageGrpc.TriageBlockingStub stub, final String agentId)
        {
            this.stub = stub;
            this.agentId = agentId;
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId(agentId).setCapacity(1000).build());
            stub.setAgentStatus(SetAgentStatusRequest.newBuilder().setAgentId(agentId).setStatus(AgentStatus.AVAILABLE).build());
        }

        @Override
        public void run()
        {
            while (!stop)
            {
                final long start = System.nanoTime();
                try
                {
                    final NextBestReply reply = stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .nextBest(NextBestRequest.newBuilder().setAgentId(agentId).build());
                    latency.recordValue((System.nanoTime() - start) / 1_000);
                    ended.computeIfAbsent("OK", k -> new LongAdder()).increment();
                    if (reply.getAssigned())
                    {
                        stub.withDeadlineAfter(5, TimeUnit.SECONDS).resolve(ConversationRef.newBuilder()
                            .setId(reply.getConversationId()).build());
                    }
                }
                catch (final StatusRuntimeException e)
                {
                    latency.recordValue((System.nanoTime() - start) / 1_000);
                    ended.computeIfAbsent(e.getStatus().getCode().name(), k -> new LongAdder()).increment();
                }
                LockSupport.parkNanos(10_000_000);
            }
        }
    }
}
