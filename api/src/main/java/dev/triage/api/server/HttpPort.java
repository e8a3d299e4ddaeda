package dev.triage.api.server;

import dev.triage.api.console.HttpCall;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/1.1 port for metrics, health and the console, on netty. One event loop reads every connection without a
 * thread each, so sockets that trickle their headers (slowloris) hold no worker; each connection must deliver each
 * whole request within {@link #REQUEST_TIMEOUT_MS} of opening or of its previous answer, or it is closed (a timer armed
 * only while the connection exists, so an idle port wakes no thread). Handlers run on a few worker threads, which may
 * wait (a view waits up to two seconds for the engine), one request at a time per connection; when all are busy a
 * request is answered 503 at once. Without tokens, a request whose {@code Host} is not one of this server's own names
 * is refused: a page at another origin that made its name resolve to 127.0.0.1 (DNS rebinding) reads nothing.
 */
final class HttpPort implements AutoCloseable
{
    /** A connection gets this long to send each whole request (from its opening, or from the previous answer). */
    static final long REQUEST_TIMEOUT_MS = 10_000;
    /** Open connections at most; more are closed at once (browsers, Prometheus and a few tools need a handful). */
    static final int MAX_CONNECTIONS = 256;
    private static final int MAX_HEADER_BYTES = 16 << 10;
    private static final int MAX_BODY_BYTES = 64 << 10;
    private static final int WORKERS = 16;
    private static final System.Logger LOG = System.getLogger(HttpPort.class.getName());

    /** What answers the port's requests (on a worker thread). */
    interface Handler
    {
        void handle(HttpCall call) throws IOException;
    }

