package dev.triage.api.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * gRPC-Java logs a warning with a stack trace for every inbound message it refuses (an oversize frame: 4.6 KB of log
 * per 6-byte request), so a hostile or broken client can fill the disk through the log. On those loggers, the first
 * record passes whole; after it, one line every ten seconds without the stack trace, saying how many were held back.
 */
final class GrpcLogLimits implements Filter
{
    /** The loggers gRPC-Java writes per refused message or stream with. */
    private static final List<String> NOISY = List.of(
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream",
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
    private static final long INTERVAL_NS = 10_000_000_000L;
    /** Held so the filters are not collected with their loggers (JUL keeps loggers weakly). */
    private static final List<Logger> KEPT = NOISY.stream().map(Logger::getLogger).toList();

    static
    {
        for (final Logger logger : KEPT)
        {
            logger.setFilter(new GrpcLogLimits());
        }
    }

    private final AtomicLong held = new AtomicLong();
    private volatile long lastNs;
    private volatile boolean first = true;

    private GrpcLogLimits()
    {
    }

    /** Install the limits (once per JVM; later calls do nothing). */
    static void install()
    {
        // The static initialiser did it.
    }

    @Override
    public boolean isLoggable(final LogRecord record)
    {
        final long now = System.nanoTime();
        if (first)
        {
            first = false;
            lastNs = now;
            return true;
        }
        if (now - lastNs < INTERVAL_NS)
        {
            held.incrementAndGet();
            return false;
        }
        lastNs = now;
        final long since = held.getAndSet(0);
        record.setThrown(null);
        record.setMessage(record.getMessage() + " (" + since + " more like it in the last " + INTERVAL_NS / 1_000_000_000L +
            " s were not logged)");
        return true;
    }

    /**
     * @return records held back since the last one logged (for tests).
     */
    static long heldBack()
    {
        long total = 0;
        for (final Logger logger : KEPT)
        {
            if (logger.getFilter() instanceof GrpcLogLimits limits)
            {
                total += limits.held.get();
            }
        }
        return total;
    }
}
