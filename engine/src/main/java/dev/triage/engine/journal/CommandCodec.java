package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesOut;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bytes on disk for one journaled command (docs/journal-format.md): a format version, the stable type code,
 * sequence, the link to the record before it, timestamp, then a bitmap of the inputs present and those inputs only.
 * Encoding allocates nothing.
 */
public final class CommandCodec
{
    /** Format version written by this code: 2 adds the link to the previous record. A reader refuses newer ones. */
    public static final int VERSION = 2;
    /** The first format, still read: records without a link. */
    static final int VERSION_UNLINKED = 1;
    /** The previous sequence of a record that carries no link (format 1, or a replicated log's record). */
    public static final long UNLINKED = Long.MIN_VALUE;
    /** The smallest record (format 1): version, type, sequence, timestamp, bitmap, checksum. */
    static final int MIN_RECORD_BYTES = 1 + 1 + 1 + 8 + 1 + 4;
    /**
     * The largest record a reader accepts: requests are capped at 1 MiB, so a longer one is a damaged length, read
     * no further (its bytes may lie beyond what is mapped).
     */
    static final int MAX_RECORD_BYTES = 4 << 20;

    private static final int CONVERSATION = 1;
    private static final int AGENT = 1 << 1;
    private static final int INCIDENT = 1 << 2;
    private static final int URGENCY = 1 << 3;
    private static final int IMPACT = 1 << 4;
    private static final int REQUIRED = 1 << 5;
    private static final int PREFERRED = 1 << 6;
    private static final int WAITING_SINCE = 1 << 7;
    private static final int RESPOND_BY = 1 << 8;
    private static final int MAX_WAIT = 1 << 9;
    private static final int CAPACITY = 1 << 10;
    private static final int STATUS = 1 << 11;
    private static final int UPDATE_FLAGS = 1 << 12;
    private static final int POLICY = 1 << 13;
    private static final int TARGET_SEQUENCE = 1 << 14;
    /** A policy's fields beyond the first 14 (leads, wait bounds): a count, then the values. */
    private static final int POLICY_MORE = 1 << 15;
    private static final int REFERENCE = 1 << 16;
    private static final int LAST_BIT = REFERENCE;
    private static final String[] NO_SKILLS = new String[0];
    private static final ThreadLocal<UnsafeBuffer> VIEW = ThreadLocal.withInitial(() -> new UnsafeBuffer(0, 0));

    private CommandCodec()
    {
    }

    /**
     * A record without a link: a replicated log's, whose order the log itself keeps.
     *
     * @param c a command with sequence and timestamp.
     * @param out where the record goes.
     */
    public static void encode(final Command c, final net.openhft.chronicle.bytes.Bytes<?> out)
    {
        encode(c, UNLINKED, out);
    }

    /**
     * A journal record, linked to the one before it: a reader that finds a record whose previous sequence is not the
     * one it just read knows records between them are missing (a deleted or replaced file), not merely skipped reads.
     *
     * @param c a state-changing command with sequence and timestamp.
     * @param previousSequence the sequence of the journal's record before this one, -1 for the first record.
     * @param out where the record goes.
     */
    public static void encode(final Command c, final long previousSequence, final net.openhft.chronicle.bytes.Bytes<?> out)
    {
        final long start = out.writePosition();
        encodeFields(c, previousSequence, out);
        out.writeInt(checksum(out, start, out.writePosition()));
    }

