package dev.triage.engine.book;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a book's whole state, one method per record kind, in the order {@link BookSnapshotLoader} reads them (see
 * {@link BookSnapshot} for what is kept exactly and what is rebuilt). Processor thread only.
 */
final class BookSnapshotTaker
{
    private final BookState s;
    private final BookStatistics statistics;
    private final DataOutputStream out;

    BookSnapshotTaker(final BookState state, final BookStatistics statistics, final DataOutputStream out)
    {
        this.s = state;
        this.statistics = statistics;
        this.out = out;
    }

    void takeAll() throws IOException
    {
        clockAndCounters();
        statistics.write(out);
        BookSnapshot.writePolicy(s.policy, out);
        skills();
        agents();
        incidents();
        conversations();
        holdings();
        resolved();
    }

    private void clockAndCounters() throws IOException
    {
        out.writeLong(s.sequence);
        out.writeLong(s.nowMs);
        out.writeInt(s.policyVersion);
        out.writeLong(s.assignmentsTotal);
        out.writeLong(s.leaseExpiries);
    }

    /** Skill names in index order: the skill sets in the records below list these indices. */
    private void skills() throws IOException
    {
        out.writeInt(s.skills.nameCount());
        for (int index = 0; index < s.skills.nameCount(); index++)
        {
            out.writeUTF(s.skills.nameOfIndex(index));
        }
    }

    private void skillSet(final int set) throws IOException
    {
        final int[] members = s.skills.members(set);
        out.writeShort(members.length);
        for (final int index : members)
        {
            out.writeShort(index);
        }
    }

    private void agents() throws IOException
    {
        out.writeInt(s.agents.count());
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            final Agent a = s.agents.get(handle);
            out.writeUTF(a.id);
            skillSet(a.skillSet);
            out.writeInt(a.capacity);
            out.writeByte(a.status.ordinal());
            out.writeLong(a.assignments);
            out.writeBoolean(a.isParked());
            out.writeLong(a.parkSeq);
            out.writeLong(a.parkDeadlineMs);
            out.writeLong(a.parkRequestSeq);
        }
    }

    private void incidents() throws IOException
    {
        final List<Incident> incidents = new ArrayList<>();
        s.conversations.forEachIncident(incidents::add);
        out.writeInt(incidents.size());
        for (final Incident incident : incidents)
        {
            out.writeUTF(incident.key);
            out.writeLong(incident.reach);
            out.writeLong(incident.firstReportMs);
        }
    }

    private void conversations() throws IOException
    {
        out.writeInt(s.conversations.live());
        for (int handle = 0; handle < s.conversations.highWater(); handle++)
        {
            final Conversation c = s.conversations.get(handle);
            if (c.id == null)
            {
                continue;
            }
            out.writeUTF(c.id);
            out.writeLong(c.openSeq);
            out.writeByte(c.urgencyLevel);
            out.writeInt(c.impact);
            BookSnapshot.writeNullable(c.incidentKey, out);
            out.writeBoolean(c.incident != null);
            skillSet(c.requiredSet);
            skillSet(c.preferredSet);
            out.writeLong(c.waitingSinceMs);
            out.writeLong(c.respondByMs);
            out.writeByte(c.state.ordinal());
            out.writeByte(c.slaBand);
            out.writeBoolean(c.relaxed);
            out.writeBoolean(c.escalated);
            out.writeBoolean(c.lead);
            out.writeBoolean(c.acked);
            out.writeLong(c.leaseDeadlineMs);
        }
    }

    /** Each agent's held conversations, in the order of its list. */
    private void holdings() throws IOException
    {
        for (int handle = 0; handle < s.agents.count(); handle++)
        {
            final Agent a = s.agents.get(handle);
            out.writeInt(a.held);
            for (Conversation c = a.heldHead; c != null; c = c.next)
            {
                out.writeUTF(c.id);
                out.writeLong(c.assignedAtMs);
            }
        }
    }

    /** Resolved conversations kept for REOPEN and retries, oldest first (the order they are forgotten in). */
    private void resolved() throws IOException
    {
        final List<Conversation> resolved = s.conversations.resolvedInOrder();
        out.writeInt(resolved.size());
        for (final Conversation c : resolved)
        {
            out.writeUTF(c.id);
        }
    }
}
