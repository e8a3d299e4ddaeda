package dev.triage.engine;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.triage.engine.book.QueueEventSink;
import dev.triage.engine.book.TriageBook;
import dev.triage.engine.policy.Policy;
import dev.triage.engine.command.Command;
import dev.triage.engine.journal.JournalRoll;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Settings of one engine: fluent same-named setters and getters, defaults from system properties named beside
 * them, {@link #conclude()} validates and freezes. Presets: {@link #smallHost()} (the default) and
 * {@link #dedicatedHost()}.
 */
public final class EngineContext
{
    /** Ring slots; a power of two. A full ring answers REJECTED at once. */
    public static final String RING_SIZE_PROP = "triage.engine.ringSize";
    public static final int RING_SIZE_DEFAULT = 65_536;
    /** How the stages wait for work: blocking, lite-blocking, sleeping, yielding or busy-spin. */
    public static final String WAIT_STRATEGY_PROP = "triage.engine.waitStrategy";
    public static final WaitStrategyKind WAIT_STRATEGY_DEFAULT = WaitStrategyKind.PROGRESS_BLOCKING;
    /** TICK interval, ms; 0 turns the ticker off (tests drive ticks by hand). */
    public static final String TICK_INTERVAL_MS_PROP = "triage.engine.tickIntervalMs";
    public static final long TICK_INTERVAL_MS_DEFAULT = 10;
    /** Timers of each kind one TICK may fire; the rest wait for the next tick, which comes at once. */
    public static final String TIMER_LIMIT_PER_TICK_PROP = "triage.engine.timerLimitPerTick";
    public static final int TIMER_LIMIT_PER_TICK_DEFAULT = 4_096;
    /** Initial table sizing; tables grow past it. */
    public static final String EXPECTED_CONVERSATIONS_PROP = "triage.engine.expectedConversations";
    public static final int EXPECTED_CONVERSATIONS_DEFAULT = 65_536;
    /** Hard limit of agents; bounds the queue of late long-poll replies. */
    public static final String MAX_AGENTS_PROP = "triage.engine.maxAgents";
    public static final int MAX_AGENTS_DEFAULT = 65_536;
    /** Resolved conversations kept for REOPEN and retries before the oldest is forgotten. */
    public static final String RETAIN_RESOLVED_PROP = "triage.engine.retainResolved";
    public static final int RETAIN_RESOLVED_DEFAULT = 100_000;

    /** How the ring's consumers are laid out: one thread doing everything, or the journal beside the processor. */
    public static final String PIPELINE_PROP = "triage.engine.pipeline";
    public static final Pipeline PIPELINE_DEFAULT = Pipeline.ONE_STAGE;

    /**
     * The consumers of the ring.
     */
    public enum Pipeline
    {
        /**
         * One thread journals, applies and answers each command, in that order (LMAX's business logic processor
         * with its journal inline): one handoff from the caller and one back, no stage waiting on another.
         */
        ONE_STAGE,
        /**
         * The journal beside the processor on two threads, the replies on a third after both: more parallel,
         * more handoffs.
         */
        THREE_STAGES
    }

    /** process: appends reach the page cache (survive a killed process); fsync: forced to disk per batch (survive power loss). */
    public static final String DURABILITY_PROP = "triage.engine.durability";
    public static final Durability DURABILITY_DEFAULT = Durability.PROCESS;

    /**
     * How far an append must get before its command is answered.
     */
    public enum Durability
    {
        /** The memory-mapped file (page cache): survives a killed process, not a power loss. */
        PROCESS,
        /** msync'ed to disk once per batch of the journal stage (group commit), before any reply of the batch. */
        FSYNC
    }

    /** With a journal: write a snapshot after this many journaled commands (0: only on demand). */
    public static final String SNAPSHOT_EVERY_PROP = "triage.engine.snapshotEveryCommands";
    public static final long SNAPSHOT_EVERY_DEFAULT = 1_000_000;

    /** How often the journal starts a new file; recorded with the journal, so it only applies to a new one. */
    public static final String JOURNAL_ROLL_PROP = "triage.journal.roll";
    public static final JournalRoll JOURNAL_ROLL_DEFAULT = JournalRoll.HOUR;

    /** Journal files older than this many days are deleted once a kept snapshot covers them (0: keep everything). */
    public static final String RETENTION_DAYS_PROP = "triage.journal.retentionDays";
    public static final int RETENTION_DAYS_DEFAULT = 0;

    /**
     * Free disk space the journal keeps in reserve: below it the engine will not start, and a running engine refuses
     * state-changing commands until space is freed. It must hold what the ring can carry when intake stops
     * (a 64k ring of ~100-byte records is ~7 MB) and the next journal file's first index blocks.
     */
    public static final String JOURNAL_RESERVE_BYTES_PROP = "triage.journal.reserveBytes";
    public static final long JOURNAL_RESERVE_BYTES_DEFAULT = 64L << 20;

    /**
     * Disruptor wait strategies by name.
     */
    public enum WaitStrategyKind
    {
        /** Lock and condition on every hand-off: the least idle CPU, but a lock per command under load. */
        BLOCKING,
        /** Blocking that skips the signal when no one waits; a little cheaper under load. */
        LITE_BLOCKING,
        /** Spin, yield, then 100 ns naps: high throughput, but about half a core when idle. */
        SLEEPING,
        /** Spin 10 us, yield up to 100 us, then block on a lock: near-spinning throughput under load, blocking's idle CPU. */
        BACKOFF,
        /** Spin then yield: low latency, burns a core per stage; for hosts with cores to spare. */
        YIELDING,
        /** Pure spin: lowest latency, a dedicated core per stage, never on a shared host. */
        BUSY_SPIN,
        /**
         * Blocks on publishers and on upstream stages alike (stages signal at each batch end): the others busy-spin
         * while the reply stage waits for the journal and the processor, which on 2 cores takes a core from them.
         */
        PROGRESS_BLOCKING;

        WaitStrategy create()
        {
            switch (this)
            {
                case LITE_BLOCKING: return new LiteTimeoutBlockingWaitStrategy(1, TimeUnit.MILLISECONDS);
                case SLEEPING: return new SleepingWaitStrategy();
                case BACKOFF: return PhasedBackoffWaitStrategy.withLiteLock(10, 100, TimeUnit.MICROSECONDS);
                case YIELDING: return new YieldingWaitStrategy();
                case BUSY_SPIN: return new BusySpinWaitStrategy();
                case PROGRESS_BLOCKING: return new ProgressBlockingWaitStrategy(0);
                default: return new BlockingWaitStrategy();
            }
        }
    }

    private boolean concluded;
    private int ringSize = Integer.getInteger(RING_SIZE_PROP, RING_SIZE_DEFAULT);
    private Pipeline pipeline = Pipeline.valueOf(System.getProperty(PIPELINE_PROP, PIPELINE_DEFAULT.name()));
    private WaitStrategyKind waitStrategy = WaitStrategyKind.valueOf(
        System.getProperty(WAIT_STRATEGY_PROP, WAIT_STRATEGY_DEFAULT.name()));
    private long tickIntervalMs = Long.getLong(TICK_INTERVAL_MS_PROP, TICK_INTERVAL_MS_DEFAULT);
    private int timerLimitPerTick = Integer.getInteger(TIMER_LIMIT_PER_TICK_PROP, TIMER_LIMIT_PER_TICK_DEFAULT);
    private int expectedConversations = Integer.getInteger(EXPECTED_CONVERSATIONS_PROP, EXPECTED_CONVERSATIONS_DEFAULT);
    private int expectedAgents = 1_024;
    private int maxAgents = Integer.getInteger(MAX_AGENTS_PROP, MAX_AGENTS_DEFAULT);
    private int retainResolved = Integer.getInteger(RETAIN_RESOLVED_PROP, RETAIN_RESOLVED_DEFAULT);
    private EpochClock clock = SystemEpochClock.INSTANCE;
    private EventHandler<Command> journalHandler;
    private Path journalDir;
    private QueueEventSink queueEventSink;
    private Runnable snapshotHook;
    private java.util.function.Consumer<dev.triage.engine.journal.DecisionRecord> decisionObserver;
    private long snapshotEveryCommands = Long.getLong(SNAPSHOT_EVERY_PROP, SNAPSHOT_EVERY_DEFAULT);
    private Durability durability = Durability.valueOf(System.getProperty(DURABILITY_PROP, DURABILITY_DEFAULT.name()));
    private JournalRoll journalRoll = JournalRoll.valueOf(System.getProperty(JOURNAL_ROLL_PROP, JOURNAL_ROLL_DEFAULT.name()));
    private int retentionDays = Integer.getInteger(RETENTION_DAYS_PROP, RETENTION_DAYS_DEFAULT);
    private long journalReserveBytes = Long.getLong(JOURNAL_RESERVE_BYTES_PROP, JOURNAL_RESERVE_BYTES_DEFAULT);
    private boolean acceptJournalLoss;
    private int policyDefaults = Policy.DEFAULTS_WITH_LEADS;
    private java.util.function.ToLongFunction<Path> journalSpaceProbe = dev.triage.engine.journal.JournalSpace::usableSpace;

    /**
     * The default: blocking on publishers and on upstream stages alike. Measured on 2 cores, the ring alone runs as
     * fast as with phased back-off (3.3M commands/s) and idles at 1.6% of a core; behind gRPC, where the stages
     * share the cores with netty and the callers, it serves 1.3-1.5x the calls of back-off, whose spinning and
     * yielding (and Disruptor's blocking strategies' spin on upstream stages) take CPU from the threads doing work.
     *
     * One stage: on 2 cores, journal, apply and answer on one thread cost 0.90x the server CPU and 0.49x the context
     * switches per claimed conversation of three stages (0.92x / 0.42x of the previous build; median of 3 warm rounds; README).
     *
     * @return a context for a small or shared host.
     */
    public static EngineContext smallHost()
    {
        return new EngineContext().waitStrategy(WaitStrategyKind.PROGRESS_BLOCKING).pipeline(Pipeline.ONE_STAGE);
    }

    /**
     * Yielding waits: each stage keeps a core warm for the lowest latency; needs a core per stage plus the
     * gateway's threads, so only for hosts with 6+ cores reserved for the engine; there the journal runs beside the
     * processor on a core of its own (three stages).
     *
     * @return a context for a dedicated host.
     */
    public static EngineContext dedicatedHost()
    {
        return new EngineContext().waitStrategy(WaitStrategyKind.YIELDING).pipeline(Pipeline.THREE_STAGES);
    }

    /**
     * Validate, fill defaults and freeze.
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting that is wrong.
     */
    public EngineContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(ringSize > 0 && Integer.bitCount(ringSize) == 1, "ringSize must be a power of two, was " + ringSize);
        require(tickIntervalMs >= 0, "tickIntervalMs must be >= 0, was " + tickIntervalMs);
        require(timerLimitPerTick > 0, "timerLimitPerTick must be > 0, was " + timerLimitPerTick);
        require(expectedConversations > 0, "expectedConversations must be > 0, was " + expectedConversations);
        require(maxAgents > 0, "maxAgents must be > 0, was " + maxAgents);
        require(retainResolved >= 0, "retainResolved must be >= 0, was " + retainResolved);
        require(snapshotEveryCommands >= 0, "snapshotEveryCommands must be >= 0, was " + snapshotEveryCommands);
        require(clock != null, "clock is required");
        require(durability != null, "durability is required");
        require(journalRoll != null, "journalRoll is required");
        require(journalReserveBytes >= 0, "journalReserveBytes must be >= 0, was " + journalReserveBytes);
        require(retentionDays >= 0, "retentionDays must be >= 0 (0 keeps everything), was " + retentionDays);
        require(journalDir == null || journalHandler == null, "journalDir and journalHandler are exclusive");
        expectedAgents = Math.min(expectedAgents, maxAgents);
        concluded = true;
        return this;
    }

    /**
     * The book these settings describe. Live engine, recovery and offline tools all build it here, because its
     * decisions depend on the retention bound, the timer limit and the agent limit, which are not journaled.
     *
     * @param deferred where late replies go.
     * @return a new book.
     */
    public TriageBook newBook(final TriageBook.DeferredReplies deferred)
    {
        return newBook(deferred, policyDefaults);
    }

    /**
     * @param deferred where late replies go.
     * @param policyDefaultsGeneration the defaults a journal was written under ({@link Policy#defaults(int)}).
     * @return a new book starting under those defaults.
     */
    public TriageBook newBook(final TriageBook.DeferredReplies deferred, final int policyDefaultsGeneration)
    {
        conclude();
        return new TriageBook(expectedConversations, expectedAgents, maxAgents, retainResolved, timerLimitPerTick, deferred)
            .startingPolicy(Policy.defaults(policyDefaultsGeneration));
    }

    /**
     * @param generation the policy defaults a book starts under before its first SET_POLICY: what a journal's settings
     * record ({@link Policy#DEFAULTS_WITH_LEADS} for journals begun by this version, {@link Policy#DEFAULTS_BEFORE_LEADS}
     * for older ones, which replay as they were decided).
     * @return this.
     */
    public EngineContext policyDefaults(final int generation)
    {
        checkOpen();
        this.policyDefaults = generation;
        return this;
    }

    public int policyDefaults()
    {
        return policyDefaults;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    private void checkOpen()
    {
        if (concluded)
        {
            throw new IllegalStateException("context is concluded");
        }
    }

    public EngineContext ringSize(final int ringSize)
    {
        checkOpen();
        this.ringSize = ringSize;
        return this;
    }

    public int ringSize()
    {
        return ringSize;
    }

    public EngineContext waitStrategy(final WaitStrategyKind waitStrategy)
    {
        checkOpen();
        this.waitStrategy = waitStrategy;
        return this;
    }

    public WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    public EngineContext tickIntervalMs(final long tickIntervalMs)
    {
        checkOpen();
        this.tickIntervalMs = tickIntervalMs;
        return this;
    }

    public long tickIntervalMs()
    {
        return tickIntervalMs;
    }

    public EngineContext timerLimitPerTick(final int timerLimitPerTick)
    {
        checkOpen();
        this.timerLimitPerTick = timerLimitPerTick;
        return this;
    }

    public int timerLimitPerTick()
    {
        return timerLimitPerTick;
    }

    public EngineContext expectedConversations(final int expectedConversations)
    {
        checkOpen();
        this.expectedConversations = expectedConversations;
        return this;
    }

    public int expectedConversations()
    {
        return expectedConversations;
    }

    public EngineContext expectedAgents(final int expectedAgents)
    {
        checkOpen();
        this.expectedAgents = expectedAgents;
        return this;
    }

    public int expectedAgents()
    {
        return expectedAgents;
    }

    public EngineContext maxAgents(final int maxAgents)
    {
        checkOpen();
        this.maxAgents = maxAgents;
        return this;
    }

    public int maxAgents()
    {
        return maxAgents;
    }

    public EngineContext retainResolved(final int retainResolved)
    {
        checkOpen();
        this.retainResolved = retainResolved;
        return this;
    }

    public int retainResolved()
    {
        return retainResolved;
    }

    /**
     * @param clock stamps each command as it enters the ring; the engine reads no other time.
     * @return this.
     */
    public EngineContext clock(final EpochClock clock)
    {
        checkOpen();
        this.clock = clock;
        return this;
    }

    public EpochClock clock()
    {
        return clock;
    }

    /**
     * @param journalHandler the stage that runs beside the processor and must finish a command before it is
     *                       answered (the journal); null for none.
     * @return this.
     */
    public EngineContext journalHandler(final EventHandler<Command> journalHandler)
    {
        checkOpen();
        this.journalHandler = journalHandler;
        return this;
    }

    public EventHandler<Command> journalHandler()
    {
        return journalHandler;
    }

    /**
     * @param journalDir where the command journal lives; on start its records are replayed, then new commands are
     *                   appended. Null runs without a journal (state is lost on stop).
     * @return this.
     */
    public EngineContext journalDir(final Path journalDir)
    {
        checkOpen();
        this.journalDir = journalDir;
        return this;
    }

    public Path journalDir()
    {
        return journalDir;
    }

    /**
     * @param sink told of queue changes (after recovery, not during it) on the reply stage thread, once each change's
     *             command is journaled; it must not block. Null for none.
     * @return this.
     */
    public EngineContext queueEventSink(final QueueEventSink sink)
    {
        checkOpen();
        this.queueEventSink = sink;
        return this;
    }

    public QueueEventSink queueEventSink()
    {
        return queueEventSink;
    }

    /**
     * @param observer told of every decision (besides the decision log, if there is a journal), on the reply stage
     *                 thread, once its command is journaled; it must not keep the record (it is reused) nor block.
     * @return this.
     */
    public EngineContext decisionObserver(final java.util.function.Consumer<dev.triage.engine.journal.DecisionRecord> observer)
    {
        checkOpen();
        this.decisionObserver = observer;
        return this;
    }

    public java.util.function.Consumer<dev.triage.engine.journal.DecisionRecord> decisionObserver()
    {
        return decisionObserver;
    }

    /**
     * For tests: run on the snapshot thread before each snapshot is written (to hold one in progress).
     *
     * @param hook the hook, or null.
     * @return this.
     */
    public EngineContext snapshotHook(final Runnable hook)
    {
        checkOpen();
        this.snapshotHook = hook;
        return this;
    }

    public Runnable snapshotHook()
    {
        return snapshotHook;
    }

    /**
     * @param every with a journal, write a snapshot after this many journaled commands; 0 only on demand.
     * @return this.
     */
    public EngineContext snapshotEveryCommands(final long every)
    {
        checkOpen();
        this.snapshotEveryCommands = every;
        return this;
    }

    public long snapshotEveryCommands()
    {
        return snapshotEveryCommands;
    }

    /**
     * @param durability how far an append must get before its reply.
     * @return this.
     */
    public EngineContext durability(final Durability durability)
    {
        checkOpen();
        this.durability = durability;
        return this;
    }

    public Durability durability()
    {
        return durability;
    }

    /**
     * @param roll how often a new journal file starts (a new journal only; an existing one keeps its recorded roll).
     * @return this.
     */
    public EngineContext journalRoll(final JournalRoll roll)
    {
        checkOpen();
        this.journalRoll = roll;
        return this;
    }

    public JournalRoll journalRoll()
    {
        return journalRoll;
    }

    /**
     * @param days journal files wholly older than this are deleted once the oldest kept snapshot covers them; 0 keeps
     * everything.
     * @return this.
     */
    public EngineContext retentionDays(final int days)
    {
        checkOpen();
        this.retentionDays = days;
        return this;
    }

    public int retentionDays()
    {
        return retentionDays;
    }

    /**
     * @param bytes free disk space kept in reserve for the journal (see {@link #JOURNAL_RESERVE_BYTES_PROP}).
     * @return this.
     */
    public EngineContext journalReserveBytes(final long bytes)
    {
        checkOpen();
        this.journalReserveBytes = bytes;
        return this;
    }

    public long journalReserveBytes()
    {
        return journalReserveBytes;
    }

    /**
     * @param probe usable bytes on the disk holding a path; tests inject a full disk with it.
     * @return this.
     */
    public EngineContext journalSpaceProbe(final java.util.function.ToLongFunction<Path> probe)
    {
        checkOpen();
        this.journalSpaceProbe = probe;
        return this;
    }

    public java.util.function.ToLongFunction<Path> journalSpaceProbe()
    {
        return journalSpaceProbe;
    }

    /**
     * @param pipeline how the ring's consumers are laid out.
     * @return this.
     */
    public EngineContext pipeline(final Pipeline pipeline)
    {
        checkOpen();
        this.pipeline = pipeline;
        return this;
    }

    public Pipeline pipeline()
    {
        return pipeline;
    }

    /**
     * @param accept true to start even though the journal ends before what its directory says it reached (its
     * watermark, decision log or newest snapshot): an operator's decision after a deleted or truncated journal file.
     * The engine then starts from what the journal holds, logs the loss and reports it in metrics. Off by default:
     * such a start is refused, naming what is missing.
     * @return this.
     */
    public EngineContext acceptJournalLoss(final boolean accept)
    {
        checkOpen();
        this.acceptJournalLoss = accept;
        return this;
    }

    public boolean acceptJournalLoss()
    {
        return acceptJournalLoss;
    }
}
