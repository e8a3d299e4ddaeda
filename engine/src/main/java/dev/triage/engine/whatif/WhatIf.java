package dev.triage.engine.whatif;

import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.triage.engine.EngineContext;
import dev.triage.engine.book.BookSnapshot;
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
 * time on (see {@link Simulation} for the model). A first pass replays the recording exactly, for the handling times
 * the simulations replay and for the recorded figures the model's error is measured against. Engine time only:
 * the same journal and policy give the same result.
 */
public final class WhatIf
{
    /**
     * @param fromMs the candidate policy applies from here; the report covers conversations opened from here.
     * @param toMs the report and the simulations end here (exclusive).
     * @param candidateOf given the policy recorded in force at {@code fromMs}, the candidate.
     * @param progress told the commands read so far, now and then (for a progress line), or null.
     */
    public record Options(long fromMs, long toMs, UnaryOperator<Policy> candidateOf, LongConsumer progress)
    {
    }

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
        final Recording recording = new Recording();
        final Map<String, String> skillsOf = new HashMap<>();
        final long[] span = { Long.MAX_VALUE, Long.MIN_VALUE, 0 };
        final Policy[] recordedAtFrom = new Policy[1];
        final RunTracker[] recorded = new RunTracker[1];
        // Pass 1: the recording, exactly; its span sizes the depth samples, so they are taken in pass 2 only.
        try (Journal journal = Journal.readOnly(journalDir))
        {
            final Reply reply = new Reply(null);
            Recovery.rebuild(journal, new SnapshotStore(journalDir.resolve("snapshots")), () -> settings.newBook(r -> { }),
                Recovery.Start.OLDEST, book ->
                {
                    recorded[0] = new RunTracker("recorded", options.fromMs, options.toMs, Long.MAX_VALUE);
                    recording.tracker = recorded[0];
                    book.decisionListener(recording);
                    return command ->
                    {
                        final long t = command.timestampMs;
                        if (t >= options.toMs)
                        {
                            return;
                        }
                        span[0] = Math.min(span[0], t);
                        span[1] = Math.max(span[1], t);
                        if (++span[2] % PROGRESS_EVERY == 0 && options.progress != null)
                        {
                            options.progress.accept(span[2]);
                        }
                        if (recordedAtFrom[0] == null && t >= options.fromMs)
                        {
                            recordedAtFrom[0] = book.policy();
                        }
                        final ConversationState before = command.conversationId == null || book.conversation(command.conversationId) == null ?
                            null : book.conversation(command.conversationId).state();
                        if (command.type == CommandType.OPEN)
                        {
                            final String skills = skills(command);
                            skillsOf.putIfAbsent(command.conversationId, skills);
                            recording.opened(command.conversationId, skills);
                        }
                        reply.reset();
                        recorded[0].beforeCommand();
                        command.reply = command.type == CommandType.NEXT_BEST ? null : reply;
                        book.apply(command);
                        final ResultCode result = command.reply == null ? null : reply.result;
                        command.reply = null;
                        observeRecorded(recording, recorded[0], book, command, before, result, skillsOf);
                    };
                });
        }
        if (span[2] == 0)
        {
            throw new IllegalArgumentException("journal " + journalDir + (options.toMs == Long.MAX_VALUE ? " holds no command" :
                " has no command before " + java.time.Instant.ofEpochMilli(options.toMs)) + " (nothing to simulate)");
        }
        recording.conclude();
        final Policy candidate = options.candidateOf.apply(recordedAtFrom[0] != null ? recordedAtFrom[0] : Policy.defaults());
        final long fromMs = Math.max(options.fromMs, span[0]);
        final long endMs = Math.min(options.toMs, span[1] + 1);
        final long depthEvery = Math.max(1_000, (endMs - fromMs) / 300);
        final Simulation[] sims = new Simulation[2];
        final long[] read = new long[1];
        // Pass 2: both simulations in one pass, from the same starting book, each on its own thread behind one ring
        // (each sees every command in journal order, so each is as deterministic as on one thread).
        final Disruptor<Command> ring = new Disruptor<>(Command::new, RING_SIZE, runnable ->
        {
            final Thread thread = new Thread(runnable, "whatif-simulation");
            thread.setDaemon(true);
            return thread;
        }, ProducerType.SINGLE, new YieldingWaitStrategy());
        final Throwable[] failed = new Throwable[1];
        // A failure is kept and reported after the pass (the ring drains so shutdown() returns).
        ring.setDefaultExceptionHandler(new ExceptionHandler<>()
        {
            @Override
            public void handleEventException(final Throwable ex, final long sequence, final Command event)
            {
                failed[0] = failed[0] == null ? ex : failed[0];
            }

            @Override
            public void handleOnStartException(final Throwable ex)
            {
                failed[0] = failed[0] == null ? ex : failed[0];
            }

            @Override
            public void handleOnShutdownException(final Throwable ex)
            {
                failed[0] = failed[0] == null ? ex : failed[0];
            }
        });
        ring.handleEventsWith((command, sequence, endOfBatch) -> sims[0].input(command),
            (command, sequence, endOfBatch) -> sims[1].input(command));
        try (Journal journal = Journal.readOnly(journalDir))
        {
            Recovery.rebuild(journal, new SnapshotStore(journalDir.resolve("snapshots")), () -> settings.newBook(r -> { }),
                Recovery.Start.OLDEST, book ->
                {
                    final TriageBook copy = copyOf(book, settings);
                    sims[0] = new Simulation(book, new RunTracker("baseline", options.fromMs, options.toMs, depthEvery), recording,
                        null, fromMs, skillsOf);
                    sims[1] = new Simulation(copy, new RunTracker("candidate", options.fromMs, options.toMs, depthEvery), recording,
                        candidate, fromMs, skillsOf);
                    return command ->
                    {
                        if (command.timestampMs >= options.toMs)
                        {
                            return;
                        }
                        if (++read[0] % PROGRESS_EVERY == 0 && options.progress != null)
                        {
                            options.progress.accept(span[2] + read[0]);
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
        sims[0].drainUntil(endMs - 1);
        sims[1].drainUntil(endMs - 1);
        return WhatIfResult.of(fromMs, endMs, span[2], recordedAtFrom[0], candidate, recorded[0], sims[0], sims[1]);
    }

    private static void observeRecorded(final Recording recording, final RunTracker tracker, final TriageBook book,
        final Command command, final ConversationState before, final ResultCode result, final Map<String, String> skillsOf)
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
                recording.agentAck(command.sequence);
                if (result == ResultCode.OK)
                {
                    recording.acked(command.conversationId, book.nowMs());
                }
            }
            case RESOLVE, AGENT_REPLIED, RELEASE ->
            {
                if (before == ConversationState.ASSIGNED && result == ResultCode.OK)
                {
                    recording.ended(command.conversationId, command.type, book.nowMs(), command.sequence);
                }
            }
            case NEXT_BEST -> recording.asked(command.agentId, book.nowMs());
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
