package dev.triage.api;

import dev.triage.api.client.TriageClient;
import dev.triage.proto.v1.InfoReply;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A three-node Triage cluster of real server processes on loopback ({@code triage serve --cluster FILE --node N}, this
 * test's classpath), each with its own directory, on free ports. Nodes can be killed (SIGKILL) and started again.
 */
final class ClusterProcesses implements AutoCloseable
{
    static final int NODES = 3;

    final Path root;
    final Path file;
    final int[] grpcPorts = new int[NODES];
    private final Process[] processes = new Process[NODES];
    /** Serving: set once the node listens, cleared before it is killed or stopped (the load skips the others). */
    private final java.util.concurrent.atomic.AtomicIntegerArray up = new java.util.concurrent.atomic.AtomicIntegerArray(NODES);
    private final TriageClient[] clients = new TriageClient[NODES];
    private final StringBuffer[] output = new StringBuffer[NODES];

    ClusterProcesses(final Path root) throws IOException
    {
        this.root = root;
        final StringBuilder conf = new StringBuilder("# written by ClusterProcesses\n");
        final int aeronBase = freeUdpBase();
        for (int n = 0; n < NODES; n++)
        {
            grpcPorts[n] = freeTcpPort();
            conf.append("node.").append(n).append(" = 127.0.0.1 ").append(grpcPorts[n]).append(" -1 ")
                .append(aeronBase + 10 * n).append('\n');
            output[n] = new StringBuffer();
        }
        file = root.resolve("cluster.conf");
        Files.writeString(file, conf.toString());
    }

    Path dir(final int node)
    {
        return root.resolve("node" + node);
    }

    /**
     * Start node {@code n} and wait until it listens for gRPC (it serves once the cluster has a leader).
     */
    void start(final int n) throws IOException, InterruptedException
    {
        final List<String> command = ServerCommand.of(List.of("-Xmx256m", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1"),
            List.of("serve", "--cluster", file.toString(), "--node", Integer.toString(n), "--journal", dir(n).toString(),
                "--snapshot-every", "400"));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CountDownLatch listening = new CountDownLatch(1);
        final StringBuffer out = output[n];
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    out.append(line).append('\n');
                    if (line.startsWith("triage listening"))
                    {
                        listening.countDown();
                    }
                }
            }
            catch (final IOException ignored)
            {
                // The node was killed: its output ends.
            }
        }, "node-" + n + "-output");
        reader.setDaemon(true);
        reader.start();
        processes[n] = process;
        if (!listening.await(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("node " + n + " did not start:\n" + out);
        }
        up.set(n, 1);
    }

    /** SIGKILL: no shutdown hook, nothing flushed beyond what the page cache holds. */
    void kill(final int n) throws InterruptedException
    {
        up.set(n, 0);
        closeClient(n);
        processes[n].destroyForcibly();
        processes[n].waitFor(30, TimeUnit.SECONDS);
        processes[n] = null;
    }

    /** SIGTERM: the graceful stop. */
    void stop(final int n) throws InterruptedException
    {
        up.set(n, 0);
        closeClient(n);
        if (processes[n] != null)
        {
            processes[n].destroy();
            if (!processes[n].waitFor(30, TimeUnit.SECONDS))
            {
                processes[n].destroyForcibly();
            }
            processes[n] = null;
        }
    }

    /**
     * @return how often node n has printed {@code line} since the test began (its restarts included).
     */
    int count(final int n, final String line)
    {
        return output[n].toString().split(java.util.regex.Pattern.quote(line), -1).length - 1;
    }

    /**
     * @return what node n printed since the test began (its restarts included).
     */
    String output(final int n)
    {
        return output[n].toString();
    }

    boolean running(final int n)
    {
        return up.get(n) == 1;
    }

    synchronized TriageClient client(final int n)
    {
        if (clients[n] == null)
        {
            clients[n] = TriageClient.builder("127.0.0.1:" + grpcPorts[n]).deadlineMs(10_000).build();
        }
        return clients[n];
    }

    private synchronized void closeClient(final int n)
    {
        if (clients[n] != null)
        {
            clients[n].close();
            clients[n] = null;
        }
    }

    /**
     * @return node n's answer to info, or null if it does not answer within 2 s.
     */
    InfoReply info(final int n)
    {
        try
        {
            return client(n).info().get(2, TimeUnit.SECONDS);
        }
        catch (final Exception e)
        {
            return null;
        }
    }

    /**
     * @return the leader's id as every running node reports it, once they agree, within {@code timeoutMs}.
     */
    int awaitLeader(final long timeoutMs) throws InterruptedException
    {
        final int[] leader = { -1 };
        await(timeoutMs, "the running nodes to agree on a leader:\n" + this, () ->
        {
            int agreed = -2;
            for (int n = 0; n < NODES; n++)
            {
                if (!running(n))
                {
                    continue;
                }
                final InfoReply info = info(n);
                if (info == null || info.getCluster().getLeaderId() < 0 ||
                    agreed != -2 && agreed != info.getCluster().getLeaderId())
                {
                    return false;
                }
                agreed = info.getCluster().getLeaderId();
            }
            leader[0] = agreed;
            return agreed >= 0 && running(agreed);
        });
        return leader[0];
    }

    static void await(final long timeoutMs, final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder();
        for (int n = 0; n < NODES; n++)
        {
            final String text = output[n].toString();
            out.append("--- node ").append(n).append(running(n) ? " (running)" : " (stopped)").append(", last output:\n")
                .append(text, Math.max(0, text.length() - 3000), text.length()).append('\n');
        }
        return out.toString();
    }

    /** Graceful stops, so the nodes remove their media drivers' files from /dev/shm. */
    @Override
    public void close() throws InterruptedException
    {
        for (int n = 0; n < NODES; n++)
        {
            stop(n);
        }
    }

    private static int freeTcpPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** A base with 30 free UDP ports after it (each node uses five from base + 10n). */
    private static int freeUdpBase()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 21_000 + 10 * ThreadLocalRandom.current().nextInt(1_500);
            boolean free = true;
            for (int port = base; port < base + 30 && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
                {
                    socket.getLocalPort();
                }
                catch (final IOException e)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no free UDP port range found for the cluster");
    }
}
