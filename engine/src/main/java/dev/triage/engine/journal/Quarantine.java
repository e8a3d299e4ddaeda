package dev.triage.engine.journal;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/**
 * Journal records that cannot be read and were the journal's last when found: listed in
 * {@code quarantine.properties} (index in hex -> when and why), and skipped by every replay from then on, so recovery
 * and audit agree that they never happened. Only ever grows; written when a recovery quarantines a tail record.
 */
final class Quarantine
{
    static final String FILE = "quarantine.properties";

    private final Path file;
    private final Properties entries = new Properties();

    private Quarantine(final Path file)
    {
        this.file = file;
    }

    static Quarantine load(final Path directory)
    {
        final Quarantine q = new Quarantine(directory.resolve(FILE));
        if (Files.exists(q.file))
        {
            try (Reader in = Files.newBufferedReader(q.file, StandardCharsets.UTF_8))
            {
                q.entries.load(in);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot read " + q.file, e);
            }
        }
        return q;
    }

    boolean contains(final long index)
    {
        return !entries.isEmpty() && entries.containsKey(Long.toHexString(index));
    }

    void add(final long index, final String reason)
    {
        entries.setProperty(Long.toHexString(index), Instant.now() + " " + reason);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            entries.store(out, "Unreadable journal records (Chronicle index in hex) skipped by every replay");
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot record the quarantine in " + file, e);
        }
    }
}
