package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import net.openhft.chronicle.bytes.Bytes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads queue files as raw bytes, without Chronicle's reader, to learn whether any decodable record lies beyond the
 * point where a replay had to stop. Chronicle stops at a damaged header (zeroed, marked incomplete, or of an absurd
 * length) as if the journal ended there; this scan is what tells a torn tail from a hole with records after it.
 * A candidate is a 4-byte header whose length fits a record, followed by a payload of this format's version whose
 * checksum holds: a false match is a 2^-32 chance on bytes that already look like a record.
 */
final class JournalScan
{
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int CHUNK = 1 << 20;

    /** A record found by the scan: its header's offset in the file, and its sequence. */
    record Found(Path file, long offset, long sequence)
    {
    }

    private JournalScan()
    {
    }

    /**
     * @param file a queue file.
     * @param after only headers at offsets greater than this count (-1: the whole file).
     * @return the first decodable record beyond {@code after}, or null.
     */
    static Found firstRecordAfter(final Path file, final long after)
    {
        final Bytes<?> candidate = Bytes.allocateElasticDirect(256);
        final Command scratch = new Command();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            // Chunks overlap by 8 bytes so a header and the version byte after it are never split.
            for (long base = Math.max(0, after + 1); base < size - 8; base += CHUNK - 8)
            {
                chunk.clear();
                readFully(channel, chunk, base);
                final int limit = chunk.position() - 8;
                for (int i = 0; i <= limit; i++)
                {
                    if (chunk.getLong(i) == 0)
                    {
                        // Journal files are mostly zeros past their end: jump to the next non-zero byte (a vectorised
                        // compare), less three, since a header may hold it in any of its four bytes.
                        final int nonZero = nextNonZero(chunk, i, limit + 8);
                        if (nonZero < 0)
                        {
                            break;
                        }
                        i = Math.max(i, nonZero - 4);
                        continue;
                    }
                    final int header = chunk.getInt(i);
                    final int length = header & LENGTH_MASK;
                    if (length >= CommandCodec.MIN_RECORD_BYTES && length <= CommandCodec.MAX_RECORD_BYTES &&
                        chunk.get(i + 4) == CommandCodec.VERSION && base + i + 4 + length <= size &&
                        decodes(channel, base + i + 4, length, candidate, scratch))
                    {
                        return new Found(file, base + i, scratch.sequence);
                    }
                }
            }
            return null;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot scan journal file " + file, e);
        }
        finally
        {
            candidate.releaseLast();
        }
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK);

    /** The first non-zero byte in [from, to), or -1. */
    private static int nextNonZero(final ByteBuffer chunk, final int from, final int to)
    {
        final int at = chunk.slice(from, to - from).mismatch(ZEROS.slice(0, to - from));
        return at < 0 ? -1 : from + at;
    }

    private static boolean decodes(final FileChannel channel, final long offset, final int length, final Bytes<?> into,
        final Command scratch) throws IOException
    {
        final ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, offset);
        into.clear();
        into.write(payload.array(), 0, payload.position());
        try
        {
            CommandCodec.decode(into, scratch);
            return true;
        }
        catch (final RuntimeException e)
        {
            return false;
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer into, final long position) throws IOException
    {
        long at = position;
        while (into.hasRemaining())
        {
            final int n = channel.read(into, at);
            if (n < 0)
            {
                break;
            }
            at += n;
        }
    }
}
