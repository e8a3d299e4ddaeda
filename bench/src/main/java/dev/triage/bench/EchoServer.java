package dev.triage.bench;

import dev.triage.proto.v1.AgentReply;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.ConversationState;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.stub.StreamObserver;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The floor under Triage's request path: the same proto, the same netty transport and settings (NIO, direct
 * executor), and no engine. Open queues the id, NextBest hands out the oldest, Resolve answers at once; Stats counts
 * what is queued. What this costs the server per call is what gRPC itself costs; Triage's figure minus this is the
 * engine, the ring and the handoffs. {@code java -cp bench/target/benchmarks.jar dev.triage.bench.EchoServer PORT}
 */
public final class EchoServer extends TriageGrpc.TriageImplBase
{
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();

    /**
     * @param args the port.
     * @throws Exception if it cannot listen.
     */
    public static void main(final String[] args) throws Exception
    {
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])))
            .channelType(NioServerSocketChannel.class)
            .bossEventLoopGroup(new NioEventLoopGroup(1))
            .workerEventLoopGroup(new NioEventLoopGroup())
            .directExecutor()
            .addService(new EchoServer())
            .build()
            .start();
        System.out.println("echo listening on 127.0.0.1:" + server.getPort());
        server.awaitTermination();
    }

    @Override
    public void open(final OpenRequest request, final StreamObserver<ConversationReply> out)
    {
        queue.add(request.getId());
        reply(out, ConversationReply.newBuilder().setId(request.getId()).setState(ConversationState.OPEN).build());
    }

    @Override
    public void nextBest(final NextBestRequest request, final StreamObserver<NextBestReply> out)
    {
        final String id = queue.poll();
        reply(out, id == null ? NextBestReply.getDefaultInstance()
            : NextBestReply.newBuilder().setAssigned(true).setConversationId(id).build());
    }

    @Override
    public void resolve(final ConversationRef request, final StreamObserver<ConversationReply> out)
    {
        reply(out, ConversationReply.newBuilder().setId(request.getId()).setState(ConversationState.RESOLVED).build());
    }

    @Override
    public void upsertAgent(final UpsertAgentRequest request, final StreamObserver<AgentReply> out)
    {
        reply(out, AgentReply.newBuilder().setAgentId(request.getAgentId()).build());
    }

    @Override
    public void stats(final StatsRequest request, final StreamObserver<StatsReply> out)
    {
        reply(out, StatsReply.newBuilder().setOpen(queue.size()).build());
    }

    private static <T> void reply(final StreamObserver<T> out, final T value)
    {
        out.onNext(value);
        out.onCompleted();
    }
}
