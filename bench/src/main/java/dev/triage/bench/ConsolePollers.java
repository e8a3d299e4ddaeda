package dev.triage.bench;

import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * N open consoles as the server sees them: each asks {@code /api/view} once a second, as the page does (the next
 * request one second after the previous answer), starts spread over the first second. Runs for the given seconds,
 * then prints requests, errors and the view's latency. The browsers' own rendering is not simulated: it runs on
 * the supervisors' machines, not the server's. With {@code --control}, the pollers fetch one real view from the server,
 * then poll a copy of it served from their own JVM (the JDK's HTTP server, as Triage's): the same client and HTTP
 * work on this machine with none of it in the Triage process, to tell the server's cost from the machine's.
 * {@code java -cp bench/target/benchmarks.jar dev.triage.bench.ConsolePollers HOST:PORT CONSOLES SECONDS [--control]}
 */
public final class ConsolePollers
{
    private ConsolePollers()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length < 3 || args.length > 4 || args.length == 4 && !args[3].equals("--control"))
        {
            System.err.println("usage: ConsolePollers HOST:METRICS_PORT CONSOLES SECONDS [--control]");
            System.exit(2);
        }
        final int consoles = Integer.parseInt(args[1]);
        final long seconds = Long.parseLong(args[2]);
        final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build();
        URI view = URI.create("http://" + args[0] + "/api/view");
        if (args.length == 4)
        {
            System.setProperty("sun.net.httpserver.nodelay", "true");
            final byte[] copy = http.send(HttpRequest.newBuilder(view).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            final com.sun.net.httpserver.HttpServer own = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            own.setExecutor(Executors.newFixedThreadPool(4));
            own.createContext("/api/view", exchange ->
            {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, copy.length);
                try (var out = exchange.getResponseBody())
                {
                    out.write(copy);
                }
            });
            own.start();
            view = URI.create("http://127.0.0.1:" + own.getAddress().getPort() + "/api/view");
        }
        final URI target = view;
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final Histogram latencyUs = new Histogram(60_000_000L, 3);
        final AtomicLong errors = new AtomicLong();
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < consoles; i++)
        {
            timer.schedule(new Runnable()
            {
                @Override
                public void run()
                {
                    if (System.nanoTime() > endNs)
                    {
                        return;
                    }
                    final long startNs = System.nanoTime();
                    http.sendAsync(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) ->
                        {
                            if (failure != null || response.statusCode() != 200)
                            {
                                errors.incrementAndGet();
                            }
                            synchronized (latencyUs)
                            {
                                latencyUs.recordValue(Math.min(60_000_000L, (System.nanoTime() - startNs) / 1_000));
                            }
                            timer.schedule(this, 1, TimeUnit.SECONDS);
                        });
                }
            }, i * 1000L / Math.max(1, consoles), TimeUnit.MILLISECONDS);
        }
        timer.awaitTermination(seconds + 2, TimeUnit.SECONDS);
        synchronized (latencyUs)
        {
            System.out.printf(Locale.ROOT, "consoles %d%s: %d views in %d s (%.1f/s), %d errors, view latency p50 %.2f ms p99 %.2f ms%n",
                consoles, args.length == 4 ? " (control: served by the pollers' own JVM)" : "", latencyUs.getTotalCount(), seconds, latencyUs.getTotalCount() / (double)seconds, errors.get(),
                latencyUs.getValueAtPercentile(50) / 1000.0, latencyUs.getValueAtPercentile(99) / 1000.0);
        }
        System.exit(0);
    }
}
