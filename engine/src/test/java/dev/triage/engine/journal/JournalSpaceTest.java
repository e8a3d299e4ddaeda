package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
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
        dev.triage.engine.fixture.Needs.tool(mounted, "this machine does not let the test mount a 32 MB tmpfs (needs root): " +
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

    /**
     * Another process fills the disk to its last byte between two free-space checks (here the probe never sees it):
     * before, the next write into a hole of the memory-mapped file faulted and halted the engine, reads and all. Now
     * the room kept allocated ahead cannot be topped up, changes are refused, reads go on, and intake resumes once
     * space is freed, with nothing accepted lost.
     */
    @Test
    void shouldRefuseChangesAndKeepReadsWhenAnotherProcessFillsTheDiskBetweenChecks() throws Exception
    {
        final Path mount = mountTmpfs("64m");
        try
        {
            final EngineContext context = new EngineContext().journalDir(mount.resolve("journal")).tickIntervalMs(0)
                .snapshotEveryCommands(0).journalReserveBytes(1 << 20).journalSpaceProbe(p -> Long.MAX_VALUE / 4);
            final List<String> accepted = new ArrayList<>();
            final List<String> refused = new ArrayList<>();
            final String[] skills = new String[16];
            for (int i = 0; i < skills.length; i++)
            {
                skills[i] = "skill-" + i + "-" + "x".repeat(100);
            }
            final String pad = "p".repeat(100);
            final Path filler = mount.resolve("filler");
            try (TriageEngine engine = TriageEngine.start(context))
            {
                open(engine, Command.open("before", Urgency.NORMAL, 1, skills), accepted, refused);
                fillUntilFull(filler);
                for (int i = 0; refused.isEmpty(); i++)
                {
                    assertTrue(i < 100_000, "changes were never refused on a full disk");
                    open(engine, Command.open("full-" + i + pad, Urgency.NORMAL, 1, skills), accepted, refused);
                }
                assertEquals(ResultCode.OK, engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS).result,
                    "reads are served on a full disk");
                Files.delete(filler);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                for (int i = 0; !accepted.contains("after-" + (i - 1)); i++)
                {
                    assertTrue(System.nanoTime() < deadline, "intake never resumed");
                    open(engine, Command.open("after-" + i, Urgency.NORMAL, 1, skills), accepted, refused);
                }
                assertTrue(!engine.isHalted());
            }
            try (TriageEngine engine = TriageEngine.start(context))
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
        finally
        {
            new ProcessBuilder("umount", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseASnapshotThatWouldEatIntoTheReserve() throws Exception
    {
        final AtomicLong free = new AtomicLong(RESERVE * 10);
        try (TriageEngine engine = TriageEngine.start(context().journalSpaceProbe(p -> free.get())))
        {
            assertEquals(ResultCode.OK, engine.submit(Command.open("c", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS).result);
            free.set(RESERVE + 100_000);
            final dev.triage.engine.command.Reply snapshot = engine.submit(Command.of(CommandType.SNAPSHOT)).get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.SNAPSHOT_FAILED, snapshot.result);
            assertTrue(snapshot.detail.contains("snapshot refused") && snapshot.detail.contains("reserve"), snapshot.detail);
            free.set(RESERVE * 10);
            final dev.triage.engine.command.Reply again = engine.submit(Command.of(CommandType.SNAPSHOT)).get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, again.result, again.detail);
        }
    }

    /**
     * A request that arrives during a refused attempt is tried on its own. Found by this class's test above failing
     * one run in six: the failure was handed to every call in the queue, including one that came after the attempt
     * began (here, the attempt is held before its check until the second call is queued).
     */
    @Test
    void shouldTryASnapshotRequestedWhileARefusalIsAnswered() throws Exception
    {
        final AtomicLong free = new AtomicLong(RESERVE + 100_000);
        final java.util.concurrent.CountDownLatch firstAttempt = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch secondQueued = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        final Runnable beforeEachAttempt = () ->
        {
            if (attempts.incrementAndGet() == 1)
            {
                firstAttempt.countDown();
                try
                {
                    assertTrue(secondQueued.await(10, TimeUnit.SECONDS));
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }
            else
            {
                free.set(RESERVE * 10);
            }
        };
        try (TriageEngine engine = TriageEngine.start(context().journalSpaceProbe(p -> free.get()).snapshotHook(beforeEachAttempt)))
        {
            assertEquals(ResultCode.OK, engine.submit(Command.open("c", Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS).result);
            final java.util.concurrent.CompletableFuture<dev.triage.engine.command.Reply> first = engine.submit(Command.of(CommandType.SNAPSHOT));
            assertTrue(firstAttempt.await(10, TimeUnit.SECONDS), "the first attempt began");
            final java.util.concurrent.CompletableFuture<dev.triage.engine.command.Reply> second = engine.submit(Command.of(CommandType.SNAPSHOT));
            // STATS is processed after the second SNAPSHOT, so by its answer that request is queued for the snapshot thread.
            engine.submit(Command.of(CommandType.STATS)).get(10, TimeUnit.SECONDS);
            secondQueued.countDown();
            assertEquals(ResultCode.SNAPSHOT_FAILED, first.get(10, TimeUnit.SECONDS).result);
            final dev.triage.engine.command.Reply tried = second.get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.OK, tried.result, tried.detail);
            assertEquals(2, attempts.get());
        }
    }

    private Path mountTmpfs(final String size) throws Exception
    {
        final Path mount = Files.createDirectories(dir.resolve("small-disk"));
        final Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final boolean mounted = mounting.waitFor(10, TimeUnit.SECONDS) && mounting.exitValue() == 0;
        dev.triage.engine.fixture.Needs.tool(mounted, "this machine does not let the test mount a " + size + " tmpfs (needs root): " +
            new String(mounting.getInputStream().readAllBytes()).trim());
        return mount;
    }

    /** As another process would: write until the disk has no byte left. */
    private static void fillUntilFull(final Path filler) throws Exception
    {
        final java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(1 << 16);
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE))
        {
            while (true)
            {
                block.clear();
                out.write(block);
            }
        }
        catch (final java.io.IOException full)
        {
            // No space left on device: as full as another process can make it.
        }
    }

    private static void open(final TriageEngine engine, final Command command, final List<String> accepted,
        final List<String> refused) throws Exception
    {
        final ResultCode result = engine.submit(command).get(10, TimeUnit.SECONDS).result;
        if (result == ResultCode.OK)
        {
            accepted.add(command.conversationId);
        }
        else
        {
            assertEquals(ResultCode.JOURNAL_SPACE_LOW, result, command.conversationId);
            refused.add(command.conversationId);
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
