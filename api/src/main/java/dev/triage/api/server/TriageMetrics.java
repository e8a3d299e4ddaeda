package dev.triage.api.server;

import dev.triage.engine.Engine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import dev.triage.api.console.ConsoleHandler;
import dev.triage.api.console.HttpCall;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Prometheus metrics on their own HTTP port (which also serves the console at {@code /}): queue depth by urgency, assigned and pending, SLA at risk and
 * breached, agents waiting, assignments, ring capacity left, journal sequence (one STATS through the ring per
 * scrape, so the figures are one consistent view), time waited before assignment, and RPC latency by method.
 */
public final class TriageMetrics implements AutoCloseable, ServerInterceptor
{
    private static final long SAMPLE_TTL_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Engine engine;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram rpcLatency;
    private final Histogram waitBeforeAssignment;
    private final HttpPort http;
    private final PrometheusScrapeHandler scrape;
    private Reply sample;
    private long sampledAtNs;

    /**
     * @param engine the engine to observe.
     * @param bind address to listen on.
     * @param port port; 0 picks a free one.
     * @param admission the server's admission control of unary calls.
     * @param console what answers every path but {@code /metrics} and {@code /-/healthy} (the supervisors' console).
     * @param checkHost true (without tokens) to answer only requests addressed to this server's own names.
     * @throws IOException if the port cannot be bound.
     */
    public TriageMetrics(final Engine engine, final InetAddress bind, final int port,
        final dev.triage.api.service.Admission admission, final ConsoleHandler console, final boolean checkHost) throws IOException
    {
        this.engine = engine;
        rpcLatency = Histogram.builder()
            .name("triage_rpc_duration_seconds")
            .help("gRPC call latency by method and status code")
            .labelNames("method", "code")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300)
            .register(registry);
        waitBeforeAssignment = Histogram.builder()
            .name("triage_wait_before_assignment_seconds")
            .help("How long customers had waited when their conversation was assigned")
            .classicOnly()
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400)
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_open_conversations")
            .help("Conversations waiting in the queue, by urgency")
            .labelNames("urgency")
            .callback(cb ->
            {
                final Reply s = sample();
                if (s != null)
                {
                    for (int u = 0; u < Urgency.count(); u++)
                    {
                        cb.call(s.openByUrgency[u], Urgency.ofLevel(u).name().toLowerCase(Locale.ROOT));
                    }
                }
            })
            .register(registry);
        gauge("triage_assigned_conversations", "Conversations held by agents", r -> r.assigned);
        gauge("triage_pending_conversations", "Conversations waiting on the customer", r -> r.pending);
        gauge("triage_sla_at_risk_conversations", "Open conversations within the SLA at-risk window", r -> r.slaAtRisk);
        gauge("triage_sla_breached_conversations", "Open conversations past their SLA deadline", r -> r.slaBreached);
        gauge("triage_agents", "Known agents", r -> r.agents);
        gauge("triage_waiting_agents", "Agents waiting in a long-poll NextBest", r -> r.parkedAgents);
        gauge("triage_available_agents", "Agents who could take work now: AVAILABLE and below their capacity", r -> r.availableAgents);
        GaugeWithCallback.builder()
            .name("triage_oldest_wait_seconds")
            .help("How long the longest-waiting open conversation has waited")
            .callback(cb ->
            {
                final Reply s = sample();
                if (s != null)
                {
                    cb.call(s.oldestWaitMs / 1000.0);
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_oldest_wait_by_urgency_seconds")
            .help("How long the longest-waiting open conversation of each urgency has waited (0 when none is open)")
            .labelNames("urgency")
            .callback(cb ->
            {
                final Reply s = sample();
                if (s != null)
                {
                    for (int u = 0; u < Urgency.count(); u++)
                    {
                        cb.call(s.oldestWaitByUrgencyMs[u] / 1000.0, Urgency.ofLevel(u).name().toLowerCase(Locale.ROOT));
                    }
                }
            })
            .register(registry);
        gauge("triage_journal_sequence", "Sequence of the latest command through the ring", r -> r.sequence);
        CounterWithCallback.builder()
            .name("triage_assignments")
            .help("Conversations assigned since the journal began")
            .callback(cb ->
            {
                final Reply s = sample();
                if (s != null)
                {
                    cb.call(s.assignmentsTotal);
                }
            })
            .register(registry);
        if (engine.journalSpace() != null)
        {
            GaugeWithCallback.builder()
                .name("triage_journal_free_bytes")
                .help("Usable bytes on the journal's disk; below triage_journal_reserve_bytes changes are refused")
                .callback(cb -> cb.call(engine.journalSpace().freeBytes()))
                .register(registry);
            GaugeWithCallback.builder()
                .name("triage_journal_reserve_bytes")
                .help("Free space the journal keeps in reserve for calls in flight")
                .callback(cb -> cb.call(engine.journalSpace().reserveBytes()))
                .register(registry);
        }
        GaugeWithCallback.builder()
            .name("triage_journal_loss_accepted_sequences")
            .help("Sequences the journal lacked at this start and the operator accepted losing (--accept-journal-loss); 0 " +
                "when it reached everything its watermark, decision log and snapshots said")
            .callback(cb -> cb.call(engine.acceptedLoss() == null ? 0 : engine.acceptedLoss().sequences()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_ring_size")
            .help("Slots in the command ring")
            .callback(cb -> cb.call(engine.context().ringSize()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_engine_halted")
            .help("1 once a fatal error halted the engine (it answers UNAVAILABLE until restarted), else 0")
            .callback(cb -> cb.call(engine.isHalted() ? 1 : 0))
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_ring_remaining_capacity")
            .help("Free slots in the command ring; 0 means callers get RESOURCE_EXHAUSTED")
            .callback(cb -> cb.call(engine.remainingCapacity()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_calls_waiting")
            .help("Unary calls waiting on the engine; writes are refused with RESOURCE_EXHAUSTED from half of " +
                "triage_calls_waiting_limit, every call from all of it")
            .callback(cb -> cb.call(admission.waiting()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("triage_calls_waiting_limit")
            .help("The bound on unary calls waiting on the engine (--max-calls-in-flight)")
            .callback(cb -> cb.call(admission.limit()))
            .register(registry);
        if (engine.replication() != null)
        {
            clusterGauge("triage_cluster_leader", "1 on the cluster's leader, else 0", r -> "LEADER".equals(r.role()) ? 1 : 0);
            clusterGauge("triage_cluster_leader_id", "The leader's node id as this node knows it; -1 while there is none " +
                "(writes are refused)", dev.triage.engine.Replication::leaderId);
            clusterGauge("triage_cluster_commit_position", "Log position a majority holds", dev.triage.engine.Replication::commitPosition);
            clusterGauge("triage_cluster_snapshots", "Cluster snapshots this node has completed since it started",
                dev.triage.engine.Replication::snapshots);
            clusterGauge("triage_cluster_lag_bytes", "Committed log this node's replica has not applied yet",
                r -> Math.max(0, r.commitPosition() - r.appliedPosition()));
        }
        scrape = new PrometheusScrapeHandler(registry);
        http = new HttpPort(bind, port, checkHost, java.util.Set.of("/-/healthy"), call ->
        {
            switch (call.path())
            {
                case "/metrics" -> scrape.handleRequest(new Scrape(call));
                case "/-/healthy" -> call.respond(200, "text/plain; charset=utf-8", HEALTHY);
                default -> console.handle(call);
            }
        });
    }

    private void clusterGauge(final String name, final String help, final ToLongFunction<dev.triage.engine.Replication> value)
    {
        GaugeWithCallback.builder()
            .name(name)
            .help(help)
            .callback(cb -> cb.call(value.applyAsLong(engine.replication())))
            .register(registry);
    }

    private void gauge(final String name, final String help, final ToLongFunction<Reply> value)
    {
        GaugeWithCallback.builder().name(name).help(help).callback(cb ->
        {
            final Reply s = sample();
            if (s != null)
            {
                cb.call(value.applyAsLong(s));
            }
        }).register(registry);
    }

    /**
     * One STATS through the ring per scrape (cached briefly, as every gauge of a scrape asks).
     */
    private synchronized Reply sample()
    {
        if (sample == null || System.nanoTime() - sampledAtNs > SAMPLE_TTL_NS)
        {
            try
            {
                final Reply r = engine.submit(Command.of(CommandType.STATS)).get(1, TimeUnit.SECONDS);
                sample = r.result == ResultCode.OK ? r : null;
            }
            catch (final Exception e)
            {
                sample = null;
            }
            sampledAtNs = System.nanoTime();
        }
        return sample;
    }

    /**
     * @param waitedMs how long the assigned conversation had waited.
     */
    public void onAssigned(final long waitedMs)
    {
        waitBeforeAssignment.observe(waitedMs / 1000.0);
    }

    public int port()
    {
        return http.port();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        final long startNs = System.nanoTime();
        final String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call)
        {
            @Override
            public void close(final Status status, final Metadata trailers)
            {
                rpcLatency.labelValues(method, status.getCode().name()).observe((System.nanoTime() - startNs) / 1e9);
                super.close(status, trailers);
            }
        }, headers);
    }

    @Override
    public void close()
    {
        http.close();
    }

    private static final byte[] HEALTHY = "Exporter is healthy.\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** The Prometheus library's own scrape handler (format negotiation, compression, name filters) on this port's call. */
    private static final class Scrape implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse
    {
        private final HttpCall call;
        private String contentType;

        Scrape(final HttpCall call)
        {
            this.call = call;
        }

        @Override
        public PrometheusHttpRequest getRequest()
        {
            return this;
        }

        @Override
        public PrometheusHttpResponse getResponse()
        {
            return this;
        }

        @Override
        public String getQueryString()
        {
            return call.rawQuery();
        }

        @Override
        public java.util.Enumeration<String> getHeaders(final String name)
        {
            return java.util.Collections.enumeration(call.headers(name));
        }

        @Override
        public String getMethod()
        {
            return call.method();
        }

        @Override
        public String getRequestPath()
        {
            return call.path();
        }

        @Override
        public void setHeader(final String name, final String value)
        {
            if ("Content-Type".equalsIgnoreCase(name))
            {
                contentType = value;
            }
            else
            {
                call.responseHeader(name, value);
            }
        }

        @Override
        public java.io.OutputStream sendHeadersAndGetBody(final int status, final int contentLength)
        {
            return new java.io.ByteArrayOutputStream(Math.max(256, contentLength))
            {
                @Override
                public void close()
                {
                    call.respond(status, contentType, toByteArray());
                }
            };
        }

        @Override
        public void handleException(final IOException e) throws IOException
        {
            throw e;
        }

        @Override
        public void handleException(final RuntimeException e)
        {
            throw e;
        }

        @Override
        public void close()
        {
        }
    }
}
