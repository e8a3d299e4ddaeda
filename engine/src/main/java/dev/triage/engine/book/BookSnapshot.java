package dev.triage.engine.book;

import dev.triage.engine.policy.Policy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole state of a {@link TriageBook} as bytes, and back. Everything decisions depend on is written exactly
 * (derived SLA bands and relaxation as they stand, the order of each agent's held list and of the resolved
 * retention list, incidents' reach, skill bit order, the clock and counters); heaps and timers are rebuilt from it.
 * A restored book has the same {@code stateHash()} and makes the same decisions. Format version 1.
 */
public final class BookSnapshot
{
    /** "TRSN". */
    public static final int MAGIC = 0x5452534E;
    public static final int VERSION = 1;

    private BookSnapshot()
    {
    }

    /**
     * @param book the book; processor thread only.
     * @param out where to write.
     * @throws IOException if writing fails.
     */
    public static void write(final TriageBook book, final DataOutputStream out) throws IOException
    {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        book.writeState(out);
    }

    /**
     * @param in a snapshot.
     * @param into a new, empty book built with the same settings.
     * @throws IOException if unreadable, of another version, or inconsistent.
     */
    public static void read(final DataInputStream in, final TriageBook into) throws IOException
    {
        if (in.readInt() != MAGIC)
        {
            throw new IOException("not a Triage snapshot");
        }
        final int version = in.readInt();
        if (version != VERSION)
        {
            throw new IOException("snapshot format version " + version + " is not readable by version " + VERSION);
        }
        into.readState(in);
        final String problem = into.validateInternalState();
        if (problem != null)
        {
            throw new IOException("snapshot restores an inconsistent state: " + problem);
        }
    }

    static void writePolicy(final Policy p, final DataOutputStream out) throws IOException
    {
        for (int u = 0; u < Urgency.count(); u++)
        {
            out.writeLong(p.urgencyPoints(Urgency.ofLevel(u)));
        }
        out.writeLong(p.impactPointsPerDoubling());
        out.writeLong(p.agePointsPerMinute());
        out.writeByte(p.newestFirstMaxUrgency() == null ? -1 : p.newestFirstMaxUrgency().ordinal());
        out.writeLong(p.newestFirstMinImpact());
        out.writeLong(p.slaAtRiskWindowMs());
        out.writeLong(p.slaAtRiskPoints());
        out.writeLong(p.slaBreachedPoints());
        out.writeLong(p.leaseMs());
        out.writeLong(p.relaxPreferredAfterMs());
    }

    static Policy readPolicy(final DataInputStream in) throws IOException
    {
        final Policy.Builder b = Policy.builder();
        for (int u = 0; u < Urgency.count(); u++)
        {
            b.urgencyPoints(Urgency.ofLevel(u), in.readLong());
        }
        b.impactPointsPerDoubling(in.readLong());
        b.agePointsPerMinute(in.readLong());
        final int newestFirst = in.readByte();
        b.newestFirst(newestFirst < 0 ? null : Urgency.ofLevel(newestFirst), in.readLong());
        b.slaAtRiskWindowMs(in.readLong());
        final long atRisk = in.readLong();
        b.slaPoints(atRisk, in.readLong());
        b.leaseMs(in.readLong());
        b.relaxPreferredAfterMs(in.readLong());
        try
        {
            return b.build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new IOException("snapshot policy is invalid: " + e.getMessage());
        }
    }

    static void writeNullable(final String s, final DataOutputStream out) throws IOException
    {
        out.writeBoolean(s != null);
        if (s != null)
        {
            out.writeUTF(s);
        }
    }

    static String readNullable(final DataInputStream in) throws IOException
    {
        return in.readBoolean() ? in.readUTF() : null;
    }

    static List<String> readIds(final DataInputStream in) throws IOException
    {
        final int n = in.readInt();
        final List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            ids.add(in.readUTF());
        }
        return ids;
    }
}
