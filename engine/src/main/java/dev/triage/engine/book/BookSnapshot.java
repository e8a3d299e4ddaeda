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
 * A restored book has the same {@code stateHash()} and makes the same decisions. Format version 6.
 */
public final class BookSnapshot
{
    /** "TRSN". */
    public static final int MAGIC = 0x5452534E;
    /**
     * 2: skill sets as lists of name indices (version 1's 64-bit masks are still read); 3: when each held conversation
     * was assigned and when each incident was first reported (for the console; older versions restore them as 0); 4: the
     * queue's 15-minute history (older versions restore none); 5: each parked agent's request sequence, which a
     * CANCEL_WAIT names (older versions restore -1: their waits are cancelled by the RESTART that follows); 6: the
     * policy's lead slots and wait bounds, and whether each queued conversation is past its bound (older versions
     * restore the policy without leads or bounds, as it was decided, and no conversation escalated).
     */
    public static final int VERSION = 6;

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
        if (version < 1 || version > VERSION)
        {
            throw new IOException("snapshot format version " + version + " is not readable by version " + VERSION);
        }
        into.readState(in, version);
        final String problem = into.validateInternalState();
        if (problem != null)
        {
            throw new IOException("snapshot restores an inconsistent state: " + problem);
        }
    }

    static void writePolicy(final Policy p, final DataOutputStream out) throws IOException
    {
        for (final long value : p.fields())
        {
            out.writeLong(value);
        }
    }

    static Policy readPolicy(final DataInputStream in, final int version) throws IOException
    {
        final long[] fields = new long[version >= 6 ? Policy.FIELD_COUNT : Policy.FIELD_COUNT_BEFORE_LEADS];
        for (int i = 0; i < fields.length; i++)
        {
            fields[i] = in.readLong();
        }
        try
        {
            return Policy.ofFields(fields);
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
