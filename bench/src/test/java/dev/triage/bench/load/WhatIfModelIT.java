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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The what-if against reality: a real server records a load-generator run (the README's 16 agents closed-loop over
 * gRPC, exponential handling times, a share released), then the baseline simulation of that journal is compared with
 * what really happened, assignment by assignment and by urgency. With agents on the trace the baseline must remake
 * the recording; with every agent off it (the simulation acting for them, as it does for a candidate's agents once
 * their assignments differ) the model alone must come close.
 */
@Timeout(300)
class WhatIfModelIT
{
    @TempDir
    Path dir;

    private Path record(final String name, final String... load) throws Exception
    {
        final Path journal = dir.resolve(name);
        try (TriageServer server = TriageServer.start(new ServerContext().port(0).metricsPort(-1)
            .engineContext(new EngineContext().journalDir(journal))))
        {
            final List<String> args = new ArrayList<>(List.of("--triage", "127.0.0.1:" + server.port(), "--agents", "16",
                "--seed", "3", "--quiet", "--out", dir.resolve(name + "-report").toString()));
            args.addAll(List.of(load));
            assertEquals(0, new CommandLine(new LoadCommand()).execute(args.toArray(new String[0])));
        }
        return journal;
    }

    private static WhatIfResult baseline(final Path journal, final boolean traced) throws Exception
    {
        return WhatIf.run(journal, JournalSettings.contextFor(journal),
            new WhatIf.Options(Long.MIN_VALUE, Long.MAX_VALUE, p -> p, null, false, traced));
    }

    /**
     * The groups' baseline p50 and p90 within {@code tolerance} of the recorded ones, or within {@code floorMs} (a few
     * ms on a 20 ms wait is no model failure).
     */
    private static void assertWaitsWithin(final WhatIfResult r, final double tolerance, final long floorMs, final String what,
        final List<String> groups)
    {
        for (final String group : groups)
        {
            final WhatIfResult.Waits rec = r.recorded().waits().get(group);
            final WhatIfResult.Waits base = r.baseline().waits().get(group);
            System.out.printf(Locale.ROOT, "%s %-8s %5d conversations: recorded p50 %6d p90 %6d ms, baseline p50 %6d p90 %6d ms%n",
                what, group, rec.conversations(), rec.p50(), rec.p90(), base.p50(), base.p90());
            assertEquals(rec.conversations(), base.conversations(), group + ": the same conversations opened");
            assertTrue(Math.abs(base.p50() - rec.p50()) <= Math.max(floorMs, tolerance * rec.p50()),
                what + " " + group + " p50 " + rec.p50() + " vs " + base.p50());
            assertTrue(Math.abs(base.p90() - rec.p90()) <= Math.max(floorMs, tolerance * rec.p90()),
                what + " " + group + " p90 " + rec.p90() + " vs " + base.p90());
        }
    }

    private static void assertRemade(final WhatIfResult r, final String what)
    {
        final WhatIfResult.Agreement a = r.agreement();
        System.out.printf(Locale.ROOT, "%s: %d of %d recorded assignments identical in the baseline (%.2f%%)%n", what,
            a.identical(), a.recordedAssignments(), a.identicalShare() * 100);
        assertTrue(a.recordedAssignments() > 1_000, what + " recorded real traffic: " + a);
        assertTrue(a.identicalShare() >= WhatIfResult.IDENTICAL_SHARE_EXPECTED, what + ": " + a);
        assertWaitsWithin(r, 0.05, 0, what, List.of("critical", "urgent", "high", "normal", "low", "all"));
        assertEquals(null, a.warning(), "no warning when the baseline is the recording");
    }

    @Test
    void shouldRemakeTheSteadyAndSpikeProfilesAndComeCloseWithTheModelAlone() throws Exception
    {
        final Path steady = record("steady", "--profile", "steady", "--seconds", "10");
        assertRemade(baseline(steady, true), "steady");
        final Path spike = record("spike", "--profile", "spike", "--seconds", "14", "--spike-count", "5000",
            "--spike-at", "4", "--spike-seconds", "4");
        assertRemade(baseline(spike, true), "spike");

        // The model of agents alone (what a candidate's agents follow once off the trace): assigns what the recording
        // assigned, with the waits of the whole within half of the recorded ones (agents whose handling took twice as
        // long, or who never asked again after an end, fail both).
        final WhatIfResult model = baseline(steady, false);
        final WhatIfResult.Waits rec = model.recorded().waits().get("all");
        final WhatIfResult.Waits base = model.baseline().waits().get("all");
        System.out.printf(Locale.ROOT, "model alone, steady: %d of %d assigned (recorded %d), identical %.1f%%%n",
            base.assigned(), base.conversations(), rec.assigned(), model.agreement().identicalShare() * 100);
        assertTrue(Math.abs(base.assigned() - rec.assigned()) <= 0.02 * rec.assigned(), "assigned " + base.assigned() + " vs " + rec.assigned());
        assertWaitsWithin(model, 0.5, 100, "model alone", List.of("all"));
    }
}
