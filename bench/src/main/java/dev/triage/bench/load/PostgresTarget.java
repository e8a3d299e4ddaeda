package dev.triage.bench.load;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The PostgreSQL peer: one table, a partial index over the open rows by (skill, priority), and next-best as a single
 * statement claiming a row with {@code FOR UPDATE SKIP LOCKED}: either the plain form ({@code skill = ANY(...)}
 * ordered by priority) or the LATERAL form (the head of each eligible skill's index range, then the best of those).
 */
final class PostgresTarget implements Target
{
    private static final String PLAIN = """
        UPDATE conv SET state = 1, agent = ? WHERE id = (
          SELECT id FROM conv WHERE state = 0 AND skill = ANY(?) ORDER BY prio LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id""";
    private static final String LATERAL = """
        WITH pick AS (
          SELECT h.id FROM unnest(?::text[]) s(skill) CROSS JOIN LATERAL (
            SELECT c.id, c.prio FROM conv c WHERE c.state = 0 AND c.skill = s.skill ORDER BY c.prio LIMIT 1
            FOR UPDATE SKIP LOCKED) h
          ORDER BY h.prio LIMIT 1)
        UPDATE conv c SET state = 1, agent = ? FROM pick WHERE c.id = pick.id RETURNING c.id""";

    private final String url;
    private final boolean lateral;
    private final String durability;

    PostgresTarget(final String url, final boolean lateral) throws SQLException
    {
        this.url = url;
        this.lateral = lateral;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement())
        {
            durability = "synchronous_commit=" + show(s, "synchronous_commit") + " fsync=" + show(s, "fsync");
        }
    }

    private static String show(final Statement s, final String setting) throws SQLException
    {
        try (ResultSet rs = s.executeQuery("SHOW " + setting))
        {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public String name()
    {
        return lateral ? "postgres-lateral" : "postgres";
    }

    @Override
    public String durability()
    {
        return durability;
    }

    @Override
    public void reset(final List<Agent> agents) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement())
        {
            s.execute("DROP TABLE IF EXISTS conv");
            s.execute("CREATE TABLE conv (id text PRIMARY KEY, skill text NOT NULL, prio double precision NOT NULL, " +
                "state smallint NOT NULL DEFAULT 0, agent text, opened_at bigint NOT NULL)");
            s.execute("CREATE INDEX conv_open ON conv (skill, prio) WHERE state = 0");
        }
    }

    @Override
    public Session session() throws SQLException
    {
        return new PostgresSession(DriverManager.getConnection(url));
    }

    @Override
    public void close()
    {
    }

    private final class PostgresSession implements Session
    {
        private final Connection connection;
        private final PreparedStatement open;
        private final PreparedStatement next;
        private final PreparedStatement resolve;
        private final PreparedStatement release;
        private final PreparedStatement depth;

        PostgresSession(final Connection connection) throws SQLException
        {
            this.connection = connection;
            connection.setAutoCommit(true);
            open = connection.prepareStatement(
                "INSERT INTO conv (id, skill, prio, opened_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
            next = connection.prepareStatement(lateral ? LATERAL : PLAIN);
            resolve = connection.prepareStatement("DELETE FROM conv WHERE id = ? AND state = 1");
            release = connection.prepareStatement("UPDATE conv SET state = 0, agent = NULL WHERE id = ? AND state = 1");
            depth = connection.prepareStatement(
                "SELECT count(*), coalesce((extract(epoch from now()) * 1000)::bigint - min(opened_at), 0) FROM conv WHERE state = 0");
        }

        @Override
        public void open(final Conversation c, final long openedAtMs) throws SQLException
        {
            open.setString(1, c.id());
            open.setString(2, c.skill());
            open.setDouble(3, Priority.key(c.urgency(), c.impact(), openedAtMs));
            open.setLong(4, openedAtMs);
            if (open.executeUpdate() == 0)
            {
                throw new IllegalStateException("ALREADY_EXISTS");
            }
        }

        @Override
        public String nextBest(final Agent agent, final int waitMs) throws SQLException
        {
            final Array skills = connection.createArrayOf("text", agent.skills().toArray());
            if (lateral)
            {
                next.setArray(1, skills);
                next.setString(2, agent.id());
            }
            else
            {
                next.setString(1, agent.id());
                next.setArray(2, skills);
            }
            try (ResultSet rs = next.executeQuery())
            {
                return rs.next() ? rs.getString(1) : null;
            }
        }

        @Override
        public void resolve(final Agent agent, final String id) throws SQLException
        {
            resolve.setString(1, id);
            resolve.executeUpdate();
        }

        @Override
        public void release(final Agent agent, final String id) throws SQLException
        {
            release.setString(1, id);
            release.executeUpdate();
        }

        @Override
        public long[] depthAndOldestWait() throws SQLException
        {
            try (ResultSet rs = depth.executeQuery())
            {
                rs.next();
                return new long[] { rs.getLong(1), rs.getLong(2) };
            }
        }

        @Override
        public void close()
        {
            try
            {
                connection.close();
            }
            catch (final SQLException ignored)
            {
                // closing after the run: nothing left to lose
            }
        }
    }
}
