package dev.triage.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of a workload against one target measured; serialised as is into report.json.
 */
final class RunResult
{
    /** Latency of one RPC kind, in milliseconds; open-loop opens are timed from their intended send time. */
    static final class Latency
    {
        long count;
        double perSecond;
        double p50;
        double p90;
        double p99;
        double p999;
        double max;
        /** Percentile distribution for the chart: {percentile, ms}. */
        List<double[]> distribution = new ArrayList<>();
    }

    /** One second of the run. */
    static final class Second
    {
        double t;
        long opens;
        long claims;
        double openP99;
        double nextBestP50;
        double nextBestP99;
        long depth;
        long oldestWaitMs;
    }

    String target;
    String durability;
    String profile;
    long seed;
    int agents;
    double seconds;
    double[] spikeWindow;
    Map<String, Latency> rpc = new LinkedHashMap<>();
    /** Time from the intended open to the first assignment, by urgency name. */
    Map<String, Latency> timeToAssignment = new LinkedHashMap<>();
    Map<String, Long> errors = new LinkedHashMap<>();
    List<Second> timeline = new ArrayList<>();
    /** Throughput runs: opens/s and claims/s over their own phases. */
    double opensPerSecond;
    double claimsPerSecond;
    /** NextBest p99 during the spike window and outside it (spike runs). */
    double nextBestP99Spike;
    double nextBestP99Steady;
    /** Server resident memory after the run, bytes (Triage with --server-pid), and open conversations then. */
    long serverRssBytes;
    long openAtEnd;
}
