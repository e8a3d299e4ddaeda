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
 * before it costs more than its accept. Together with the handshake timeout this bounds the file descriptors that
 * clients (or a flood of silent sockets) can hold, so the journal and snapshots always have theirs.
 * Counts are touched only on the acceptor thread and on close.
 */
final class ConnectionLimits
{
    private static final System.Logger LOG = System.getLogger(ConnectionLimits.class.getName());

    private final int maxConnections;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections by remote address; an address leaves the map with its last connection (updated atomically per key). */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private volatile long lastWarningNanos;

    ConnectionLimits(final int maxConnections, final int maxPerAddress)
    {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
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
