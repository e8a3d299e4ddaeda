package dev.triage.bench.load;

import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import dev.triage.engine.journal.JournalSettings;
import dev.triage.engine.whatif.WhatIf;
import dev.triage.engine.whatif.WhatIfResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The what-if model against reality: a real server records a steady load-generator run (agents closed-loop over gRPC,
 * exponential handling times), then the baseline simulation of that journal is compared with what really happened.
 * Tolerance: each conversation's simulated wait within 100 ms of its recorded one at the median. Fifteen runs here:
 * 6-21 ms, and 12-33 ms with two busy loops competing for the 2 cores. The overall p50 and p90 are printed, not
 * asserted: the p50 sits where the wait distribution is steep (many conversations wait a few tens of ms, many
 * seconds) and moves 30-50% under load; the p90 was 0.86-1.03x of the recording's in most runs and 0.65x in one,
 * from how the real queue peaked in that run. The gap left: the model's agent asks again after its mean turnaround,
 * where a real one's varies with the load on its client, and a recorded ask that the simulation skips because its
 * agent is already waiting.
 */
@Timeout(120)
class WhatIfModelIT
{
    @TempDir
    Path dir;

    @Test
    void shouldReproduceARealServersRecordedWaitsWithinTolerance() throws Exception
    {
        final Path journal = dir.resolve("journal");
        try (TriageServer server = TriageServer.start(new ServerContext().port(0).metricsPort(-1)
            .engineContext(new EngineContext().journalDir(journal))))
        {
            final int exit = new CommandLine(new LoadCommand()).execute("--triage", "127.0.0.1:" + server.port(),
                "--profile", "steady", "--rate", "150", "--seconds", "4", "--agents", "4", "--handle-ms", "20",
                "--seed", "3", "--quiet", "--out", dir.resolve("report").toString());
            assertEquals(0, exit);
        }
        final WhatIfResult r = WhatIf.run(journal, JournalSettings.contextFor(journal),
            new WhatIf.Options(Long.MIN_VALUE, Long.MAX_VALUE, p -> p, null));
        final WhatIfResult.Waits recorded = r.recorded().waits().get("all");
        final WhatIfResult.Waits baseline = r.baseline().waits().get("all");
        System.out.printf("what-if model vs a real server: recorded p50 %d ms p90 %d ms (%d conversations, %d unassigned); " +
                "baseline p50 %d ms p90 %d ms (%d unassigned); median |per-conversation difference| %d ms%n",
            recorded.p50(), recorded.p90(), recorded.conversations(), recorded.unassigned(), baseline.p50(), baseline.p90(),
            baseline.unassigned(), r.modelError().medianAbsoluteWaitErrorMs());
        assertTrue(recorded.conversations() > 300, "the run recorded traffic: " + recorded);
        assertTrue(r.modelError().medianAbsoluteWaitErrorMs() <= 100, "median per-conversation error " +
            r.modelError().medianAbsoluteWaitErrorMs() + " ms");
    }
}
