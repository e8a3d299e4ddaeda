package dev.triage.api;

import dev.triage.api.cli.TriageCli;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.triage.api.TriageServiceIT.byAgent;
import static dev.triage.api.TriageServiceIT.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decisions recorded live match what the journal recomputes; an altered record is caught by replay --verify.
 */
@Timeout(60)
class DecisionLogIT
{
    @TempDir
    Path journal;

    @Test
    void shouldVerifyTheRecordedDecisionsAndCatchAnAlteredOne() throws Exception
    {
        try (ServerFixture server = new ServerFixture(new EngineContext().journalDir(journal), null))
        {
            final var stub = server.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("zed").setCapacity(2).build());
            stub.open(open("C-1", Urgency.HIGH, 3, ""));
            stub.open(open("C-2", Urgency.LOW, 1, ""));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("zed").build());
            stub.release(byAgent("zed", "C-1"));
            stub.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build());
        }
        final Run good = run("replay", "--verify", "--journal", journal.toString());
        assertEquals(0, good.exit, good.out);
        assertTrue(good.out.contains("decisions: 3 recomputed, 3 recorded, all recorded ones match"), good.out);

        // "zed" -> "Zed" in the first decision's record.
        dev.triage.engine.fixture.JournalFiles.corrupt(journal.resolve("decisions"), "zed", 0, 'z' ^ 'Z');
        final Run bad = run("replay", "--verify", "--journal", journal.toString());
        assertEquals(1, bad.exit, bad.out);
        assertTrue(bad.out.contains("MISMATCH at decision 0"), bad.out);
    }

    private record Run(int exit, String out)
    {
    }

    private static Run run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream old = System.out;
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            final int exit = TriageCli.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(old);
        }
    }
}
