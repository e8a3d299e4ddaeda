package dev.triage.engine.book;

import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.ConversationState;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * Restores what {@link BookSnapshotTaker} wrote into a new, empty book, one method per record kind; the queue and
 * the timers are rebuilt from the conversations, parked agents are parked again last (with no request waiting).
 */
final class BookSnapshotLoader
{
    private final BookState s;
    private final BookStatistics statistics;
    private final AssignmentDesk desk;
    private final ConversationTimers timers;
    private final DataInputStream in;
    private final int version;
    private long[] parkSeq;
    private long[] parkDeadline;
    private long[] parkRequest;
    private boolean[] wasParked;

    BookSnapshotLoader(final BookState state, final BookStatistics statistics, final AssignmentDesk desk,
        final ConversationTimers timers, final DataInputStream in, final int version)
    {
        this.version = version;
        this.s = state;
        this.statistics = statistics;
        this.desk = desk;
        this.timers = timers;
        this.in = in;
    }

    void loadAll() throws IOException
    {
        if (s.conversations.live() != 0 || s.agents.count() != 0)
        {
            throw new IllegalStateException("restore into an empty book only");
        }
        clockAndCounters();
        statistics.read(in, version);
        s.policy = BookSnapshot.readPolicy(in, version);
        skills();
        agents();
        incidents();
        conversations();
        holdings();
        resolved();
        parkAgainWhoWasParked();
    }

    private void clockAndCounters() throws IOException
    {
        s.sequence = in.readLong();
        s.lastChangeSequence = s.sequence;
        s.nowMs = in.readLong();
        s.policyVersion = in.readInt();
        s.assignmentsTotal = in.readLong();
        s.leaseExpiries = in.readLong();
    }

    private void skills() throws IOException
    {
        final int skillCount = in.readInt();
        for (int bit = 0; bit < skillCount; bit++)
        {
            s.skills.setOf(new String[]{ in.readUTF() }, SkillRegistry.EMPTY, true);
        }
    }

    private void agents() throws IOException
    {
        final int agentCount = in.readInt();
        parkSeq = new long[agentCount];
        parkDeadline = new long[agentCount];
        parkRequest = new long[agentCount];
        wasParked = new boolean[agentCount];
        for (int i = 0; i < agentCount; i++)
        {
            final Agent a = s.agents.create(in.readUTF());
            desk.setSkills(a, skillSet());
            a.capacity = in.readInt();
            a.status = AgentStatus.values()[in.readByte()];
            a.assignments = in.readLong();
            wasParked[i] = in.readBoolean();
            parkSeq[i] = in.readLong();
            parkDeadline[i] = in.readLong();
            parkRequest[i] = version >= 5 ? in.readLong() : -1;
        }
    }

    /**
     * A skill set: in version 1 a 64-bit mask of name indices (then at most 63 names), from version 2 a list.
     */
    private int skillSet() throws IOException
    {
        final int[] indices;
        if (version == 1)
        {
            final long mask = in.readLong();
            indices = new int[Long.bitCount(mask)];
            int i = 0;
            for (long m = mask; m != 0; m &= m - 1)
            {
                indices[i++] = Long.numberOfTrailingZeros(m);
            }
        }
        else
        {
            indices = new int[in.readUnsignedShort()];
            for (int i = 0; i < indices.length; i++)
            {
                indices[i] = in.readUnsignedShort();
            }
        }
        for (final int index : indices)
        {
            if (index >= s.skills.nameCount())
            {
                throw new IOException("snapshot skill set names skill " + index + " of " + s.skills.nameCount());
            }
        }
        return s.skills.setOfIndices(indices);
    }

    private void incidents() throws IOException
    {
        final int incidentCount = in.readInt();
        for (int i = 0; i < incidentCount; i++)
        {
            s.conversations.restoreIncident(in.readUTF(), in.readLong(), version >= 3 ? in.readLong() : 0);
        }
    }

    private void conversations() throws IOException
    {
        final int conversationCount = in.readInt();
        for (int i = 0; i < conversationCount; i++)
        {
            final Conversation c = s.conversations.allocate(in.readUTF());
            c.openSeq = in.readLong();
            c.urgencyLevel = in.readByte();
            c.impact = in.readInt();
            c.incidentKey = BookSnapshot.readNullable(in);
            final boolean member = in.readBoolean();
            c.requiredSet = skillSet();
            c.preferredSet = skillSet();
            c.unionSet = s.skills.union(c.requiredSet, c.preferredSet);
            s.skills.retain(c.unionSet);
            c.waitingSinceMs = in.readLong();
            c.respondByMs = in.readLong();
            c.state = ConversationState.values()[in.readByte()];
            c.slaBand = in.readByte();
            c.relaxed = in.readBoolean();
            c.escalated = version >= 6 && in.readBoolean();
            c.lead = version >= 6 && in.readBoolean();
            c.acked = in.readBoolean();
            c.leaseDeadlineMs = in.readLong();
            if (member)
            {
                s.conversations.restoreMember(c);
            }
            if (c.state == ConversationState.OPEN)
            {
                // Indexed with its band, relaxation and incident slot as written: restoring decides nothing.
                desk.indexRestored(c);
            }
            else if (c.state == ConversationState.PENDING)
            {
                s.pendingCount++;
            }
        }
    }

    private void holdings() throws IOException
    {
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            final Agent a = s.agents.get(handle);
            final int held = in.readInt();
            for (int i = 0; i < held; i++)
            {
                final Conversation c = s.conversations.find(in.readUTF());
                c.assignedAtMs = version >= 3 ? in.readLong() : 0;
                a.hold(c);
                if (c.lead)
                {
                    desk.restoreAssignedLead(c);
                }
                s.assignedCount++;
                timers.schedule(s.policy, c);
            }
        }
    }

    private void resolved() throws IOException
    {
        final int resolved = in.readInt();
        for (int i = 0; i < resolved; i++)
        {
            s.conversations.retain(s.conversations.find(in.readUTF()));
        }
    }

    private void parkAgainWhoWasParked()
    {
        for (int handle = 0; handle < wasParked.length; handle++)
        {
            if (wasParked[handle])
            {
                s.parked.park(s.agents.get(handle), null, parkSeq[handle], parkDeadline[handle]);
                s.agents.get(handle).parkRequestSeq = parkRequest[handle];
            }
        }
    }
}