    private final NioEventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("triage-http", true));
    private final ThreadPoolExecutor workers = new ThreadPoolExecutor(0, WORKERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        new DefaultThreadFactory("triage-http-work", true));
    private final AtomicInteger open = new AtomicInteger();
    private final Handler handler;
    private final Set<String> inline;
    private final Set<String> allowedHosts;
    private final Channel server;
    private final int port;

    /**
     * @param bind the address to listen on.
     * @param port the port; 0 picks a free one.
     * @param checkHost true to refuse requests whose Host is not one of this server's own names (no tokens).
     * @param inline paths whose answers never wait (health): answered on the event loop, so they answer when every
     * worker is busy.
     * @param handler what answers.
     * @throws IOException if the port cannot be bound.
     */
    HttpPort(final InetAddress bind, final int port, final boolean checkHost, final Set<String> inline, final Handler handler)
        throws IOException
    {
        this.handler = handler;
        this.inline = inline;
        try
        {
            server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        channel.pipeline().addLast(new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192),
                            new HttpObjectAggregator(MAX_BODY_BYTES), new Connection());
                    }
                })
                .bind(new InetSocketAddress(bind, port)).syncUninterruptibly().channel();
        }
        catch (final Exception e)
        {
            // Netty rethrows the bind's IOException (a BindException) as it is, unchecked.
            close();
            if (e instanceof IOException io)
            {
                throw io;
            }
            throw new IOException("cannot listen on " + bind.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        }
        this.port = ((InetSocketAddress)server.localAddress()).getPort();
        allowedHosts = checkHost ? ownNames(bind, this.port) : null;
    }

    int port()
    {
        return port;
    }

    /** The Host values a browser sends for this server: its bind address and the loopback names, with and without port. */
    private static Set<String> ownNames(final InetAddress bind, final int port)
    {
        final Set<String> names = new java.util.HashSet<>();
        for (final String name : List.of(literal(bind), "localhost", "127.0.0.1", "[::1]"))
        {
            names.add(name);
            names.add(name + ":" + port);
        }
        return names;
    }

    private static String literal(final InetAddress address)
    {
        return address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    }

    /** One connection: its request deadline, the cap, and the hand-over of each request to a worker. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        private ScheduledFuture<?> deadline;

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            if (open.incrementAndGet() > MAX_CONNECTIONS)
            {
                ctx.close();
                return;
            }
            arm(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            open.decrementAndGet();
            disarm();
            ctx.fireChannelInactive();
        }

        private void arm(final ChannelHandlerContext ctx)
        {
            deadline = ctx.executor().schedule(() ->
            {
                ctx.close();
            }, REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        private void disarm()
        {
            if (deadline != null)
            {
                deadline.cancel(false);
                deadline = null;
            }
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            disarm();
            // One request at a time per connection: the next is read once this one is answered.
            ctx.channel().config().setAutoRead(false);
            final NettyCall call = new NettyCall(ctx, this, request);
            if (!request.decoderResult().isSuccess())
            {
                call.respond(400, "text/plain; charset=utf-8", "malformed request\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (inline.contains(call.path()))
            {
                run(call);
                return;
            }
            try
            {
                workers.execute(() -> run(call));
            }
            catch (final RejectedExecutionException busy)
            {
                call.respond(503, "text/plain; charset=utf-8", ("all " + WORKERS + " workers of this port are busy; try again " +
                    "in a moment\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        /** After an answer, on the event loop: read the next request, within its own deadline. */
        void answered(final ChannelHandlerContext ctx)
        {
            if (ctx.channel().isActive())
            {
                arm(ctx);
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            // A reset or a malformed frame ends this connection only; it is not the server's fault.
            ctx.close();
        }
    }

    private void run(final NettyCall call)
    {
        try
        {
            final String host = call.header("Host");
            if (allowedHosts != null && (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT))))
            {
                call.respond(403, "text/plain; charset=utf-8", ("Host '" + host + "' is not this server's address: without " +
                    "--tokens it answers only requests to " + String.join(", ", new java.util.TreeSet<>(allowedHosts)) +
                    " (a page elsewhere must not read it through a name that resolves here)\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            handler.handle(call);
            if (!call.answered.get())
            {
                call.respond(500, "text/plain; charset=utf-8", "no answer was made\n".getBytes(StandardCharsets.UTF_8));
            }
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.log(System.Logger.Level.WARNING, "request " + call.method() + " " + call.path() + " failed: " + e);
            if (!call.answered.get())
            {
                call.respond(500, "text/plain; charset=utf-8", ("the request failed: " + e.getMessage() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** A request as the handlers see it, copied off netty's buffers, and its answer written back on the event loop. */
    private static final class NettyCall implements HttpCall
    {
        private final ChannelHandlerContext ctx;
        private final Connection connection;
        private final String method;
        private final String path;
        private final String rawQuery;
        private final HttpHeaders headers;
        private final boolean keepAlive;
        private final List<String[]> responseHeaders = new ArrayList<>(8);
        final AtomicBoolean answered = new AtomicBoolean();

        NettyCall(final ChannelHandlerContext ctx, final Connection connection, final FullHttpRequest request)
        {
            this.ctx = ctx;
            this.connection = connection;
            method = request.method().name();
            final String uri = request.uri();
            final int q = uri.indexOf('?');
            path = new QueryStringDecoder(q < 0 ? uri : uri.substring(0, q)).path();
            rawQuery = q < 0 ? null : uri.substring(q + 1);
            headers = request.headers().copy();
            keepAlive = HttpUtil.isKeepAlive(request);
        }

        @Override
        public String method()
        {
            return method;
        }

        @Override
        public String path()
        {
            return path;
        }

        @Override
        public String rawQuery()
        {
            return rawQuery;
        }

        @Override
        public String header(final String name)
        {
            return headers.get(name);
        }

        @Override
        public List<String> headers(final String name)
        {
            return headers.getAll(name);
        }

        @Override
        public InetSocketAddress remote()
        {
            return (InetSocketAddress)ctx.channel().remoteAddress();
        }

        @Override
        public void responseHeader(final String name, final String value)
        {
            responseHeaders.add(new String[]{ name, value });
        }

        @Override
        public void respond(final int status, final String contentType, final byte[] body)
        {
            if (!answered.compareAndSet(false, true))
            {
                throw new IllegalStateException("answered twice");
            }
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
            for (final String[] h : responseHeaders)
            {
                response.headers().set(h[0], h[1]);
            }
            if (contentType != null)
            {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (keepAlive)
            {
                HttpUtil.setKeepAlive(response, true);
                ctx.writeAndFlush(response).addListener(f -> connection.answered(ctx));
            }
            else
            {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void close()
    {
        if (server != null)
        {
            server.close().syncUninterruptibly();
        }
        workers.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
