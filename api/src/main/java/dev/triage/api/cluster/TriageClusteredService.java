package dev.triage.api.cluster;

import dev.triage.engine.Replica;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.journal.JournalFormatException;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The replicated state machine: every node runs one, and each applies the cluster's committed log in order to its own
 * {@link Replica}, at the log's time, so every replica decides the same. A command is answered by the node whose
 * caller sent it, from its own replica, once the replica applied it: the service only ever sees committed entries, so
 * no caller hears of a command a majority does not hold.
 * <p>
 * Timers are the cluster's own: one timer, armed at the book's next deadline, fires as an entry in the log, so a TICK
 * happens at the same log position on every replica and survives a leader change (the consensus module keeps armed
 * timers in its snapshot). A session's commands are applied at most once: a node resends what it had in flight after
 * a leader change, and anything at or below the last correlation id applied from that session is skipped.
 */
final class TriageClusteredService implements ClusteredService
{
    private static final System.Logger LOG = System.getLogger(TriageClusteredService.class.getName());
    private static final long TIMER_ID = 1;
    private static final int SNAPSHOT_MAGIC = 0x54524353;
    private static final int SNAPSHOT_VERSION = 1;

    private final Replica replica;
    private final PendingCalls pending;
    private final IngressCodec codec = new IngressCodec();
    private final Command command = new Command();
    private final Long2LongHashMap lastCorrelation = new Long2LongHashMap(-1);
    private final List<Consumer<String>> haltListeners = new CopyOnWriteArrayList<>();
    private Cluster cluster;
    private long armedDeadlineMs = Long.MAX_VALUE;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long appliedPosition;
    private volatile long appliedSequence;
    private volatile String haltReason;

    /**
     * @param replica the replica to feed.
     * @param pending this node's calls waiting for their command to be applied.
     */
    TriageClusteredService(final Replica replica, final PendingCalls pending)
    {
        this.replica = replica;
        this.pending = pending;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        try
        {
            if (snapshotImage == null)
            {
                replica.start(null);
            }
            else
            {
                loadSnapshot(snapshotImage, cluster.idleStrategy());
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("the cluster snapshot does not read", e);
        }
        appliedSequence = replica.book().lastSequence();
        LOG.log(System.Logger.Level.INFO, "replica started at sequence " + appliedSequence +
            (snapshotImage == null ? " (no snapshot)" : " from the cluster snapshot"));
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        appliedPosition = cluster.logPosition();
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        lastCorrelation.remove(session.id());
        appliedPosition = cluster.logPosition();
    }

    @Override
    public void onNewLeadershipTermEvent(final long leadershipTermId, final long logPosition, final long timestamp,
        final long termBaseLogPosition, final int leaderMemberId, final int logSessionId, final java.util.concurrent.TimeUnit timeUnit,
        final int appVersion)
    {
        appliedPosition = logPosition;
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        if (haltReason != null)
        {
            return;
        }
        final long correlationId;
        try
        {
            correlationId = codec.decode(buffer, offset, length, command);
        }
        catch (final JournalFormatException | IllegalArgumentException | IllegalStateException e)
        {
            // Every replica sees the same bytes and skips them the same way.
            LOG.log(System.Logger.Level.WARNING, "skipped a log message that is not a command (" + e.getMessage() + ")");
            return;
        }
        final long sessionId = session == null ? 0 : session.id();
        if (correlationId <= lastCorrelation.get(sessionId))
        {
            // Resent after a leader change, but the first one was committed: applied once only.
            return;
        }
        lastCorrelation.put(sessionId, correlationId);
        final Reply waiting = sessionId == pending.localSessionId() ? pending.take(correlationId) : null;
        command.reply = waiting != null ? waiting : Replica.unwatchedReply(command.type);
        command.timestampMs = timestamp;
        apply();
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (haltReason != null)
        {
            return;
        }
        armedDeadlineMs = Long.MAX_VALUE;
        command.clear();
        command.type = CommandType.TICK;
        command.timestampMs = timestamp;
        apply();
    }

    private void apply()
    {
        try
        {
            replica.apply(command);
        }
        catch (final Throwable t)
        {
            halt("replica halted by a fatal error at sequence " + command.sequence + " (" + t + "); restart this node", t);
            return;
        }
        appliedSequence = replica.book().lastSequence();
        appliedPosition = cluster.logPosition();
        armTimer();
    }

    private void armTimer()
    {
        final long deadline = replica.timersBacklog() ? cluster.time() : replica.nextTimerDeadlineMs();
        if (deadline == armedDeadlineMs)
        {
            return;
        }
        if (deadline == Long.MAX_VALUE)
        {
            cluster.cancelTimer(TIMER_ID);
        }
        else
        {
            while (!cluster.scheduleTimer(TIMER_ID, deadline))
            {
                cluster.idleStrategy().idle();
            }
        }
        armedDeadlineMs = deadline;
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication publication)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeInt(SNAPSHOT_VERSION);
            out.writeLong(armedDeadlineMs);
            out.writeInt(lastCorrelation.size());
            final Long2LongHashMap.EntryIterator entries = lastCorrelation.entrySet().iterator();
            while (entries.hasNext())
            {
                entries.next();
                out.writeLong(entries.getLongKey());
                out.writeLong(entries.getLongValue());
            }
            replica.writeSnapshot(out);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final byte[] state = bytes.toByteArray();
        final UnsafeBuffer header = new UnsafeBuffer(new byte[Integer.BYTES]);
        header.putInt(0, state.length);
        offer(publication, header, 0, Integer.BYTES);
        final UnsafeBuffer body = new UnsafeBuffer(state);
        final int chunk = publication.maxPayloadLength();
        for (int at = 0; at < state.length; at += chunk)
        {
            offer(publication, body, at, Math.min(chunk, state.length - at));
        }
        appliedPosition = cluster.logPosition();
        LOG.log(System.Logger.Level.INFO, "cluster snapshot at sequence " + replica.book().lastSequence() + ": " +
            state.length + " bytes");
    }

