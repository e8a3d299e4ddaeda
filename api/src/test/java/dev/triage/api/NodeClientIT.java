package dev.triage.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Node.js grpc-js client, built from the same triage.proto, talks to a real server over netty: the contract is
 * portable. Runs when node and npm are installed; the dependencies are pinned in src/test/node/package-lock.json.
 */
class NodeClientIT
{
    private static final Path SOURCES = Path.of("src", "test", "node");
    private static final Path WORK = Path.of("target", "node-client");
    private static final Path PROTO_DIR = Path.of("..", "proto", "src", "main", "proto");

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldServeAClientWrittenInAnotherLanguage() throws Exception
    {
        dev.triage.engine.fixture.Needs.tool(runs("node", "--version") && runs("npm", "--version"),
            "node and npm are not installed (Debian's nodejs and npm packages; .ci/run installs them)");
        Files.createDirectories(WORK);
        for (final String file : List.of("package.json", "package-lock.json", "client.js"))
        {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules").resolve("@grpc")))
        {
            final Result install = run(WORK, 150, "npm", "ci", "--no-audit", "--no-fund");
            dev.triage.engine.fixture.Needs.tool(install.exit == 0, "npm ci failed (registry unreachable?):\n" + install.output);
        }
        try (ServerFixture fixture = new ServerFixture())
        {
            final Result client = run(WORK, 60, "node", "client.js", "127.0.0.1:" + fixture.server.port(),
                PROTO_DIR.toAbsolutePath().normalize().toString());
            assertEquals(0, client.exit, client.output);
            assertTrue(client.output.contains("{\"ok\":true,\"assigned\":\"N-2\",\"score\":1120"), client.output);
        }
    }

    private record Result(int exit, String output)
    {
    }

    private static boolean runs(final String... command)
    {
        try
        {
            return run(Path.of("."), 30, command).exit == 0;
        }
        catch (final IOException | InterruptedException e)
        {
            return false;
        }
    }

    private static Result run(final Path dir, final long timeoutSeconds, final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return new Result(-1, "timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
