package dev.triage.engine.whatif;

import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.triage.engine.EngineContext;
import dev.triage.engine.book.BookSnapshot;
import dev.triage.engine.book.Conversation;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.Recovery;
import dev.triage.engine.policy.Policy;
import dev.triage.engine.snapshot.SnapshotStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

/**
 * What-if: the recorded traffic of a journal re-run through the same book rules twice in one pass, in two books fed the
 * same inputs, a <b>baseline</b> under the recorded policies and a <b>candidate</b> under another policy from a given
 * time on (see {@link Simulation}: agents follow their recorded actions until the simulation assigns them something
 * the recording did not, so the baseline remakes the recording). A first pass replays the recording exactly, for the
 * trace the simulations follow, the handling times they replay and the recorded figures the baseline is checked
 * against. Engine time only: the same journal and policy give the same result.
 */
public final class WhatIf
{
    /**
     * @param fromMs the candidate policy applies from here; the report covers conversations opened from here.
     * @param toMs the report and the simulations end here (exclusive).
     * @param candidateOf the candidate's changes to a policy: applied to the policy recorded in force at
     * {@code fromMs}, and (unless {@code replace}) to each policy recorded after it.
     * @param progress told the commands read so far, now and then (for a progress line), or null.
     * @param replace whether the candidate holds from {@code fromMs} on with the recorded policy changes after it left
     * out, instead of its changes applied on top of each.
     * @param traced whether simulated agents follow their recorded actions while they can (the default); false makes
     * the simulations act for every agent from the start, which checks the model alone against the recording.
     */
    public record Options(long fromMs, long toMs, UnaryOperator<Policy> candidateOf, LongConsumer progress, boolean replace,
        boolean traced)
    {
        /** The candidate's changes on top of each recorded policy, agents on the trace. */
        public Options(final long fromMs, final long toMs, final UnaryOperator<Policy> candidateOf, final LongConsumer progress)
        {
            this(fromMs, toMs, candidateOf, progress, false, true);
        }
    }

    /** Recorded depth is sampled this often in the first pass (its span is known only after it), then resampled. */
    private static final long RECORDED_DEPTH_EVERY_MS = 1_000;

    private static final long PROGRESS_EVERY = 1 << 18;
    private static final int RING_SIZE = 1 << 14;

    private WhatIf()
    {
    }

    /**
     * @param journalDir a journal directory (a live server's, read-only, or a copy).
     * @param settings the engine settings it was written under ({@code JournalSettings.contextFor}).
     * @param options window, candidate and progress.
     * @return the three runs compared.
     * @throws IllegalArgumentException if the journal has no command in the window.
     */
    public static WhatIfResult run(final Path journalDir, final EngineContext settings, final Options options)
    {
        final Recorded recorded = recordingPass(journalDir, settings, options);
        if (recorded.commands == 0)
        {
            throw new IllegalArgumentException("journal " + journalDir + (options.toMs == Long.MAX_VALUE ? " holds no command" :
                " has no command before " + java.time.Instant.ofEpochMilli(options.toMs)) + " (nothing to simulate)");
        }
        recorded.recording.conclude();
        final Policy candidate = options.candidateOf.apply(recorded.policyAtFrom != null ? recorded.policyAtFrom : Policy.defaults());
        final long fromMs = Math.max(options.fromMs, recorded.firstMs);
        final long endMs = Math.min(options.toMs, recorded.lastMs + 1);
        final long depthEveryMs = Math.max(1_000, (endMs - fromMs) / 300);
        final Simulation[] sims = simulationPass(journalDir, settings, options, recorded, fromMs, depthEveryMs);
        sims[0].drainUntil(endMs - 1);
        sims[1].drainUntil(endMs - 1);
        recorded.tracker.resampleDepth(depthEveryMs);
        return WhatIfResult.of(fromMs, endMs, recorded.commands, recorded.policyAtFrom, candidate, options.replace,
            recorded.tracker, sims[0], sims[1]);
    }

