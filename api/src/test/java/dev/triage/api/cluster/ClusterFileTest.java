package dev.triage.api.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster file: the shipped one reads, and each mistake is refused naming what is wrong. */
class ClusterFileTest
{
    private static final String THREE = "node.0 = 127.0.0.1 7411 9464 20100\nnode.1 = 127.0.0.1 7412 9465 20110\n" +
        "node.2 = 127.0.0.1 7413 9466 20120\n";

    @TempDir
    Path dir;

    @Test
    void theShippedLoopbackFileReads() throws Exception
    {
        final ClusterFile file = ClusterFile.read(Path.of("..", "docs", "cluster-3-loopback.conf"));
        assertEquals(3, file.members().size());
        assertEquals(7412, file.member(1).grpcPort());
        assertEquals("127.0.0.1:20122", file.member(2).endpoint(2));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), file.heartbeatTimeoutNs());
        assertEquals(5_000, file.commitTimeoutMs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), file.idleMaxParkNs());
        assertEquals("0=127.0.0.1:20100,1=127.0.0.1:20110,2=127.0.0.1:20120", file.ingressEndpoints());
        assertTrue(file.aeronMembers().startsWith("0,127.0.0.1:20100,127.0.0.1:20101,127.0.0.1:20102,127.0.0.1:20103,127.0.0.1:20104|1,"),
            file.aeronMembers());
    }

    @Test
    void mistakesAreNamed() throws Exception
    {
        refused("node.0 = 127.0.0.1 7411 9464 20100\nnode.1 = 127.0.0.1 7412 9465 20110\n", "2 members");
        refused(THREE + "node.4 = 127.0.0.1 7415 9468 20140\n", "node.4 does not follow node.0..2");
        refused(THREE.replace("7412 9465", "7412 nine"), "node.1 = '127.0.0.1 7412 nine 20110' is not 'HOST GRPC_PORT");
        refused(THREE.replace("20110", "20102"), "node.0 and node.1 share a port");
        refused(THREE.replace("7413", "7411"), "node.0 and node.2 share a port");
        refused(THREE + "commit-timeout = soon\n", "commit-timeout = 'soon' is not a duration");
        refused(THREE + "leader-heartbeat-interval = 500ms\n", "at least 5 heartbeat intervals");
        refused(THREE + "idle = nap\n", "idle = 'nap' is not backoff or spin");
        final IllegalArgumentException node = assertThrows(IllegalArgumentException.class,
            () -> ClusterFile.read(write(THREE)).member(3));
        assertTrue(node.getMessage().contains("--node 3 is not a member"), node.getMessage());
    }

    private void refused(final String text, final String expected) throws Exception
    {
        final Path file = write(text);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterFile.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    }

    private Path write(final String text) throws Exception
    {
        final Path file = Files.createTempFile(dir, "cluster", ".conf");
        Files.writeString(file, text);
        return file;
    }
}
