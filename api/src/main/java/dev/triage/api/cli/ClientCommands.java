package dev.triage.api.cli;

import com.google.protobuf.TextFormat;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.AgentStatus;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.ConversationReply;
import dev.triage.proto.v1.CustomerRepliedRequest;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.Policy;
import dev.triage.proto.v1.PolicyReply;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.SetPolicyRequest;
import dev.triage.proto.v1.Skills;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.TopEntry;
import dev.triage.proto.v1.TopReply;
import dev.triage.proto.v1.TopRequest;
import dev.triage.api.client.TriageClient;
import dev.triage.proto.v1.UpdateRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The client subcommands of {@code triage}, one class each.
 */
final class ClientCommands
{
    private ClientCommands()
    {
    }

    static Urgency urgency(final String value)
    {
        try
        {
            return Urgency.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("urgency must be low, normal, high, urgent or critical, was '" + value + "'");
        }
    }

    static String state(final ConversationReply reply)
    {
        return reply.getId() + " is " + reply.getState();
    }

    @Command(name = "open", description = "Open a conversation.")
    static final class Open extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the conversation's id") String id;
        @Option(names = "--urgency", required = true, description = "low, normal, high, urgent, critical") String urgency;
        @Option(names = "--impact", defaultValue = "1", description = "customers affected (default: 1)") int impact;
        @Option(names = "--skills", split = ",", description = "required skills, comma-separated") List<String> skills = List.of();
        @Option(names = "--preferred", split = ",", description = "preferred skills, comma-separated") List<String> preferred = List.of();
        @Option(names = "--incident", description = "incident key") String incident;
        @Option(names = "--respond-by", converter = Durations.class, description = "SLA from now, e.g. 30m") Long respondBy;
        @Option(names = "--waiting-for", converter = Durations.class, description = "how long the customer has already waited, e.g. 10m") Long waitingFor;

