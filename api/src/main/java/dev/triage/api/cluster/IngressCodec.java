package dev.triage.api.cluster;

import dev.triage.engine.command.Command;
import dev.triage.engine.journal.CommandCodec;
import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A command as it travels through the cluster's log: {@code correlationId (8) | topN (4) | journal record}. The
 * record is the journal's own encoding (checksummed); the correlation id lets the node that sent it answer its caller,
 * and topN is the one input the journal does not keep (reads are not journaled). One instance per thread.
 */
final class IngressCodec
{
    static final int HEADER = Long.BYTES + Integer.BYTES;

    private final Bytes<?> record = Bytes.allocateElasticDirect(1024);
    private byte[] copy = new byte[1024];

    /**
     * @param correlationId the sender's id for it.
     * @param command the command.
     * @param out where to.
     * @param offset at.
     * @return bytes written.
     */
    int encode(final long correlationId, final Command command, final MutableDirectBuffer out, final int offset)
    {
        record.clear();
        CommandCodec.encode(command, record);
        final int length = (int)record.readRemaining();
        final byte[] bytes = room(length);
        record.read(bytes, 0, length);
        out.putLong(offset, correlationId);
        out.putInt(offset + Long.BYTES, command.topN);
        out.putBytes(offset + HEADER, bytes, 0, length);
        return HEADER + length;
    }

    /**
     * @param in a log message.
     * @param offset where it starts.
     * @param length its length.
     * @param into filled with the command (reply untouched by the decoder, which clears the rest).
     * @return the correlation id.
     */
    long decode(final DirectBuffer in, final int offset, final int length, final Command into)
    {
        final int recordLength = length - HEADER;
        final byte[] bytes = room(recordLength);
        in.getBytes(offset + HEADER, bytes, 0, recordLength);
        record.clear();
        record.write(bytes, 0, recordLength);
        CommandCodec.decode(record, into, true);
        into.topN = in.getInt(offset + Long.BYTES);
        return in.getLong(offset);
    }

    private byte[] room(final int length)
    {
        if (copy.length < length)
        {
            copy = new byte[Math.max(length, copy.length * 2)];
        }
        return copy;
    }
}