    /**
     * FNV-1a over the record's bytes, eight at a time: catches flipped or torn bytes that would otherwise decode into
     * plausible but wrong values. About 10 ns for a typical record.
     */
    static int checksum(final net.openhft.chronicle.bytes.BytesStore<?, ?> bytes, final long from, final long to)
    {
        // A document lies contiguous in the mapped file: read it through one reusable view, without bounds checks.
        final UnsafeBuffer view = VIEW.get();
        final int length = (int)(to - from);
        view.wrap(bytes.addressForRead(from), length);
        long h = 0xcbf29ce484222325L;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h = (h ^ view.getLong(i, java.nio.ByteOrder.LITTLE_ENDIAN)) * 0x100000001b3L;
        }
        for (; i < length; i++)
        {
            h = (h ^ view.getByte(i)) * 0x100000001b3L;
        }
        return (int)(h ^ (h >>> 32));
    }

    private static void encodeFields(final Command c, final long previousSequence, final BytesOut<?> out)
    {
        int present = 0;
        present |= c.conversationId != null ? CONVERSATION : 0;
        present |= c.agentId != null ? AGENT : 0;
        present |= c.incidentKey != null ? INCIDENT : 0;
        present |= c.urgency != null ? URGENCY : 0;
        present |= c.impact != 0 ? IMPACT : 0;
        present |= c.requiredSkills != null && c.requiredSkills.length > 0 ? REQUIRED : 0;
        present |= c.preferredSkills != null && c.preferredSkills.length > 0 ? PREFERRED : 0;
        present |= c.waitingSinceMs != 0 ? WAITING_SINCE : 0;
        present |= c.respondByMs != 0 ? RESPOND_BY : 0;
        present |= c.maxWaitMs != 0 ? MAX_WAIT : 0;
        present |= c.capacity != 0 ? CAPACITY : 0;
        present |= c.agentStatus != null ? STATUS : 0;
        present |= c.updateFlags != 0 ? UPDATE_FLAGS : 0;
        present |= c.policy != null ? POLICY : 0;
        present |= c.targetSequence != 0 ? TARGET_SEQUENCE : 0;
        present |= c.policy != null ? POLICY_MORE : 0;
        present |= c.reference != null ? REFERENCE : 0;

        out.writeByte((byte)VERSION);
        out.writeStopBit(c.type.code());
        out.writeStopBit(c.sequence);
        // The gap back to the previous record (reads take sequences and are not journaled); 0 carries no link.
        out.writeStopBit(previousSequence == UNLINKED ? 0 : c.sequence - previousSequence);
        out.writeLong(c.timestampMs);
        out.writeStopBit(present);
        if ((present & CONVERSATION) != 0)
        {
            out.writeUtf8(c.conversationId);
        }
        if ((present & AGENT) != 0)
        {
            out.writeUtf8(c.agentId);
        }
        if ((present & INCIDENT) != 0)
        {
            out.writeUtf8(c.incidentKey);
        }
        if ((present & URGENCY) != 0)
        {
            out.writeByte((byte)c.urgency.ordinal());
        }
        if ((present & IMPACT) != 0)
        {
            out.writeStopBit(c.impact);
        }
        if ((present & REQUIRED) != 0)
        {
            writeNames(c.requiredSkills, out);
        }
        if ((present & PREFERRED) != 0)
        {
            writeNames(c.preferredSkills, out);
        }
        if ((present & WAITING_SINCE) != 0)
        {
            out.writeLong(c.waitingSinceMs);
        }
        if ((present & RESPOND_BY) != 0)
        {
            out.writeLong(c.respondByMs);
        }
        if ((present & MAX_WAIT) != 0)
        {
            out.writeStopBit(c.maxWaitMs);
        }
        if ((present & CAPACITY) != 0)
        {
            out.writeStopBit(c.capacity);
        }
        if ((present & STATUS) != 0)
        {
            out.writeByte((byte)c.agentStatus.ordinal());
        }
        if ((present & UPDATE_FLAGS) != 0)
        {
            out.writeStopBit(c.updateFlags);
        }
        if ((present & POLICY) != 0)
        {
            writePolicy(c.policy, out);
        }
        if ((present & TARGET_SEQUENCE) != 0)
        {
            out.writeStopBit(c.targetSequence);
        }
        if ((present & POLICY_MORE) != 0)
        {
            writePolicyMore(c.policy, out);
        }
        if ((present & REFERENCE) != 0)
        {
            out.writeUtf8(c.reference);
        }
    }

    /**
     * @param in a record.
     * @param into a command to fill (cleared first); its reply stays null.
     * @return {@code into}.
     * @throws JournalFormatException if the record is of a newer version or malformed.
     */
    public static Command decode(final net.openhft.chronicle.bytes.Bytes<?> in, final Command into)
    {
        return decode(in, into, false);
    }

    /**
     * As {@link #decode(net.openhft.chronicle.bytes.Bytes, Command)}, for a replicated log, which orders reads too.
     *
     * @param in a record.
     * @param into a command to fill (cleared first); its reply stays null.
     * @param readsAllowed true to accept read-only types (TOP, STATS, VIEW), which a journal never holds.
     * @return {@code into}.
     * @throws JournalFormatException if the record is of a newer version or malformed.
     */
    public static Command decode(final net.openhft.chronicle.bytes.Bytes<?> in, final Command into, final boolean readsAllowed)
    {
        final long start = in.readPosition();
        final long end = in.readLimit();
        if (end - start < MIN_RECORD_BYTES || end - start > MAX_RECORD_BYTES)
        {
            throw new JournalFormatException("record length " + (end - start) + " is outside " + MIN_RECORD_BYTES + ".." +
                MAX_RECORD_BYTES + " bytes (a damaged header)");
        }
        final int stored = in.readInt(end - 4);
        final int computed = checksum(in, start, end - 4);
        if (stored != computed)
        {
            throw new JournalFormatException("record checksum mismatch (corrupt or torn bytes)");
        }
        in.readLimit(end - 4);
        decodeFields(in, into, VIEW.get(), readsAllowed);
        in.readLimit(end);
        return into;
    }

    private static Command decodeFields(final net.openhft.chronicle.bytes.Bytes<?> in, final Command into, final UnsafeBuffer view,
        final boolean readsAllowed)
    {
        into.clear();
        final int version = in.readByte();
        if (version != VERSION && version != VERSION_UNLINKED)
        {
            throw new JournalFormatException("record format version " + version + " is not readable by this version " + VERSION);
        }
        final int code = (int)in.readStopBit();
        into.type = CommandType.ofCode(code);
        if (into.type == null || !into.type.changesState() && !readsAllowed)
        {
            throw new JournalFormatException("unknown or read-only command type code " + code);
        }
        into.sequence = in.readStopBit();
        into.previousSequence = version == VERSION_UNLINKED ? UNLINKED : previousOf(into.sequence, in.readStopBit());
        into.timestampMs = in.readLong();
        final int present = (int)in.readStopBit();
        if ((present & ~((LAST_BIT << 1) - 1)) != 0)
        {
            throw new JournalFormatException("unknown fields in presence bitmap " + Integer.toBinaryString(present));
        }
        into.conversationId = (present & CONVERSATION) != 0 ? readString(in, view) : null;
        into.agentId = (present & AGENT) != 0 ? readString(in, view) : null;
        into.incidentKey = (present & INCIDENT) != 0 ? readString(in, view) : null;
        into.urgency = (present & URGENCY) != 0 ? Urgency.ofLevel(checkedOrdinal(in.readByte(), Urgency.count(), "urgency")) : null;
        into.impact = (present & IMPACT) != 0 ? (int)in.readStopBit() : 0;
        into.requiredSkills = (present & REQUIRED) != 0 ? readNames(in, view) : NO_SKILLS;
        into.preferredSkills = (present & PREFERRED) != 0 ? readNames(in, view) : NO_SKILLS;
        into.waitingSinceMs = (present & WAITING_SINCE) != 0 ? in.readLong() : 0;
        into.respondByMs = (present & RESPOND_BY) != 0 ? in.readLong() : 0;
        into.maxWaitMs = (present & MAX_WAIT) != 0 ? in.readStopBit() : 0;
        into.capacity = (present & CAPACITY) != 0 ? (int)in.readStopBit() : 0;
        into.agentStatus = (present & STATUS) != 0 ?
            AgentStatus.values()[checkedOrdinal(in.readByte(), AgentStatus.values().length, "agent status")] : null;
        into.updateFlags = (present & UPDATE_FLAGS) != 0 ? (int)in.readStopBit() : 0;
        final long[] policyFields = (present & POLICY) != 0 ? readPolicyFields(in) : null;
        into.targetSequence = (present & TARGET_SEQUENCE) != 0 ? in.readStopBit() : 0;
        into.policy = policyFields == null ? null : policyOf(policyFields, (present & POLICY_MORE) != 0 ? readPolicyMore(in) : null);
        into.reference = (present & REFERENCE) != 0 ? readString(in, view) : null;
        return into;
    }

    private static long previousOf(final long sequence, final long gap)
    {
        if (gap < 0 || gap > sequence + 1)
        {
            throw new JournalFormatException("link gap " + gap + " out of range for sequence " + sequence);
        }
        return gap == 0 ? UNLINKED : sequence - gap;
    }

    /**
     * @param version a record's first byte.
     * @return true for a format this code reads.
     */
    static boolean readable(final int version)
    {
        return version == VERSION || version == VERSION_UNLINKED;
    }

    private static int checkedOrdinal(final int ordinal, final int count, final String what)
    {
        if (ordinal < 0 || ordinal >= count)
        {
            throw new JournalFormatException(what + " ordinal " + ordinal + " out of range");
        }
        return ordinal;
    }

    private static void writeNames(final String[] names, final BytesOut<?> out)
    {
        out.writeStopBit(names.length);
        for (final String name : names)
        {
            out.writeUtf8(name);
        }
    }

    private static String[] readNames(final net.openhft.chronicle.bytes.Bytes<?> in, final UnsafeBuffer view)
    {
        final long n = in.readStopBit();
        if (n < 0 || n > 1_024)
        {
            throw new JournalFormatException("skill count " + n + " out of range");
        }
        final String[] names = new String[(int)n];
        for (int i = 0; i < n; i++)
        {
            names[i] = readString(in, view);
        }
        return names;
    }

    /**
     * A string as {@code writeUtf8} wrote it (a stop-bit byte length, -1 for null, then UTF-8), decoded straight from
     * the record's memory: Chronicle's own {@code readUtf8} interns every string it reads, which for ids that are
     * mostly unique costs a hash and a comparison each for nothing.
     */
    private static String readString(final net.openhft.chronicle.bytes.Bytes<?> in, final UnsafeBuffer view)
    {
        final long length = in.readStopBit();
        if (length == -1)
        {
            return null;
        }
        if (length < 0 || length > in.readRemaining())
        {
            throw new JournalFormatException("string length " + length + " out of range (" + in.readRemaining() + " bytes left)");
        }
        view.wrap(in.addressForRead(in.readPosition()), (int)length);
        final String value = view.getStringWithoutLengthUtf8(0, (int)length);
        in.readSkip(length);
        return value;
    }

    /** The first 14 fields, as every version wrote them. */
    private static void writePolicy(final Policy p, final BytesOut<?> out)
    {
        final long[] fields = p.fields();
        for (int i = 0; i < Policy.FIELD_COUNT_BEFORE_LEADS; i++)
        {
            out.writeStopBit(fields[i]);
        }
    }

    /** The fields after the first 14: a count, so a later field can follow without a new bit. */
    private static void writePolicyMore(final Policy p, final BytesOut<?> out)
    {
        final long[] fields = p.fields();
        out.writeStopBit(fields.length - Policy.FIELD_COUNT_BEFORE_LEADS);
        for (int i = Policy.FIELD_COUNT_BEFORE_LEADS; i < fields.length; i++)
        {
            out.writeStopBit(fields[i]);
        }
    }

    private static long[] readPolicyFields(final BytesIn<?> in)
    {
        final long[] fields = new long[Policy.FIELD_COUNT_BEFORE_LEADS];
        for (int i = 0; i < fields.length; i++)
        {
            fields[i] = in.readStopBit();
        }
        return fields;
    }

    private static long[] readPolicyMore(final BytesIn<?> in)
    {
        final long n = in.readStopBit();
        if (n != Policy.FIELD_COUNT - Policy.FIELD_COUNT_BEFORE_LEADS)
        {
            throw new JournalFormatException("journaled policy has " + n + " fields after the first " +
                Policy.FIELD_COUNT_BEFORE_LEADS + ", this version reads " + (Policy.FIELD_COUNT - Policy.FIELD_COUNT_BEFORE_LEADS));
        }
        final long[] more = new long[(int)n];
        for (int i = 0; i < more.length; i++)
        {
            more[i] = in.readStopBit();
        }
        return more;
    }

    /** A policy journaled before leads and bounds has no more fields: it replays with neither, as it was decided. */
    private static Policy policyOf(final long[] base, final long[] more)
    {
        final long[] fields = more == null ? base : java.util.Arrays.copyOf(base, Policy.FIELD_COUNT);
        if (more != null)
        {
            System.arraycopy(more, 0, fields, Policy.FIELD_COUNT_BEFORE_LEADS, more.length);
        }
        try
        {
            return Policy.ofFields(fields);
        }
        catch (final IllegalArgumentException e)
        {
            throw new JournalFormatException("journaled policy is invalid: " + e.getMessage());
        }
    }
}
