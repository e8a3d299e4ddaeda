package dev.triage.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Bearer tokens from a file, stored only as SHA-256 hashes. One token a line:
 * {@code sha256:<hex> <role> [<agent-id>] [# label]}; blank lines and lines starting with {@code #} are skipped.
 * Lookup compares every entry in constant time, so timing tells nothing about which hash was near.
 */
public final class TokenStore
{
    private record Entry(byte[] hash, Principal principal)
    {
    }

    private final List<Entry> entries;

    private TokenStore(final List<Entry> entries)
    {
        this.entries = entries;
    }

    /**
     * @param file the token file.
     * @return the store.
     * @throws IOException if unreadable.
     * @throws IllegalArgumentException naming the line that is malformed.
     */
    public static TokenStore load(final Path file) throws IOException
    {
        final List<Entry> entries = new ArrayList<>();
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++)
        {
            String line = lines.get(i).strip();
            String label = "line " + (i + 1);
            final int comment = line.indexOf('#');
            if (comment >= 0)
            {
                if (comment > 0)
                {
                    label = line.substring(comment + 1).strip();
                }
                line = line.substring(0, comment).strip();
            }
            if (line.isEmpty())
            {
                continue;
            }
            final String[] parts = line.split("\\s+");
            final String where = file + ":" + (i + 1) + ": ";
            if (parts.length < 2 || !parts[0].startsWith("sha256:") || parts[0].length() != 7 + 64)
            {
                throw new IllegalArgumentException(where + "expected 'sha256:<64 hex digits> <role> [agent-id]'");
            }
            final Role role;
            try
            {
                role = Role.valueOf(parts[1].toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException(where + "unknown role '" + parts[1] + "' (ingest, agent, supervisor, admin)");
            }
            if ((role == Role.AGENT) != (parts.length == 3) || parts.length > 3)
            {
                throw new IllegalArgumentException(where + "an agent token names exactly one agent id; other roles none");
            }
            entries.add(new Entry(HexFormat.of().parseHex(parts[0].substring(7)), new Principal(label, role, role == Role.AGENT ? parts[2] : null)));
        }
        return new TokenStore(List.copyOf(entries));
    }

    /**
     * @param token a presented bearer token.
     * @return its principal, or null if unknown.
     */
    public Principal authenticate(final String token)
    {
        final byte[] hash = sha256(token);
        Principal found = null;
        for (final Entry entry : entries)
        {
            if (MessageDigest.isEqual(entry.hash, hash) && found == null)
            {
                found = entry.principal;
            }
        }
        return found;
    }

    public int size()
    {
        return entries.size();
    }

    /**
     * @param token a token.
     * @return the line prefix for a token file: {@code sha256:<hex>}.
     */
    public static String hashLine(final String token)
    {
        return "sha256:" + HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(final String token)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