    /** What pass 1 learns from the recording. */
    private static final class Recorded
    {
        final Recording recording = new Recording();
        final Map<String, String> skillsOf = new HashMap<>();
        RunTracker tracker;
        Policy policyAtFrom;
        long firstMs = Long.MAX_VALUE;
        long lastMs = Long.MIN_VALUE;
        long commands;
    }

    /** Pass 1: the recording, exactly (its span sizes the depth samples, so those are taken in pass 2 only). */
    private static Recorded recordingPass(final Path journalDir, final EngineContext settings, final Options options)
    {
        final Recorded r = new Recorded();
        try (Journal journal = Journal.readOnly(journalDir))
        {
            final Reply reply = new Reply(null);
            Recovery.rebuild(journal, new SnapshotStore(journalDir.resolve("snapshots")), () -> settings.newBook(x -> { }),
                Recovery.Start.OLDEST, book ->
                {
                    r.tracker = new RunTracker("recorded", options.fromMs, options.toMs, RECORDED_DEPTH_EVERY_MS);
                    r.recording.tracker = r.tracker;
                    book.decisionListener(r.recording);
                    return command ->
                    {
                        final long t = command.timestampMs;
                        if (t >= options.toMs)
                        {
                            return;
                        }
                        r.firstMs = Math.min(r.firstMs, t);
                        r.lastMs = Math.max(r.lastMs, t);
                        if (++r.commands % PROGRESS_EVERY == 0 && options.progress != null)
                        {
                            options.progress.accept(r.commands);
                        }
                        if (r.policyAtFrom == null && t >= options.fromMs)
                        {
                            r.policyAtFrom = book.policy();
                        }
                        final Conversation c = command.conversationId == null ? null : book.conversation(command.conversationId);
                        final ConversationState before = c == null ? null : c.state();
                        final String holder = before == ConversationState.ASSIGNED ? c.agentId() : null;
                        r.tracker.sampleDepth(book, t);
                        if (command.type == CommandType.TICK)
                        {
                            r.recording.ticked(t, book.nextTimerDeadlineMs());
                        }
                        if (command.type == CommandType.OPEN)
                        {
                            final String skills = skills(command);
                            r.skillsOf.putIfAbsent(command.conversationId, skills);
                            r.recording.opened(command.conversationId, skills);
                        }
                        reply.reset();
                        r.tracker.beforeCommand();
                        command.reply = command.type == CommandType.NEXT_BEST ? null : reply;
                        book.apply(command);
                        final ResultCode result = command.reply == null ? null : reply.result;
                        command.reply = null;
                        observeRecorded(r.recording, r.tracker, book, command, holder, result, r.skillsOf);
                    };
                });
        }
        return r;
    }

