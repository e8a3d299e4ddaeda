package dev.triage.api.cli;

import dev.triage.api.client.TriageClient;
import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.StatsReply;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code triage demo}: a server in-process and a small simulated helpdesk over real gRPC, so a newcomer sees
 * decisions and their reasons in one command. Nothing is written to disk.
 */
@Command(name = "demo", description = "Run a server in-process with a simulated helpdesk for a while and show its decisions.")
final class DemoCommand implements Callable<Integer>
{
    private static final String[][] TEAMS = {
        { "billing", "en" }, { "billing", "de" }, { "login", "en" }, { "login", "en", "billing" }, { "api", "en" }, { "en" } };

    @Option(names = "--seconds", defaultValue = "20", description = "how long to run (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--seed", defaultValue = "7", description = "traffic seed (default: ${DEFAULT-VALUE})")
    long seed;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        final TriageServer server = TriageServer.start(new ServerContext().port(0).metricsPort(-1)
            .engineContext(new EngineContext()));
        final TriageClient stub = TriageClient.builder("127.0.0.1:" + server.port()).deadlineMs(5_000).build();
        final ExecutorService pool = Executors.newCachedThreadPool();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger printed = new AtomicInteger();
        final AtomicLong opened = new AtomicLong();
        final long start = System.currentTimeMillis();
        final long end = start + seconds * 1_000L;
        out.printf("demo: server on 127.0.0.1:%d, 12 agents, steady traffic, a login outage at %ds; %ds in all%n%n",
            server.port(), seconds * 2 / 5, seconds);
        try
        {
            final List<String> agents = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                final String agent = "agent-" + (i + 1);
                final String[] skills = TEAMS[i % TEAMS.length];
                ClientCommand.await(stub.upsertAgent(
                    UpsertAgentRequest.newBuilder().setAgentId(agent).addAllSkills(List.of(skills)).setCapacity(1).build()));
                agents.add(agent);
            }
            for (int i = 0; i < agents.size(); i++)
            {
                final String agent = agents.get(i);
                final Random random = new Random(seed * 31 + i);
                pool.submit(() -> work(stub, agent, random, running, printed, start));
            }
            pool.submit(() -> traffic(stub, new Random(seed), running, opened, start, end));
            while (System.currentTimeMillis() < end)
            {
                Thread.sleep(100);
            }
        }
        finally
        {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            final StatsReply stats = ClientCommand.await(stub.stats());
            out.printf("%nafter %ds: %d opened, %d assigned in all; open now %d (critical %d, urgent %d, high %d, normal %d, low %d), "
                    + "assigned %d, sla at risk %d, breached %d%n",
                seconds, opened.get(), stats.getAssignmentsTotal(), stats.getOpen(), stats.getOpenCritical(), stats.getOpenUrgent(),
                stats.getOpenHigh(), stats.getOpenNormal(), stats.getOpenLow(), stats.getAssigned(), stats.getSlaAtRisk(),
                stats.getSlaBreached());
            stub.close();
            server.close();
        }
        return 0;
    }

    private void traffic(
        final TriageClient stub, final Random random, final AtomicBoolean running, final AtomicLong opened,
        final long start, final long end)
    {
        final long spikeAt = start + (end - start) * 2 / 5;
        final String[] skills = { "billing", "login", "api" };
        final String[] languages = { "en", "en", "en", "de" };
        boolean spiked = false;
        while (running.get())
        {
            final long now = System.currentTimeMillis();
            if (!spiked && now >= spikeAt)
            {
                spiked = true;
                out.printf("%n%5.1fs  OUTAGE: 150 customers report login failures within a second%n%n", (now - start) / 1000.0);
                for (int i = 0; i < 150 && running.get(); i++)
                {
                    open(stub, OpenRequest.newBuilder().setId("outage-" + i).setUrgency(Urgency.HIGH).setImpact(1)
                        .addSkills("login").addSkills("en").setIncident("login-outage").build(), opened);
                }
            }
            final Urgency urgency = Urgency.forNumber(1 + Math.min(4, (int)(-Math.log(1 - random.nextDouble()) * 1.2)));
            final OpenRequest.Builder request = OpenRequest.newBuilder().setId("C-" + (opened.get() + 1)).setUrgency(urgency)
                .setImpact(1 + (random.nextInt(10) == 0 ? random.nextInt(300) : 0))
                .addSkills(skills[random.nextInt(skills.length)]).addSkills(languages[random.nextInt(languages.length)])
                .setWaitingSinceMs(now - random.nextInt(20 * 60_000));
            if (random.nextInt(4) == 0)
            {
                request.setRespondByMs(now + 60_000 + random.nextInt(30 * 60_000));
            }
            open(stub, request.build(), opened);
            // About 30 a second against 12 agents clearing about 26: a queue builds up, as on a busy day.
            sleep(10 + random.nextInt(45));
        }
    }

    private static void open(final TriageClient stub, final OpenRequest request, final AtomicLong opened)
    {
        try
        {
            ClientCommand.await(stub.open(request));
            opened.incrementAndGet();
        }
        catch (final StatusRuntimeException ignored)
        {
            // The demo keeps going; a refused open is visible in the final counts.
        }
    }

    private void work(
        final TriageClient stub, final String agent, final Random random, final AtomicBoolean running,
        final AtomicInteger printed, final long start)
    {
        while (running.get())
        {
            try
            {
                final NextBestReply next = ClientCommand.await(
                    stub.nextBest(NextBestRequest.newBuilder().setAgentId(agent).setWaitMs(1_000).build()));
                if (!next.getAssigned())
                {
                    continue;
                }
                if (printed.incrementAndGet() % 5 == 1)
                {
                    out.printf(Locale.ROOT, "%5.1fs  %-8s takes %-10s %7.1f = urgency %4.0f + impact %3.0f + age %5.1f + sla %3.0f  (%d eligible%s)%n",
                        (System.currentTimeMillis() - start) / 1000.0, agent, next.getConversationId(), next.getScore().getTotal(),
                        next.getScore().getUrgency(), next.getScore().getImpact(), next.getScore().getAge(), next.getScore().getSla(),
                        next.getCandidates(), next.getRunnerUpId().isEmpty() ? "" :
                            String.format(Locale.ROOT, ", runner-up %s %.1f", next.getRunnerUpId(), next.getRunnerUpScore()));
                }
                sleep(150 + random.nextInt(600));
                ClientCommand.await(stub.resolve(ConversationRef.newBuilder().setId(next.getConversationId()).build()));
            }
            catch (final StatusRuntimeException ignored)
            {
                // Deadline while waiting, or the server closing at the end.
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
