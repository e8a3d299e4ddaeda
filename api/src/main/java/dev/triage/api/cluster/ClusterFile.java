package dev.triage.api.cluster;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster's description, read from a file such as {@code docs/cluster-3-loopback.conf}: one line per member
 * ({@code node.N = HOST GRPC_PORT METRICS_PORT AERON_PORT_BASE}) and the consensus timeouts. Every node of a cluster
 * reads the same file. A mistake is refused with the key and what is wrong with it.
 */
public record ClusterFile(List<Member> members, long heartbeatIntervalNs, long heartbeatTimeoutNs, long electionTimeoutNs,
    long commitTimeoutMs, Idle idle, long idleMaxParkNs)
{
    /** Aeron's ports of a member, from its base: client ingress, consensus, log, catch-up, archive control. */
    public static final int AERON_PORTS = 5;

    /** How the cluster's Aeron threads wait for work. */
    public enum Idle
    {
        /** Spin briefly, then park, longer and longer up to idle-max-park: for a host the nodes share (the default). */
        BACKOFF,
        /** Busy-spin: lowest latency, for hosts with a core per Aeron thread. */
        SPIN
    }

    /**
     * One member.
     *
     * @param id its id, 0..n-1.
     * @param host where its gRPC, metrics and Aeron ports listen.
     * @param grpcPort its gRPC port.
     * @param metricsPort its metrics and console port, -1 for none.
     * @param aeronPortBase the first of its {@link #AERON_PORTS} Aeron ports.
     */
    public record Member(int id, String host, int grpcPort, int metricsPort, int aeronPortBase)
    {
        /**
         * @param offset 0 ingress, 1 consensus, 2 log, 3 catch-up, 4 archive control.
         * @return {@code host:port}.
         */
        public String endpoint(final int offset)
        {
            return host + ":" + (aeronPortBase + offset);
        }
    }

    private static final Pattern MEMBER = Pattern.compile("(\\S+)\\s+(\\d+)\\s+(-?\\d+)\\s+(\\d+)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(us|ms|s)");

    /**
     * @param file the file.
     * @return what it says.
     * @throws IOException if it cannot be read.
     * @throws IllegalArgumentException naming the key that is wrong.
     */
    public static ClusterFile read(final Path file) throws IOException
    {
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            p.load(in);
        }
        final List<Member> members = new ArrayList<>();
        for (int id = 0; p.containsKey("node." + id); id++)
        {
            final String value = p.getProperty("node." + id).trim();
            final Matcher m = MEMBER.matcher(value);
            if (!m.matches())
            {
                throw new IllegalArgumentException(file + ": node." + id + " = '" + value +
                    "' is not 'HOST GRPC_PORT METRICS_PORT AERON_PORT_BASE'");
            }
            members.add(new Member(id, m.group(1), port(file, id, "gRPC", m.group(2)),
                m.group(3).equals("-1") ? -1 : port(file, id, "metrics", m.group(3)),
                port(file, id, "Aeron base", m.group(4))));
        }
        for (final String key : p.stringPropertyNames())
        {
            if (key.startsWith("node.") && members.stream().noneMatch(mb -> key.equals("node." + mb.id())))
            {
                throw new IllegalArgumentException(file + ": " + key + " does not follow node.0.." + (members.size() - 1) +
                    " (members are numbered from 0 without gaps)");
            }
        }
        if (members.size() != 3 && members.size() != 5)
        {
            throw new IllegalArgumentException(file + ": " + members.size() + " members (node.N lines); a cluster has 3 or 5, " +
                "so that a majority survives the loss of one or two");
        }
        final ClusterFile read = new ClusterFile(members,
            TimeUnit.MICROSECONDS.toNanos(duration(file, p, "leader-heartbeat-interval", "100ms")),
            TimeUnit.MICROSECONDS.toNanos(duration(file, p, "leader-heartbeat-timeout", "1500ms")),
            TimeUnit.MICROSECONDS.toNanos(duration(file, p, "election-timeout", "500ms")),
            duration(file, p, "commit-timeout", "5s") / 1000,
            idle(file, p.getProperty("idle", "backoff").trim()),
            TimeUnit.MICROSECONDS.toNanos(duration(file, p, "idle-max-park", "1ms")));
        if (read.heartbeatTimeoutNs < 5 * read.heartbeatIntervalNs)
        {
            throw new IllegalArgumentException(file + ": leader-heartbeat-timeout must be at least 5 heartbeat intervals, " +
                "or one late heartbeat starts an election");
        }
        for (final Member a : members)
        {
            for (final Member b : members)
            {
                if (a.id() < b.id() && a.host().equals(b.host()) && (a.grpcPort() == b.grpcPort() ||
                    Math.abs(a.aeronPortBase() - b.aeronPortBase()) < AERON_PORTS ||
                    (a.metricsPort() >= 0 && a.metricsPort() == b.metricsPort())))
                {
                    throw new IllegalArgumentException(file + ": node." + a.id() + " and node." + b.id() +
                        " share a port on " + a.host() + " (Aeron uses " + AERON_PORTS + " ports from each base)");
                }
            }
        }
        return read;
    }

    /**
     * @param id a member id.
     * @return that member.
     * @throws IllegalArgumentException if there is none.
     */
    public Member member(final int id)
    {
        if (id < 0 || id >= members.size())
        {
            throw new IllegalArgumentException("--node " + id + " is not a member: the file lists node.0..node." +
                (members.size() - 1));
        }
        return members.get(id);
    }

    /**
     * @return Aeron's member list: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    String aeronMembers()
    {
        final StringBuilder out = new StringBuilder();
        for (final Member m : members)
        {
            out.append(m.id()).append(',').append(m.endpoint(0)).append(',').append(m.endpoint(1)).append(',')
                .append(m.endpoint(2)).append(',').append(m.endpoint(3)).append(',').append(m.endpoint(4)).append('|');
        }
        return out.substring(0, out.length() - 1);
    }

    /**
     * @return the clients' view: {@code id=host:ingressPort,...}.
     */
    String ingressEndpoints()
    {
        final StringBuilder out = new StringBuilder();
        for (final Member m : members)
        {
            out.append(m.id()).append('=').append(m.endpoint(0)).append(',');
        }
        return out.substring(0, out.length() - 1);
    }

    private static int port(final Path file, final int id, final String what, final String value)
    {
        final int port = Integer.parseInt(value);
        if (port < 1 || port > 65535 - AERON_PORTS)
        {
            throw new IllegalArgumentException(file + ": node." + id + ": " + what + " port " + value + " is outside 1.." +
                (65535 - AERON_PORTS));
        }
        return port;
    }

    private static long duration(final Path file, final Properties p, final String key, final String fallback)
    {
        final String value = p.getProperty(key, fallback).trim();
        final Matcher m = DURATION.matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0)
        {
            throw new IllegalArgumentException(file + ": " + key + " = '" + value + "' is not a duration like 250us, 500ms or 5s");
        }
        final long n = Long.parseLong(m.group(1));
        // In microseconds.
        return m.group(2).equals("s") ? n * 1_000_000 : m.group(2).equals("ms") ? n * 1_000 : n;
    }

    private static Idle idle(final Path file, final String value)
    {
        for (final Idle idle : Idle.values())
        {
            if (idle.name().equalsIgnoreCase(value))
            {
                return idle;
            }
        }
        throw new IllegalArgumentException(file + ": idle = '" + value + "' is not backoff or spin");
    }
}