    /**
     * Pass 2: both simulations in one pass, from the same starting book, each on its own thread behind one ring (each
     * sees every command in journal order, so each is as deterministic as on one thread).
     */
    private static Simulation[] simulationPass(final Path journalDir, final EngineContext settings, final Options options,
        final Recorded recorded, final long fromMs, final long depthEveryMs)
    {
        final Simulation[] sims = new Simulation[2];
        final long[] read = new long[1];
        final Throwable[] failed = new Throwable[1];
        final Disruptor<Command> ring = new Disruptor<>(Command::new, RING_SIZE, runnable ->
        {
            final Thread thread = new Thread(runnable, "whatif-simulation");
            thread.setDaemon(true);
            return thread;
        }, ProducerType.SINGLE, new YieldingWaitStrategy());
        ring.setDefaultExceptionHandler(new FirstFailure(failed));
        ring.handleEventsWith((command, sequence, endOfBatch) -> sims[0].input(command),
            (command, sequence, endOfBatch) -> sims[1].input(command));
        try (Journal journal = Journal.readOnly(journalDir))
        {
            Recovery.rebuild(journal, new SnapshotStore(journalDir.resolve("snapshots")), () -> settings.newBook(x -> { }),
                Recovery.Start.OLDEST, book ->
                {
                    final TriageBook copy = copyOf(book, settings);
                    sims[0] = new Simulation(book, new RunTracker("baseline", options.fromMs, options.toMs, depthEveryMs),
                        recorded.recording, null, false, fromMs, recorded.skillsOf, options.traced);
                    sims[1] = new Simulation(copy, new RunTracker("candidate", options.fromMs, options.toMs, depthEveryMs),
                        recorded.recording, options.candidateOf, options.replace, fromMs, recorded.skillsOf, options.traced);
                    return command ->
                    {
                        if (command.timestampMs >= options.toMs)
                        {
                            return;
                        }
                        if (++read[0] % PROGRESS_EVERY == 0 && options.progress != null)
                        {
                            options.progress.accept(recorded.commands + read[0]);
                        }
                        if (read[0] == 1)
                        {
                            ring.start();
                        }
                        ring.getRingBuffer().publishEvent((slot, s, journaled) ->
                        {
                            slot.copyFrom(journaled);
                            slot.sequence = journaled.sequence;
                            slot.reply = null;
                        }, command);
                    };
                });
        }
        finally
        {
            if (read[0] > 0)
            {
                ring.shutdown();
            }
        }
        if (failed[0] != null)
        {
            throw new IllegalStateException("a simulation failed: " + failed[0], failed[0]);
        }
        return sims;
    }

    /** Keeps the first failure of either simulation, reported after the pass (the ring drains, so shutdown() returns). */
    private record FirstFailure(Throwable[] failed) implements ExceptionHandler<Command>
    {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final Command event)
        {
            keep(ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            keep(ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            keep(ex);
        }

        private void keep(final Throwable ex)
        {
            failed[0] = failed[0] == null ? ex : failed[0];
        }
    }

    /**
     * @param holder the agent that held the command's conversation before it, or null.
     */
    private static void observeRecorded(final Recording recording, final RunTracker tracker, final TriageBook book,
        final Command command, final String holder, final ResultCode result, final Map<String, String> skillsOf)
    {
        switch (command.type)
        {
            case OPEN, REOPEN ->
            {
                if (result == ResultCode.OK)
                {
                    tracker.onOpened(book, command.conversationId, book.nowMs(), skillsOf.getOrDefault(command.conversationId, ""));
                }
            }
            case ACK ->
            {
                recording.actedBy(command.sequence, command.agentId);
                if (result == ResultCode.OK)
                {
                    recording.acked(command.conversationId, book.nowMs());
                }
            }
            // Its end is told inside the command (Recording.onReturned), before a waiting agent may take it back.
            case RELEASE -> recording.actedBy(command.sequence, command.agentId);
            case RESOLVE, AGENT_REPLIED ->
            {
                // The holder's own reply or resolve; anyone else's (a supervisor, the customer's side) is the world's.
                if (holder != null)
                {
                    recording.actedBy(command.sequence, holder);
                    if (result == ResultCode.OK)
                    {
                        recording.ended(command.conversationId, command.type, book.nowMs());
                    }
                }
            }
            case CANCEL_WAIT -> recording.actedBy(command.sequence, command.agentId);
            case NEXT_BEST ->
            {
                recording.actedBy(command.sequence, command.agentId);
                recording.asked(command.agentId, book.nowMs(), command.maxWaitMs);
            }
            case UPSERT_AGENT ->
            {
                if (result == ResultCode.OK)
                {
                    tracker.knowAgent(command.agentId);
                }
            }
            default ->
            {
            }
        }
    }

    private static String skills(final Command open)
    {
        final String[] names = open.requiredSkills.clone();
        Arrays.sort(names);
        return String.join(",", names);
    }

    private static TriageBook copyOf(final TriageBook book, final EngineContext settings)
    {
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BookSnapshot.write(book, new DataOutputStream(bytes));
            final TriageBook copy = settings.newBook(r -> { });
            BookSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), copy);
            return copy;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
