package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's disk reserve: no start on a full disk (a one-line reason, not a JVM fault), and while running,
 * changes refused below the reserve and accepted again once space is freed, with nothing lost.
 */
@Timeout(60)
class JournalSpaceTest
{
    private static final long RESERVE = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseToStartBelowTheReserveNamingTheDirectoryAndTheBytesNeeded()
    {
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> TriageEngine.start(
            context().journalSpaceProbe(p -> 1_000_000)));
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().normalize().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("1000000 bytes free") && e.getMessage().contains(RESERVE + " needed"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void shouldRefuseChangesWhileTheDiskIsBelowTheReserveAndResumeWhenSpaceIsFreed() throws Exception
    {
        final AtomicLong free = new AtomicLong(RESERVE * 10);
        final List<String> accepted = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        try (TriageEngine engine = TriageEngine.start(context().journalSpaceProbe(p -> free.get())))
        {
            open(engine, "before", accepted, refused);
            free.set(RESERVE - 1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; refused.isEmpty(); i++)
            {
                assertTrue(System.nanoTime() < deadline, "changes were never refused on a full disk");
                open(engine, "filling-" + i, accepted, refused);
            }
            assertTrue(engine.journalSpace().low());
            assertEquals(ResultCode.OK, engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS).result,
                "reads are served on a full disk");
            free.set(RESERVE * 10);
            for (int i = 0; !accepted.contains("after-" + (i - 1)); i++)
            {
                assertTrue(System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(10), "intake never resumed");
                open(engine, "after-" + i, accepted, refused);
            }
        }
        try (TriageEngine engine = TriageEngine.start(context()))
        {
            engine.close();
            for (final String id : accepted)
            {
                assertNotNull(engine.book().conversation(id), "accepted and kept: " + id);
            }
            for (final String id : refused)
            {
                assertNull(engine.book().conversation(id), "refused, so never journaled: " + id);
            }
        }
    }

    @Test
    void shouldRefuseToStartOnARealFullDisk() throws Exception
    {
        final Path mount = Files.createDirectories(dir.resolve("small-disk"));
        final Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final boolean mounted = mounting.waitFor(10, TimeUnit.SECONDS) && mounting.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "skipped: this machine does not let the test mount a 32 MB tmpfs (needs root): " +
            new String(mounting.getInputStream().readAllBytes()).trim());
        try
        {
            Files.write(mount.resolve("filler"), new byte[30 << 20]);
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> TriageEngine.start(
                new EngineContext().journalDir(mount.resolve("journal")).tickIntervalMs(0)));
            assertTrue(e.getMessage().contains("bytes free on its disk"), e.getMessage());
        }
        finally
        {
            new ProcessBuilder("umount", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private EngineContext context()
    {
        return new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(0).journalReserveBytes(RESERVE);
    }

    private static void open(final TriageEngine engine, final String id, final List<String> accepted, final List<String> refused)
        throws Exception
    {
        final ResultCode result = engine.submit(Command.open(id, Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS).result;
        if (result == ResultCode.OK)
        {
            accepted.add(id);
        }
        else
        {
            assertEquals(ResultCode.JOURNAL_SPACE_LOW, result);
            refused.add(id);
        }
    }
}
