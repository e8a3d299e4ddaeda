package dev.triage.engine.journal;

/**
 * A journal that this version cannot read or will not start on: a record corrupt, truncated or written by a newer
 * version, a gap between records, or a tail shorter than what was journaled.
 */
public class JournalFormatException extends RuntimeException
{
    /**
     * @param message what is wrong.
     */
    public JournalFormatException(final String message)
    {
        super(message);
    }
}