    private void offer(final ExclusivePublication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("cannot write the cluster snapshot: publication result " + result);
            }
            cluster.idleStrategy().idle();
        }
    }

    private void loadSnapshot(final Image image, final IdleStrategy idle) throws IOException
    {
        final byte[][] state = new byte[1][];
        final int[] filled = { -1 };
        while (filled[0] < 0 || filled[0] < state[0].length)
        {
            final int fragments = image.poll((buffer, offset, length, header) ->
            {
                if (filled[0] < 0)
                {
                    state[0] = new byte[buffer.getInt(offset)];
                    filled[0] = 0;
                }
                else
                {
                    buffer.getBytes(offset, state[0], filled[0], length);
                    filled[0] += length;
                }
            }, 16);
            if (fragments == 0)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new IOException("the cluster snapshot ended after " + Math.max(0, filled[0]) + " bytes");
                }
                idle.idle();
            }
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state[0])))
        {
            if (in.readInt() != SNAPSHOT_MAGIC || in.readInt() != SNAPSHOT_VERSION)
            {
                throw new IOException("not a Triage cluster snapshot of version " + SNAPSHOT_VERSION);
            }
            armedDeadlineMs = in.readLong();
            for (int n = in.readInt(); n > 0; n--)
            {
                lastCorrelation.put(in.readLong(), in.readLong());
            }
            replica.start(in);
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        LOG.log(System.Logger.Level.INFO, "this node is now " + newRole);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        replica.close();
    }

    private void halt(final String reason, final Throwable cause)
    {
        LOG.log(System.Logger.Level.ERROR, reason, cause);
        haltReason = reason;
        for (final Consumer<String> listener : haltListeners)
        {
            listener.accept(reason);
        }
    }

    /**
     * @param listener told once, on the service thread, if the replica halts.
     */
    void onHalt(final Consumer<String> listener)
    {
        haltListeners.add(listener);
        final String reason = haltReason;
        if (reason != null)
        {
            listener.accept(reason);
        }
    }

    boolean isHalted()
    {
        return haltReason != null;
    }

    Cluster.Role role()
    {
        return role;
    }

    /**
     * @return the log position of the last entry applied (any thread).
     */
    long appliedPosition()
    {
        return appliedPosition;
    }

    /**
     * @return the sequence of the last command applied (any thread).
     */
    long appliedSequence()
    {
        return appliedSequence;
    }
}
