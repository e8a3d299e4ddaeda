package dev.triage.engine.journal;

/**
 * A journal record that this version cannot read: corrupt, truncated, or written by a newer version.
 */
public final class JournalFormatException extends RuntimeException
{
    /**
     * @param message what is wrong.
     */
    public JournalFormatException(final String message)
    {
        super(message);
    }
}
