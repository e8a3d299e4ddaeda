package dev.triage.api.server;

import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps open connections, per server and per remote address, at accept time: a connection over a cap is closed
 * before it costs more than its accept. Together with the handshake timeout and the first-call limit (a connection
 * that completed its handshake but starts no call, as 10,000 sockets sending only the HTTP/2 preface did, is closed
 * once the limit passes) this bounds the file descriptors that clients (or a flood of silent sockets) can hold, so the
 * journal and snapshots always have theirs. Counts are touched only on the acceptor thread and on close; the
 * first-call check is one task per connection on the acceptor's loop, and a call's first touch of the map is skipped
 * once every connection has made its first call.
 */
final class ConnectionLimits implements io.grpc.ServerInterceptor
{
    private static final System.Logger LOG = System.getLogger(ConnectionLimits.class.getName());

    private final int maxConnections;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections by remote address; an address leaves the map with its last connection (updated atomically per key). */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final long firstCallTimeoutMs;
    /** Connections that have not started a call yet, by their remote address (unique per open connection). */
    private final ConcurrentHashMap<java.net.SocketAddress, NioSocketChannel> awaitingFirstCall = new ConcurrentHashMap<>();
    private final AtomicLong closedWithoutCall = new AtomicLong();
    private volatile long lastWarningNanos;

    ConnectionLimits(final int maxConnections, final int maxPerAddress, final long firstCallTimeoutMs)
    {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.firstCallTimeoutMs = firstCallTimeoutMs;
    }

    /**
     * @return connections closed because they started no call within the first-call limit, since start.
     */
    long closedWithoutCall()
    {
        return closedWithoutCall.get();
    }

    /** Every call: the first of its connection clears the first-call check. */
    @Override
    public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(final io.grpc.ServerCall<Q, R> call, final io.grpc.Metadata headers,
        final io.grpc.ServerCallHandler<Q, R> next)
    {
        if (!awaitingFirstCall.isEmpty())
        {
            final java.net.SocketAddress remote = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            if (remote != null)
            {
                awaitingFirstCall.remove(remote);
            }
        }
        return next.startCall(call, headers);
    }

    private void expectFirstCall(final NioSocketChannel child, final InetSocketAddress remote,
        final io.grpc.netty.shaded.io.netty.channel.EventLoop acceptor)
    {
        if (firstCallTimeoutMs <= 0 || remote == null)
        {
            return;
        }
        awaitingFirstCall.put(remote, child);
        child.closeFuture().addListener(f -> awaitingFirstCall.remove(remote, child));
        acceptor.schedule(() ->
        {
            if (awaitingFirstCall.remove(remote, child))
            {
                closedWithoutCall.incrementAndGet();
                child.close();
                warnSilent(remote.getAddress());
            }
        }, firstCallTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private volatile long lastSilentWarningNanos;

    /** As rare as the cap's warning: a flood of silent connections must not flood the log. */
    private void warnSilent(final InetAddress address)
    {
        final long now = System.nanoTime();
        if (now - lastSilentWarningNanos > 10_000_000_000L)
        {
            lastSilentWarningNanos = now;
            LOG.log(System.Logger.Level.WARNING, "closed connections that started no call within " + firstCallTimeoutMs +
                " ms (--first-call-timeout): " + closedWithoutCall.get() + " since start, latest from " + address.getHostAddress());
        }
    }

    /**
     * @return a server channel that applies these limits to every connection it accepts.
     */
    NioServerSocketChannel newServerChannel()
    {
        return new LimitedServerChannel(this);
    }

    /**
     * @return connections open now.
     */
    int open()
    {
        return open.get();
    }

    /**
     * @return connections refused since start.
     */
    long refused()
    {
        return refused.get();
    }

    private boolean admit(final InetAddress address)
    {
        final int fromAddress = perAddress.merge(address, 1, Integer::sum);
        if (open.incrementAndGet() > maxConnections || fromAddress > maxPerAddress)
        {
            release(address);
            refused.incrementAndGet();
            warn(address);
            return false;
        }
        return true;
    }

    private void release(final InetAddress address)
    {
        open.decrementAndGet();
        perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }

    /** One line at most every ten seconds, however many are refused: a flood must not flood the log too. */
    private void warn(final InetAddress address)
    {
        final long now = System.nanoTime();
        if (now - lastWarningNanos > 10_000_000_000L)
        {
            lastWarningNanos = now;
            LOG.log(System.Logger.Level.WARNING, "refusing connections: " + open.get() + " open (cap " + maxConnections +
                "), " + maxPerAddress + " per address; latest from " + address.getHostAddress() + "; " + refused.get() +
                " refused since start");
        }
    }

    /** Netty's acceptor, closing what it accepts over the caps before any handler sees it. */
    private static final class LimitedServerChannel extends NioServerSocketChannel
    {
        private final ConnectionLimits limits;

        LimitedServerChannel(final ConnectionLimits limits)
        {
            this.limits = limits;
        }

        @Override
        protected int doReadMessages(final List<Object> buf) throws Exception
        {
            final int before = buf.size();
            int accepted = super.doReadMessages(buf);
            for (int i = before; i < buf.size(); )
            {
                final NioSocketChannel child = (NioSocketChannel)buf.get(i);
                final InetSocketAddress remote = child.remoteAddress();
                final InetAddress address = remote == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
                if (limits.admit(address))
                {
                    child.closeFuture().addListener(f -> limits.release(address));
                    limits.expectFirstCall(child, remote, eventLoop());
                    i++;
                }
                else
                {
                    child.unsafe().closeForcibly();
                    buf.remove(i);
                    accepted--;
                }
            }
            return accepted;
        }
    }
}