        @Override
        void run(final TriageClient triage)
        {
            final long now = System.currentTimeMillis();
            final OpenRequest.Builder b = OpenRequest.newBuilder().setId(id).setUrgency(urgency(urgency)).setImpact(impact)
                .addAllSkills(skills).addAllPreferredSkills(preferred);
            if (incident != null)
            {
                b.setIncident(incident);
            }
            if (respondBy != null)
            {
                b.setRespondByMs(now + respondBy);
            }
            if (waitingFor != null)
            {
                b.setWaitingSinceMs(now - waitingFor);
            }
            out.println("opened " + state(await(triage.open(b.build()))));
        }
    }

    @Command(name = "update", description = "Change a conversation's urgency, impact, skills, incident or SLA.")
    static final class Update extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the conversation's id") String id;
        @Option(names = "--urgency", description = "new urgency: low, normal, high, urgent, critical") String urgency;
        @Option(names = "--impact", description = "new number of customers affected") Integer impact;
        @Option(names = "--skills", split = ",", description = "replaces required skills") List<String> skills;
        @Option(names = "--preferred", split = ",", description = "replaces preferred skills (with --skills)") List<String> preferred = List.of();
        @Option(names = "--incident", description = "incident key; '' leaves any incident") String incident;
        @Option(names = "--respond-by", converter = Durations.class, description = "SLA from now; 0 clears") Long respondBy;

        @Override
        void run(final TriageClient triage)
        {
            final UpdateRequest.Builder b = UpdateRequest.newBuilder().setId(id);
            if (urgency != null)
            {
                b.setUrgency(urgency(urgency));
            }
            if (impact != null)
            {
                b.setImpact(impact);
            }
            if (skills != null)
            {
                b.setSkills(Skills.newBuilder().addAllRequired(skills).addAllPreferred(preferred));
            }
            if (incident != null)
            {
                b.setIncident(incident);
            }
            if (respondBy != null)
            {
                b.setRespondByMs(respondBy == 0 ? 0 : System.currentTimeMillis() + respondBy);
            }
            out.println("updated " + state(await(triage.update(b.build()))));
        }
    }

    @Command(name = "resolve", description = "Resolve a conversation.")
    static final class Resolve extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the conversation's id") String id;

        @Override
        void run(final TriageClient triage)
        {
            out.println("resolved " + state(await(triage.resolve(ConversationRef.newBuilder().setId(id).build()))));
        }
    }

    @Command(name = "reopen", description = "Reopen a resolved conversation.")
    static final class Reopen extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the conversation's id") String id;

        @Override
        void run(final TriageClient triage)
        {
            out.println("reopened " + state(await(triage.reopen(CustomerRepliedRequest.newBuilder().setId(id).build()))));
        }
    }

    @Command(name = "customer-replied", description = "The customer wrote again: back to the queue.")
    static final class CustomerReplied extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the conversation's id") String id;

        @Override
        void run(final TriageClient triage)
        {
            out.println(state(await(triage.customerReplied(CustomerRepliedRequest.newBuilder().setId(id).build()))));
        }
    }

    @Command(name = "agent-replied", description = "An agent answered: the conversation waits on the customer.")
    static final class AgentReplied extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the conversation's id") String id;

        @Override
        void run(final TriageClient triage)
        {
            out.println(state(await(triage.agentReplied(ConversationRef.newBuilder().setId(id).build()))));
        }
    }

    @Command(name = "agent", description = "Create or update an agent.")
    static final class Agent extends ClientCommand
    {
        @Option(names = "--id", required = true, description = "the agent's id") String id;
        @Option(names = "--skills", split = ",", description = "skills held, comma-separated") List<String> skills = List.of();
        @Option(names = "--capacity", defaultValue = "1", description = "concurrent conversations (default: 1)") int capacity;

        @Override
        void run(final TriageClient triage)
        {
            await(triage.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId(id).addAllSkills(skills).setCapacity(capacity).build()));
            out.println("agent " + id + " skills=" + String.join(",", skills) + " capacity=" + capacity);
        }
    }

    @Command(name = "status", description = "Set an agent's status: available, away or offline.")
    static final class Status extends ClientCommand
    {
        @Option(names = "--agent", required = true, description = "the agent's id") String agent;
        @Parameters(index = "0", description = "available, away or offline") String status;

        @Override
        void run(final TriageClient triage)
        {
            final AgentStatus value = AgentStatus.valueOf(status.toUpperCase(Locale.ROOT));
            await(triage.setAgentStatus(SetAgentStatusRequest.newBuilder().setAgentId(agent).setStatus(value).build()));
            out.println("agent " + agent + " is " + value);
        }
    }

    @Command(name = "next", description = "Take the best conversation for an agent (optionally waiting for one).")
    static final class Next extends ClientCommand
    {
        @Option(names = "--agent", required = true, description = "the agent's id") String agent;
        @Option(names = "--wait", defaultValue = "0", converter = Durations.class, description = "wait up to this long, e.g. 5s") long waitMs;

        @Override
        void run(final TriageClient triage)
        {
            final NextBestReply r = await(triage.nextBest(NextBestRequest.newBuilder().setAgentId(agent).setWaitMs((int)waitMs).build()));
            if (!r.getAssigned())
            {
                out.println("nothing for " + agent + " to take");
                return;
            }
            out.printf(Locale.ROOT, "%s -> %s  score %.1f = urgency %.0f + impact %.0f + age %.1f + sla %.0f%n",
                agent, r.getConversationId(), r.getScore().getTotal(), r.getScore().getUrgency(), r.getScore().getImpact(),
                r.getScore().getAge(), r.getScore().getSla());
            out.printf(Locale.ROOT, "  waited %ds, %d candidates%s; ack before %s%n", r.getWaitedMs() / 1000, r.getCandidates(),
                r.getRunnerUpId().isEmpty() ? "" : String.format(Locale.ROOT, ", runner-up %s (%.1f)", r.getRunnerUpId(), r.getRunnerUpScore()),
                Instant.ofEpochMilli(r.getLeaseDeadlineMs()));
        }
    }

    @Command(name = "ack", description = "Acknowledge an assignment.")
    static final class Ack extends ClientCommand
    {
        @Option(names = "--agent", required = true, description = "the agent's id") String agent;
        @Option(names = "--id", required = true, description = "the conversation's id") String id;

        @Override
        void run(final TriageClient triage)
        {
            await(triage.ack(AgentConversationRequest.newBuilder().setAgentId(agent).setConversationId(id).build()));
            out.println(agent + " acknowledged " + id);
        }
    }

    @Command(name = "release", description = "Give an assignment back to the queue.")
    static final class Release extends ClientCommand
    {
        @Option(names = "--agent", required = true, description = "the agent's id") String agent;
        @Option(names = "--id", required = true, description = "the conversation's id") String id;

        @Override
        void run(final TriageClient triage)
        {
            out.println("released " + state(await(triage.release(AgentConversationRequest.newBuilder().setAgentId(agent).setConversationId(id).build()))));
        }
    }

    @Command(name = "top", description = "The best conversations now, without claiming them.")
    static final class Top extends ClientCommand
    {
        @Option(names = "--n", defaultValue = "10", description = "how many (default: ${DEFAULT-VALUE})") int n;
        @Option(names = "--agent", description = "as this agent would see them") String agent;

        @Override
        void run(final TriageClient triage)
        {
            final TopReply r = await(triage.top(TopRequest.newBuilder().setN(n).setAgentId(agent == null ? "" : agent).build()));
            int rank = 1;
            for (final TopEntry e : r.getEntriesList())
            {
                out.printf(Locale.ROOT, "%3d. %-24s %8.1f  %-8s waited %ds%n", rank++, e.getId(), e.getScore(), e.getUrgency(), e.getWaitedMs() / 1000);
            }
            if (r.getEntriesCount() == 0)
            {
                out.println("the queue is empty");
            }
        }
    }

    @Command(name = "stats", description = "Queue depth, assignments and SLA counts.")
    static final class Stats extends ClientCommand
    {
        @Override
        void run(final TriageClient triage)
        {
            final StatsReply s = await(triage.stats());
            out.printf(Locale.ROOT, "open %d (low %d, normal %d, high %d, urgent %d, critical %d)%n",
                s.getOpen(), s.getOpenLow(), s.getOpenNormal(), s.getOpenHigh(), s.getOpenUrgent(), s.getOpenCritical());
            for (final dev.triage.proto.v1.UrgencyWait w : s.getWaitingByUrgencyList())
            {
                if (w.getWaiting() > 0)
                {
                    out.printf(Locale.ROOT, "  %-8s %d waiting, the oldest %s for %ds%n", w.getUrgency().name().toLowerCase(Locale.ROOT),
                        w.getWaiting(), w.getOldestId(), w.getOldestWaitMs() / 1000);
                }
            }
            out.printf(Locale.ROOT, "oldest wait %ds; assigned %d, pending %d, sla at risk %d, sla breached %d%n",
                s.getOldestWaitMs() / 1000, s.getAssigned(), s.getPending(), s.getSlaAtRisk(), s.getSlaBreached());
            out.printf(Locale.ROOT, "agents %d (%d available, %d waiting), assignments %d (%.2f/s over the last minute), policy v%d%n",
                s.getAgents(), s.getAvailableAgents(), s.getWaitingAgents(), s.getAssignmentsTotal(), s.getAssignmentsLastMinute() / 60.0, s.getPolicyVersion());
            out.printf(Locale.ROOT, "wait before assignment: p50 <= %ds, p90 <= %ds, p99 <= %ds%n",
                s.getWaitP50Ms() / 1000, s.getWaitP90Ms() / 1000, s.getWaitP99Ms() / 1000);
            new java.util.TreeMap<>(s.getOpenBySkillsMap()).forEach((skills, open) ->
                out.printf(Locale.ROOT, "  open needing %s: %d%n", skills.isEmpty() ? "(any agent)" : skills, open));
        }
    }

    @Command(name = "snapshot", description = "Write a snapshot of the state now, so restarts replay only the journal after it.")
    static final class Snapshot extends ClientCommand
    {
        @Override
        void run(final TriageClient triage)
        {
            final dev.triage.proto.v1.SnapshotReply r = await(triage.snapshot());
            if (r.getFile().isEmpty())
            {
                out.printf(Locale.ROOT, "cluster snapshot requested: every member writes one into its archive at the same log " +
                    "position (this node had applied sequence %d)%n", r.getSequence());
                return;
            }
            out.printf(Locale.ROOT, "snapshot %s covers sequence %d (written off the processor: the engine did not pause)%n",
                r.getFile(), r.getSequence());
        }
    }

    @Command(name = "info", description = "Server version, journal position and settings.")
    static final class Info extends ClientCommand
    {
        @Override
        void run(final TriageClient triage)
        {
            final dev.triage.proto.v1.InfoReply i = await(triage.info());
            out.printf(Locale.ROOT, "triage %s, up since %s%n", i.getVersion(), Instant.ofEpochMilli(i.getStartedAtMs()));
            out.printf(Locale.ROOT, "journal %s at sequence %d (%d commands replayed at start)%n",
                i.getJournalDir().isEmpty() ? "off" : i.getJournalDir(), i.getSequence(), i.getRecoveredCommands());
            if (!i.getJournalDir().isEmpty())
            {
                out.printf(Locale.ROOT, "journal disk: %,d MB free, %,d MB reserved%s%n", i.getJournalFreeBytes() >> 20,
                    i.getJournalReserveBytes() >> 20, i.getJournalFreeBytes() < i.getJournalReserveBytes()
                        ? " (FULL: changes are refused until space is freed)" : "");
            }
            if (i.hasCluster())
            {
                final dev.triage.proto.v1.ClusterInfo c = i.getCluster();
                out.printf(Locale.ROOT, "cluster node %d: %s, leader %s; commit position %,d, applied %,d (lag %,d bytes); " +
                    "%d snapshots since start%n",
                    c.getNodeId(), c.getRole(), c.getLeaderId() < 0 ? "none (writes are refused)" : "node " + c.getLeaderId(),
                    c.getCommitPosition(), c.getAppliedPosition(), lag(c), c.getSnapshots());
                members(c, client, out);
                return;
            }
            out.printf(Locale.ROOT, "ring %d slots, wait strategy %s%n", i.getRingSize(), i.getWaitStrategy());
        }
    }

    /**
     * Each member as it reports itself (asked directly, 2 s each, all at once): its role and how far its replica trails
     * the log it knows committed.
     */
    private static void members(final dev.triage.proto.v1.ClusterInfo self, final ClientOptions options, final java.io.PrintStream out)
    {
        final java.util.List<TriageClient> clients = new java.util.ArrayList<>();
        final java.util.List<java.util.concurrent.CompletableFuture<dev.triage.proto.v1.InfoReply>> answers = new java.util.ArrayList<>();
        for (int n = 0; n < self.getMembersCount(); n++)
        {
            if (n == self.getNodeId())
            {
                answers.add(null);
                continue;
            }
            final TriageClient other = options.client(self.getMembers(n), 2_000);
            clients.add(other);
            answers.add(other.info());
        }
        for (int n = 0; n < self.getMembersCount(); n++)
        {
            String state;
            if (n == self.getNodeId())
            {
                state = self.getRole() + ", lag " + String.format(Locale.ROOT, "%,d", lag(self)) + " bytes  (this one)";
            }
            else
            {
                try
                {
                    final dev.triage.proto.v1.ClusterInfo c = answers.get(n).join().getCluster();
                    state = c.getRole() + ", lag " + String.format(Locale.ROOT, "%,d", lag(c)) + " bytes";
                }
                catch (final RuntimeException e)
                {
                    final io.grpc.Status s = io.grpc.Status.fromThrowable(e.getCause() == null ? e : e.getCause());
                    state = "not answering (" + s.getCode() + ")";
                }
            }
            out.printf(Locale.ROOT, "  node %d  gRPC %-21s %s%n", n, self.getMembers(n), state);
        }
        clients.forEach(TriageClient::close);
    }

    private static long lag(final dev.triage.proto.v1.ClusterInfo c)
    {
        return Math.max(0, c.getCommitPosition() - c.getAppliedPosition());
    }

    @Command(name = "watch", description = "Print queue changes as they happen, until interrupted.")
    static final class Watch extends ClientCommand
    {
        @Override
        void run(final TriageClient triage)
        {
            final java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();
            triage.watch(new io.grpc.stub.StreamObserver<>()
            {
                @Override
                public void onNext(final dev.triage.proto.v1.QueueEvent e)
                {
                    out.printf(Locale.ROOT, "%s  #%d  %-12s %s%s%n", Instant.ofEpochMilli(e.getTimeMs()), e.getSequence(), e.getKind(),
                        e.getConversationId(), e.getAgentId().isEmpty() ? "" :
                        (e.getKind() == dev.triage.proto.v1.QueueEvent.Kind.ASSIGNED ?
                            String.format(Locale.ROOT, " -> %s (%.1f)", e.getAgentId(), e.getScore()) : " from " + e.getAgentId()));
                    out.flush();
                }

                @Override
                public void onError(final Throwable t)
                {
                    ended.completeExceptionally(t);
                }

                @Override
                public void onCompleted()
                {
                    ended.complete(null);
                }
            });
            await(ended);
        }
    }

    @Command(name = "incident", description = "Work an incident as one problem: show it, answer every member at once, or "
        + "resolve them all when the fix ships.", subcommands = { IncidentShow.class, IncidentReply.class, IncidentResolve.class })
    static final class IncidentCommand
    {
    }

    @Command(name = "show", description = "An incident as it stands: reach, members waiting, assigned and pending, its leads, "
        + "its oldest waiting member.")
    static final class IncidentShow extends ClientCommand
    {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "INCIDENT", description = "the incident key") String incident;

        @Override
        void run(final TriageClient triage)
        {
            final dev.triage.proto.v1.IncidentInfo i = await(triage.getIncident(incident));
            out.printf(Locale.ROOT, "incident %s: reach %,d customers; %d waiting, %d assigned, %d pending%n", i.getIncident(),
                i.getReach(), i.getWaiting(), i.getAssigned(), i.getPending());
            out.println("  leads (they score with the reach): " + (i.getLeadsCount() == 0 ? "none" : String.join(", ", i.getLeadsList())));
            if (!i.getOldestWaitingId().isEmpty())
            {
                out.printf(Locale.ROOT, "  oldest waiting: %s, %ds%n", i.getOldestWaitingId(), i.getOldestWaitedMs() / 1000);
            }
        }
    }

    @Command(name = "reply", description = "One answer for every member waiting or being worked (a status page, a broadcast): "
        + "they wait on the customer, journaled once, a line each in their audit.")
    static final class IncidentReply extends ClientCommand
    {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "INCIDENT", description = "the incident key") String incident;
        @Option(names = "--ref", description = "what answered them: a status page's address, a broadcast's id") String reference;
        @Option(names = "--agent", description = "act as this agent (it must work one of the incident's leads); none: as a supervisor")
        String agent;

        @Override
        void run(final TriageClient triage)
        {
            final dev.triage.proto.v1.IncidentActionReply r = await(triage.incidentReply(request(incident, agent, reference)));
            out.printf(Locale.ROOT, "incident %s: %d members answered, now waiting on their customers%n", incident, r.getMembers());
        }
    }

    @Command(name = "resolve", description = "The fix shipped: resolve every unresolved member of the incident.")
    static final class IncidentResolve extends ClientCommand
    {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "INCIDENT", description = "the incident key") String incident;
        @Option(names = "--agent", description = "act as this agent (it must work one of the incident's leads); none: as a supervisor")
        String agent;

        @Override
        void run(final TriageClient triage)
        {
            final dev.triage.proto.v1.IncidentActionReply r = await(triage.resolveIncident(request(incident, agent, null)));
            out.printf(Locale.ROOT, "incident %s: %d members resolved%n", incident, r.getMembers());
        }
    }

    private static dev.triage.proto.v1.IncidentActionRequest request(final String incident, final String agent, final String reference)
    {
        final dev.triage.proto.v1.IncidentActionRequest.Builder b = dev.triage.proto.v1.IncidentActionRequest.newBuilder()
            .setIncident(incident);
        if (agent != null)
        {
            b.setAgentId(agent);
        }
        if (reference != null)
        {
            b.setReference(reference);
        }
        return b.build();
    }

    @Command(name = "policy", description = "Show or change the prioritisation policy.",
        subcommands = { PolicyGet.class, PolicySet.class })
    static final class PolicyCommand
    {
    }

    @Command(name = "get", description = "Show the policy in force.")
    static final class PolicyGet extends ClientCommand
    {
        @Option(names = "--json", description = "the policy alone as JSON, every field named as in triage.proto (a valid 'whatif --policy' file)")
        boolean json;

        @Override
        void run(final TriageClient triage)
        {
            final PolicyReply r = await(triage.getPolicy());
            if (json)
            {
                try
                {
                    out.println(com.google.protobuf.util.JsonFormat.printer().preservingProtoFieldNames()
                        .alwaysPrintFieldsWithNoPresence().print(r.getPolicy()));
                }
                catch (final com.google.protobuf.InvalidProtocolBufferException e)
                {
                    throw new IllegalStateException(e);
                }
                return;
            }
            out.println("version " + r.getVersion());
            out.print(TextFormat.printer().printToString(r.getPolicy()));
        }
    }

    @Command(name = "set", description = "Change some policy fields; the others stay as they are.")
    static final class PolicySet extends ClientCommand
    {
        @Option(names = "--age-points-per-minute", description = "points per minute waited") Long agePointsPerMinute;
        @Option(names = "--impact-points-per-doubling", description = "points per doubling of customers affected") Long impactPointsPerDoubling;
        @Option(names = "--urgency-points", split = ",", description = "five values, LOW..CRITICAL") List<Long> urgencyPoints;
        @Option(names = "--newest-first-max-urgency", description = "low..critical, or 'off'") String newestFirstMaxUrgency;
        @Option(names = "--newest-first-min-impact", description = "newest first only from this impact up") Long newestFirstMinImpact;
        @Option(names = "--sla-at-risk-window", converter = Durations.class, description = "how long before its deadline a conversation is at risk, e.g. 15m") Long slaWindowMs;
        @Option(names = "--sla-at-risk-points", description = "points added while at risk") Long slaAtRiskPoints;
        @Option(names = "--sla-breached-points", description = "points added once past the deadline") Long slaBreachedPoints;
        @Option(names = "--lease", converter = Durations.class, description = "how long an assignment waits for Ack before it returns to the queue, e.g. 2m") Long leaseMs;
        @Option(names = "--relax-preferred-after", converter = Durations.class, description = "after this wait, preferred skills stop being required, e.g. 10m") Long relaxMs;
        @Option(names = "--incident-lead-slots", description = "how many of an incident's members take its reach as their impact "
            + "(each from being queued until answered or resolved); 0: every member") Integer incidentLeadSlots;
        @Option(names = "--max-wait", split = ",", description = "per urgency, how long a conversation may wait before it escalates "
            + "above everything not past its own bound, e.g. critical=5m,urgent=15m (0: no bound)") List<String> maxWaits;
        @Option(names = "--wait-bound-points", description = "points an escalated conversation gets on top") Long waitBoundPoints;

        @Override
        void run(final TriageClient triage)
        {
            final Policy current = await(triage.getPolicy()).getPolicy();
            final Policy.Builder p = current.toBuilder();
            if (agePointsPerMinute != null)
            {
                p.setAgePointsPerMinute(agePointsPerMinute);
            }
            if (impactPointsPerDoubling != null)
            {
                p.setImpactPointsPerDoubling(impactPointsPerDoubling);
            }
            if (urgencyPoints != null)
            {
                if (urgencyPoints.size() != 5)
                {
                    throw new IllegalArgumentException("--urgency-points takes five values, LOW..CRITICAL");
                }
                p.setLowPoints(urgencyPoints.get(0)).setNormalPoints(urgencyPoints.get(1)).setHighPoints(urgencyPoints.get(2))
                    .setUrgentPoints(urgencyPoints.get(3)).setCriticalPoints(urgencyPoints.get(4));
            }
            if (newestFirstMaxUrgency != null)
            {
                p.setNewestFirstMaxUrgency(newestFirstMaxUrgency.equalsIgnoreCase("off") ?
                    Urgency.URGENCY_UNSPECIFIED : urgency(newestFirstMaxUrgency));
            }
            if (newestFirstMinImpact != null)
            {
                p.setNewestFirstMinImpact(newestFirstMinImpact);
            }
            if (slaWindowMs != null)
            {
                p.setSlaAtRiskWindowMs(slaWindowMs);
            }
            if (slaAtRiskPoints != null)
            {
                p.setSlaAtRiskPoints(slaAtRiskPoints);
            }
            if (slaBreachedPoints != null)
            {
                p.setSlaBreachedPoints(slaBreachedPoints);
            }
            if (leaseMs != null)
            {
                p.setLeaseMs(leaseMs);
            }
            if (relaxMs != null)
            {
                p.setRelaxPreferredAfterMs(relaxMs);
            }
            if (incidentLeadSlots != null)
            {
                p.setIncidentLeadSlots(incidentLeadSlots);
            }
            if (waitBoundPoints != null)
            {
                p.setWaitBoundPoints(waitBoundPoints);
            }
            for (final String maxWait : maxWaits == null ? List.<String>of() : maxWaits)
            {
                setMaxWait(p, maxWait);
            }
            if (p.build().equals(current))
            {
                // A new version re-keys the whole queue and is journaled: never for nothing.
                throw new IllegalArgumentException("policy set changes nothing: name at least one field with a new value " +
                    "(see 'triage policy set --help'); the policy in force is unchanged");
            }
            final PolicyReply r = await(triage.setPolicy(SetPolicyRequest.newBuilder().setPolicy(p).build()));
            out.println("policy version " + r.getVersion());
            out.print(TextFormat.printer().printToString(r.getPolicy()));
        }

        /** One "urgency=duration" of --max-wait. */
        private static void setMaxWait(final Policy.Builder p, final String maxWait)
        {
            final int eq = maxWait.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("--max-wait takes urgency=duration, e.g. critical=5m, got '" + maxWait + "'");
            }
            final String level = maxWait.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
            final String value = maxWait.substring(eq + 1).trim();
            final long ms = value.equals("0") || value.equalsIgnoreCase("off") ? 0 : Durations.parse(value);
            switch (level)
            {
                case "low" -> p.setLowMaxWaitMs(ms);
                case "normal" -> p.setNormalMaxWaitMs(ms);
                case "high" -> p.setHighMaxWaitMs(ms);
                case "urgent" -> p.setUrgentMaxWaitMs(ms);
                case "critical" -> p.setCriticalMaxWaitMs(ms);
                default -> throw new IllegalArgumentException("--max-wait: no urgency '" + level + "' (low, normal, high, urgent, critical)");
            }
        }
    }
}
