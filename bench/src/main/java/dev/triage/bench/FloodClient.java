package dev.triage.bench;

import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.Urgency;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Overload, open loop: unary Opens fired asynchronously at a fixed rate, each with a deadline, whatever the answers
 * do; prints how the calls ended (by status) and their latency. The shape of an integration flooding the server
 * during an outage, to see whether excess is refused at once (RESOURCE_EXHAUSTED) or queued into time-outs.
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
        final TriageGrpc.TriageStub stub = TriageGrpc.newStub(channel);
        final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
        final Recorder latency = new Recorder(3);
        final CountDownLatch done = new CountDownLatch(calls);
        final String run = Long.toString(System.currentTimeMillis(), 36);
        final long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++)
        {
            final long due = t0 + (long)(i * 1e9 / rate);
            while (System.nanoTime() < due)
            {
                Thread.onSpinWait();
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
                        latency.recordValue((System.nanoTime() - sent) / 1_000);
                        done.countDown();
                    }
                });
        }
        final long sentMs = (System.nanoTime() - t0) / 1_000_000;
        done.await(deadlineMs + 60_000, TimeUnit.MILLISECONDS);
        final org.HdrHistogram.Histogram h = latency.getIntervalHistogram();
        System.out.printf("%,d Opens at %,d/s (sent in %,d ms), deadline %d ms: %s; latency p50 %,d us, p99 %,d us, max %,d us%n",
            calls, rate, sentMs, deadlineMs, new TreeMap<>(ended), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
            h.getMaxValue());
        channel.shutdownNow();
    }
}
