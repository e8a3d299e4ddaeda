package dev.triage.api.cli;

import picocli.CommandLine.ITypeConverter;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 250ms}, {@code 5s}, {@code 30m}, {@code 2h}, {@code 1d}; a bare number is ms.
 */
final class Durations implements ITypeConverter<Long>
{
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    @Override
    public Long convert(final String value)
    {
        return parse(value);
    }

    static long parse(final String value)
    {
        final Matcher m = FORM.matcher(value.trim());
        if (!m.matches())
        {
            throw new IllegalArgumentException("'" + value + "' is not a duration (e.g. 250ms, 5s, 30m, 2h, 1d)");
        }
        final long n = Long.parseLong(m.group(1));
        final String unit = m.group(2) == null ? "ms" : m.group(2);
        switch (unit)
        {
            case "s": return n * 1_000;
            case "m": return n * 60_000;
            case "h": return n * 3_600_000;
            case "d": return n * 86_400_000;
            default: return n;
        }
    }
}
