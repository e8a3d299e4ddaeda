package dev.triage.engine;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandTranslator;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.journal.DecisionLog;
import dev.triage.engine.journal.Journal;
import dev.triage.engine.journal.JournalHandler;
import dev.triage.engine.journal.JournalLock;
import dev.triage.engine.journal.JournalWatermark;
import dev.triage.engine.journal.JournalRoll;
import dev.triage.engine.journal.JournalSettings;
import dev.triage.engine.journal.JournalSpace;
import dev.triage.engine.journal.Recovery;
import dev.triage.engine.journal.Retention;
import dev.triage.engine.snapshot.SnapshotStore;
import dev.triage.engine.time.TickerAgent;
import dev.triage.engine.time.WakeableAgentThread;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running engine: a multi-producer Disruptor ring of preallocated commands feeding the single writer.
 * Any thread may publish; publishing never blocks, and a full ring is refused at once.
 * <p>
 * A fatal error in a stage halts the engine: intake stops (publishers get {@link ResultCode#HALTED}) and the state
 * is never served again; commands in flight at that moment are not answered.
 */
public final class TriageEngine implements Engine
{
    private static final System.Logger LOG = System.getLogger(TriageEngine.class.getName());
    private static final Command TICK = Command.of(CommandType.TICK);

    private final EngineContext context;
    private final TriageBook book;
    private final Disruptor<Command> disruptor;
    private final RingBuffer<Command> ring;
    private final ProcessorHandler processor;
    private final WakeableAgentThread ticker;
    private final CommandTranslator translator;
    private final JournalLock journalLock;
    private final JournalWatermark watermark;
    private final Journal journal;
    private final Journal.ReplayResult recovered;
    private final Recovery.Loss acceptedLoss;
    private final SnapshotStore.Loaded snapshotLoaded;
    private final DecisionLog decisionLog;
    private final JournalSpace journalSpace;
    private final BackgroundSnapshots backgroundSnapshots;
    private final EventHandler<Command> applyingStage;
    private final StageThreadFactory stageThreads = new StageThreadFactory();
    private volatile boolean halted;
    private final List<java.util.function.Consumer<String>> haltListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private TriageEngine(final EngineContext context)
    {
        this.context = context.conclude();
        // Every late reply belongs to a distinct parked request: at most maxAgents parked before the reply stage's
        // window plus one per command in the window, so this queue can never overflow.
        final OneToOneConcurrentArrayQueue<Reply> lateReplies =
            new OneToOneConcurrentArrayQueue<>(context.ringSize() + context.maxAgents());
        final TriageBook.DeferredReplies deferred = reply ->
        {
            if (!lateReplies.offer(reply))
            {
                throw new IllegalStateException("late reply queue overflow at sequence " + reply.completedAtSequence);
            }
        };
        EventHandler<Command> journalStage = context.journalHandler();
        final SnapshotStore snapshots;
        long sequenceBase;
        if (context.journalDir() != null)
        {
            // The lock before anything in the directory is read or written: a second server must not touch it.
            journalLock = JournalLock.acquire(context.journalDir());
            try
            {
                final JournalSettings recordedSettings = checkJournalSettings(context);
                final JournalRoll roll = recordedSettings.roll();
                final int policyDefaults = recordedSettings.policyDefaults();
                snapshots = new SnapshotStore(context.journalDir().resolve("snapshots"));
                final int unfinished = snapshots.removeTemporaryFiles();
                if (unfinished > 0)
                {
                    LOG.log(System.Logger.Level.INFO, "removed " + unfinished + " unfinished snapshot file(s) a crash left in " +
                        snapshots.directory());
                }
                journalSpace = new JournalSpace(context.journalDir(), context.journalReserveBytes(), context.journalSpaceProbe());
                journalSpace.requireReserve();
                final org.agrona.concurrent.EpochClock clock = context.clock();
                journal = new Journal(context.journalDir(), context.durability() == EngineContext.Durability.FSYNC,
                    roll, clock::time);
                // Recovery runs the same processor code as live traffic, before the ring takes any command: the newest
                // valid snapshot, then every journaled command after it; refused if the journal ends short of what the
                // directory says it reached.
                final Recovery.Expected expected = Recovery.Expected.of(context.journalDir());
                final Recovery.Result rebuilt = Recovery.rebuild(journal, snapshots, () -> context.newBook(deferred, policyDefaults),
                    Recovery.Start.NEWEST, b -> b::apply, expected, context.acceptJournalLoss());
                snapshotLoaded = rebuilt.snapshot();
                book = rebuilt.book();
                recovered = rebuilt.replay();
                acceptedLoss = rebuilt.loss();
                if (acceptedLoss != null)
                {
                    LOG.log(System.Logger.Level.ERROR, acceptedLoss.reason() + "; started anyway (--accept-journal-loss) from " +
                        "sequence " + acceptedLoss.reached());
                }
                LOG.log(System.Logger.Level.DEBUG, String.format("replayed %,d commands from %s in %d ms (%,.0f commands/s)",
                    recovered.commands(), context.journalDir(), recovered.nanos() / 1_000_000, recovered.rate()));
                applyRetention(journal, snapshots, context.retentionDays(), book.nowMs());
                // Reads took sequences beyond the journal's last record: continue above them, so no sequence repeats.
                sequenceBase = Math.max(recovered.lastSequence(), expected.watermark().highestSequence()) + 1;
                watermark = JournalWatermark.open(context.journalDir(),
                    new JournalWatermark.Reading(recovered.journalLast(), sequenceBase - 1, false));
                journalStage = new JournalHandler(journal, journalSpace, watermark, recovered.journalLast());
                // Decisions from now on (recovery's replayed ones were logged by the run that made them).
                decisionLog = new DecisionLog(context.journalDir(), journalSpace);
                final long loggedAhead = decisionLog.voidBeyond(recovered.lastSequence());
                if (loggedAhead >= 0)
                {
                    LOG.log(System.Logger.Level.WARNING, "the decision log held decisions through sequence " + loggedAhead +
                        ", beyond the journal's " + recovered.lastSequence() + " (an accepted loss): they are voided");
                }
                // Built from the journal on a thread of its own: the processor never pauses for a snapshot.
                backgroundSnapshots = new BackgroundSnapshots(context.journalDir(), journal, snapshots,
                    () -> context.newBook(reply -> { }, policyDefaults), context.retentionDays(), context.ringSize(), context.snapshotHook(),
                    journalSpace).start();
                book.snapshotRequests(backgroundSnapshots);
            }
            catch (final RuntimeException e)
            {
                closeOnFailedStart();
                throw e;
            }
        }
        else
        {
            journalLock = null;
            watermark = null;
            snapshots = null;
            journalSpace = null;
            snapshotLoaded = null;
            backgroundSnapshots = null;
            decisionLog = null;
            acceptedLoss = null;
            book = context.newBook(deferred);
            journal = null;
            recovered = Journal.ReplayResult.none();
            sequenceBase = 0;
        }
        final com.lmax.disruptor.WaitStrategy waitStrategy = context.waitStrategy().create();
        // Decisions and queue events from now on (recovery's replayed ones were recorded by the run that made them),
        // collected beside each ring slot and handed on by the reply stage, after the journal.
        final java.util.function.Consumer<dev.triage.engine.journal.DecisionRecord> decisions =
            decisionLog == null ? context.decisionObserver() :
            context.decisionObserver() == null ? decisionLog : decisionLog.andThen(context.decisionObserver());
        final SlotOutputs.Collector outputs = decisions == null && context.queueEventSink() == null ? null :
            new SlotOutputs.Collector(context.ringSize(), decisions != null, context.queueEventSink());
        if (decisions != null)
        {
            book.decisionListener(outputs);
        }
        if (context.queueEventSink() != null)
        {
            book.queueEventSink(outputs);
        }
        processor = new ProcessorHandler(book, snapshots == null ? 0 : context.snapshotEveryCommands(), outputs);
        translator = new CommandTranslator(sequenceBase);
        disruptor = new Disruptor<>(
            Command::new, context.ringSize(), stageThreads, ProducerType.MULTI, waitStrategy);
        disruptor.setDefaultExceptionHandler(new FatalExceptionHandler());
        final ReplyHandler responder = new ReplyHandler(lateReplies, outputs, decisions, context.queueEventSink());
        final SingleStageHandler single;
        if (context.pipeline() == EngineContext.Pipeline.ONE_STAGE)
        {
            // 1-3 on one thread: journal, apply, answer each command (answers wait for a forced journal's batch end).
            single = new SingleStageHandler(journalStage, processor, responder,
                journalStage != null && context.durability() == EngineContext.Durability.FSYNC);
            disruptor.handleEventsWith(single);
            applyingStage = single;
        }
        else
        {
            single = null;
            journalStage = journalStage == null ? null : ProgressBlockingWaitStrategy.signalling(journalStage, waitStrategy);
            final EventHandler<Command> processorStage = ProgressBlockingWaitStrategy.signalling(processor, waitStrategy);
            applyingStage = processorStage;
            if (journalStage != null)
            {
                // 1. journaler: appends each state-changing command, beside the processor.
                // 2. processor: the single writer, applies the command to the book.
                // 3. responder: after both, completes replies and clears the slot.
                disruptor.handleEventsWith(journalStage, processorStage).then(responder);
            }
            else
            {
                // 2. processor, then 3. responder (no journal configured).
                disruptor.handleEventsWith(processorStage).then(responder);
            }
        }
        if (context.tickIntervalMs() > 0)
        {
            final TickerAgent agent = new TickerAgent(context.clock(), context.tickIntervalMs(), () -> tryPublish(TICK),
                processor::takeTimersBacklog, processor::nextTimerDeadlineMs);
            ticker = new WakeableAgentThread(agent, agent::sleepNanos, this::onTickerError);
            processor.wakeTicker(ticker::wake);
        }
        else
        {
            ticker = null;
        }
        if (single != null)
        {
            single.ring(disruptor.getRingBuffer());
        }
        ring = disruptor.start();
        if (book.parkedCount() > 0)
        {
            publish(Command.of(CommandType.RESTART));
        }
        if (ticker != null)
        {
            ticker.start();
        }
    }

    /**
     * @param context settings; concluded here.
     * @return a started engine.
     */
    public static TriageEngine start(final EngineContext context)
    {
        return new TriageEngine(context);
    }

    /**
     * Copy {@code command} into the ring. Never blocks. Any thread.
     *
     * @param command the command with its reply (or none); the caller may reuse the command object at once.
     * @return OK if published, REJECTED if the ring is full, HALTED after a fatal error or close.
     */
    @Override
    public ResultCode publish(final Command command)
    {
        if (halted || closed)
        {
            return ResultCode.HALTED;
        }
        if (journalSpace != null && journalSpace.low() && command.type.changesState() &&
            !journalSpace.checkAtMostEveryInterval(System.nanoTime()))
        {
            return ResultCode.JOURNAL_SPACE_LOW;
        }
        return ring.tryPublishEvent(translator, command, context.clock()) ? ResultCode.OK : ResultCode.REJECTED;
    }

    /**
     * Be told, once, when the engine halts, with the reason: the server answers every open call with it rather than
     * leave clients to their deadlines. Called on the stage thread that failed.
     *
     * @param listener receives the reason.
     */
    @Override
    public void onHalt(final java.util.function.Consumer<String> listener)
    {
        haltListeners.add(listener);
        if (halted)
        {
            listener.accept("engine halted");
        }
    }

    private void halt(final String reason)
    {
        halted = true;
        for (final java.util.function.Consumer<String> listener : haltListeners)
        {
            try
            {
                listener.accept(reason);
            }
            catch (final RuntimeException e)
            {
                LOG.log(System.Logger.Level.ERROR, "halt listener failed", e);
            }
        }
    }

    /**
     * @return the journal's disk space monitor, or null without a journal.
     */
    @Override
    public JournalSpace journalSpace()
    {
        return journalSpace;
    }

    /**
     * @return true after a fatal error.
     */
    @Override
    public boolean isHalted()
    {
        return halted;
    }

    /**
     * @return the engine's settings (concluded).
     */
    @Override
    public EngineContext context()
    {
        return context;
    }

    /**
     * @return remaining ring capacity, for metrics.
     */
    @Override
    public long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    /**
     * @return the book; read it only from the processor thread or after {@link #close()}.
     */
    public TriageBook book()
    {
        return book;
    }

    /**
     * Stop the ticker, answer everything already published, then stop the stages.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (ticker != null)
        {
            ticker.close();
        }
        if (halted)
        {
            // A stage died: what is still in the ring will never be processed, so there is nothing to drain.
            disruptor.halt();
        }
        else
        {
            try
            {
                disruptor.shutdown(10, TimeUnit.SECONDS);
            }
            catch (final TimeoutException e)
            {
                LOG.log(System.Logger.Level.ERROR, "engine did not drain within 10 s; halting");
                disruptor.halt();
            }
        }
        stageThreads.join(5_000);
        if (watermark != null && !halted)
        {
            // Every command published was journaled and answered: the journal's end is the watermark, and it was clean.
            watermark.stopped();
        }
        closeFiles();
    }

    /** Whatever of the directory's files a failed start had opened, in reverse order; the lock last. */
    private void closeOnFailedStart()
    {
        try
        {
            closeFiles();
        }
        catch (final RuntimeException suppressed)
        {
            LOG.log(System.Logger.Level.WARNING, "while closing after a failed start: " + suppressed);
        }
    }

    private void closeFiles()
    {
        if (backgroundSnapshots != null)
        {
            backgroundSnapshots.close();
        }
        if (decisionLog != null)
        {
            decisionLog.close();
        }
        if (watermark != null)
        {
            watermark.close();
        }
        if (journal != null)
        {
            journal.close();
        }
        if (journalLock != null)
        {
            journalLock.close();
        }
    }

    /** Retention is housekeeping: a file that cannot be deleted is reported, and the engine carries on. */
    private static void applyRetention(final Journal journal, final SnapshotStore snapshots, final int days, final long nowMs)
    {
        try
        {
            Retention.prune(journal, snapshots, days, nowMs);
        }
        catch (final java.io.IOException | RuntimeException e)
        {
            LOG.log(System.Logger.Level.WARNING, "journal retention failed; files are kept: " + e);
        }
    }

    /**
     * A journal replays exactly only under the settings that wrote it: record them on first use, refuse others. Its
     * roll is not a decision: an existing journal keeps the one it was written with; so do its policy defaults.
     *
     * @return the journal's settings: the roll to open it with and the policy defaults to start its book under.
     */
    static JournalSettings checkJournalSettings(final EngineContext context)
    {
        final JournalSettings wanted = JournalSettings.of(context);
        try
        {
            final JournalSettings recorded = JournalSettings.read(context.journalDir());
            if (recorded == null)
            {
                wanted.write(context.journalDir());
                return wanted;
            }
            if (!recorded.decidesLike(wanted))
            {
                throw new IllegalStateException("journal " + context.journalDir() + " was written with " + recorded +
                    " but the engine is configured with " + wanted + "; start with the recorded settings or a new journal");
            }
            if (recorded.roll() != wanted.roll())
            {
                LOG.log(System.Logger.Level.INFO, "journal " + context.journalDir() + " keeps the roll it was written with, " +
                    recorded.roll() + " (" + wanted.roll() + " applies to new journals)");
            }
            return recorded;
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException("cannot read or record the journal's settings", e);
        }
    }

    /**
     * For tests: how far the processor has applied the ring (its ring sequence; the ring restarts at 0 each start).
     *
     * @return the ring sequence of the last command applied.
     */
    long appliedRingSequence()
    {
        return disruptor.getSequenceValueFor(applyingStage);
    }

    /**
     * @return the snapshot recovery started from, or null (none, or no journal).
     */
    public SnapshotStore.Loaded snapshotLoaded()
    {
        return snapshotLoaded;
    }

    /**
     * @return what recovery replayed from the journal on start (zero without a journal).
     */
    @Override
    public Journal.ReplayResult recovered()
    {
        return recovered;
    }

    /**
     * @return the loss an operator accepted to start (--accept-journal-loss), or null.
     */
    @Override
    public Recovery.Loss acceptedLoss()
    {
        return acceptedLoss;
    }

    private void onTickerError(final Throwable t)
    {
        LOG.log(System.Logger.Level.ERROR, "ticker failed", t);
    }

    private final class FatalExceptionHandler implements ExceptionHandler<Command>
    {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final Command event)
        {
            LOG.log(System.Logger.Level.ERROR, "fatal error at sequence " + sequence + " (" + event + "); engine halted", ex);
            halt("engine halted by a fatal error at ring sequence " + sequence + " (" + ex + "); restart the server");
            throw new IllegalStateException("engine halted at sequence " + sequence, ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            halt("engine halted: a stage failed to start (" + ex + ")");
            LOG.log(System.Logger.Level.ERROR, "stage failed to start; engine halted", ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stage failed to shut down", ex);
        }
    }

    private static final class StageThreadFactory implements ThreadFactory
    {
        private final AtomicInteger count = new AtomicInteger();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(final Runnable r)
        {
            final Thread thread = new Thread(r, "triage-stage-" + count.incrementAndGet());
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        }

        /**
         * Disruptor's halt only signals the stages; wait until each has run its shutdown hook and exited.
         */
        void join(final long timeoutMs)
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            for (final Thread thread : threads)
            {
                try
                {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
