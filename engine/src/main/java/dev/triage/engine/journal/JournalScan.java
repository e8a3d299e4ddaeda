package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads queue files as raw bytes, without Chronicle's reader, to learn whether any decodable record lies beyond the
 * point where a replay had to stop. Chronicle stops at a damaged header (zeroed, marked incomplete, or of an absurd
 * length) as if the queue ended there; this scan is what tells a torn tail from a hole with records after it.
 * A candidate is a 4-byte header whose length fits a record, followed by a payload whose first byte and checksum
 * hold ({@link Shape}): a false match is a 2^-32 chance on bytes that already look like a record. Used for the
 * journal and for the decision log.
 */
final class JournalScan
{
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int CHUNK = 1 << 20;

    /** A record found by the scan: its header's offset in the file, and its sequence. */
    record Found(Path file, long offset, long sequence)
    {
    }

    /** What a record of one queue looks like, so the scan can recognise one among raw bytes. */
    interface Shape
    {
        /** The journal's commands. */
        Shape COMMANDS = new Shape()
        {
            @Override
            public boolean plausible(final int length, final byte first)
            {
                return length >= CommandCodec.MIN_RECORD_BYTES && length <= CommandCodec.MAX_RECORD_BYTES &&
                    CommandCodec.readable(first);
            }

            @Override
            public long sequenceOf(final Bytes<?> record)
            {
                return CommandCodec.decode(record, new Command()).sequence;
            }
        };

        /**
         * @param length the header's length.
         * @param first the payload's first byte.
         * @return true when a record could start here.
         */
        boolean plausible(int length, byte first);

        /**
         * @param record the candidate's payload.
         * @return its sequence.
         * @throws RuntimeException when it does not decode (its checksum fails).
         */
        long sequenceOf(Bytes<?> record);
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
        return firstRecordAfter(file, after, Shape.COMMANDS);
    }

    /**
     * @param file a queue file.
     * @param after only headers at offsets greater than this count (-1: the whole file).
     * @param shape what a record looks like.
     * @return the first decodable record beyond {@code after}, or null.
     */
    static Found firstRecordAfter(final Path file, final long after, final Shape shape)
    {
        final Bytes<?> candidate = Bytes.allocateElasticDirect(256);
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
                    if (shape.plausible(length, chunk.get(i + 4)) && base + i + 4 + length <= size)
                    {
                        final long sequence = decodes(channel, base + i + 4, length, candidate, shape);
                        if (sequence != Long.MIN_VALUE)
                        {
                            return new Found(file, base + i, sequence);
                        }
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

    /**
     * @param directory a queue directory.
     * @param lastFile the file of the last document read (null: none was read).
     * @param lastEnd where that document ended.
     * @param shape what a record looks like.
     * @return the first decodable record after {@code lastEnd} in {@code lastFile}, or in any later file; or null.
     */
    static Found firstRecordBeyond(final Path directory, final Path lastFile, final long lastEnd, final Shape shape)
    {
        for (final Path file : queueFiles(directory))
        {
            // Files before the last one read are behind; in that one, only what lies past its end counts.
            final int order = lastFile == null ? 1 : file.getFileName().toString().compareTo(lastFile.getFileName().toString());
            final Found found = order < 0 ? null : firstRecordAfter(file, order == 0 ? lastEnd - 1 : -1, shape);
            if (found != null)
            {
                return found;
            }
        }
        return null;
    }

    /** A queue's files in cycle order (their names sort by time within one roll). */
    private static List<Path> queueFiles(final Path directory)
    {
        try (Stream<Path> all = Files.list(directory))
        {
            return all.filter(p -> p.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX)).sorted().toList();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot list queue files in " + directory, e);
        }
    }

    /**
     * @param bytes a document's bytes as Chronicle's reader presents them.
     * @return the file they are mapped from, or null.
     */
    static Path fileOf(final Bytes<?> bytes)
    {
        return bytes instanceof MappedBytes mapped ? mapped.mappedFile().file().toPath() : null;
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK);

    /** The first non-zero byte in [from, to), or -1. */
    private static int nextNonZero(final ByteBuffer chunk, final int from, final int to)
    {
        final int at = chunk.slice(from, to - from).mismatch(ZEROS.slice(0, to - from));
        return at < 0 ? -1 : from + at;
    }

    /** The candidate's sequence, or Long.MIN_VALUE when it does not decode. */
    private static long decodes(final FileChannel channel, final long offset, final int length, final Bytes<?> into,
        final Shape shape) throws IOException
    {
        final ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, offset);
        into.clear();
        into.write(payload.array(), 0, payload.position());
        try
        {
            return shape.sequenceOf(into);
        }
        catch (final RuntimeException e)
        {
            return Long.MIN_VALUE;
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
