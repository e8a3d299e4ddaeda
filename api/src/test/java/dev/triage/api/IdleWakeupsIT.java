package dev.triage.api;

import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No thread of the engine wakes without work: after some traffic, an idle server's triage threads (stages, ticker,
 * decision log writer, watch hub) do not wake at all while nothing happens. A thread polling every millisecond
 * would show hundreds of wakeups in the idle window; the bound leaves room for a stray one.
 */
@Timeout(60)
class IdleWakeupsIT
{
    @TempDir
    Path journal;

    @Test
    void shouldNotWakeAnyEngineThreadWhileIdle() throws Exception
    {
        dev.triage.engine.fixture.Needs.tool(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc to count wakeups");
        try (ServerFixture fixture = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = fixture.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(5).build());
            stub.open(TriageServiceIT.open("C-1", Urgency.HIGH, 1, ""));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
            // The lease timer is armed: the ticker must sleep until it is due (minutes away), not poll.
            final Map<String, Long> before = wakeups();
            final long idleUntil = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < idleUntil)
            {
                Thread.sleep(50);
            }
            final Map<String, Long> after = wakeups();
            assertTrue(before.keySet().stream().anyMatch(n -> n.startsWith("triage-ticker")), "threads seen: " + before.keySet());
            for (final Map.Entry<String, Long> e : after.entrySet())
            {
                final long woke = e.getValue() - before.getOrDefault(e.getKey(), e.getValue());
                assertTrue(woke <= 3, e.getKey() + " woke " + woke + " times in 500 ms of idle: " + after);
            }
        }
    }

    /** Voluntary context switches of each triage thread, by thread name and id. */
    private static Map<String, Long> wakeups() throws IOException
    {
        final Map<String, Long> switches = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    // Netty's event loops (triage-netty, triage-accept) keep gRPC's own timers; they are not the engine's.
                    if (!name.startsWith("triage-") || name.startsWith("triage-netty") || name.startsWith("triage-accept"))
                    {
                        continue;
                    }
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:"))
                        {
                            switches.put(name + "/" + task.getFileName(), Long.parseLong(line.substring(line.indexOf(':') + 1).trim()));
                        }
                    }
                }
                catch (final IOException gone)
                {
                    // The thread ended between listing and reading.
                }
            }
        }
        return switches;
    }
}
