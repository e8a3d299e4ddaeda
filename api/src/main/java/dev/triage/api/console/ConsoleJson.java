package dev.triage.api.console;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.triage.engine.command.BookView;
import dev.triage.engine.command.Reply;
import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;

import java.util.List;
import java.util.Locale;

/**
 * The console's one document: a VIEW (with the STATS of the same command) and the latest decisions, as JSON. Scores
 * are in points; times are engine epoch milliseconds.
 */
final class ConsoleJson
{
    private ConsoleJson()
    {
    }

    static JsonObject of(final Reply r, final List<RecentDecisions.Decision> decisions)
    {
        final BookView v = r.view;
        final JsonObject doc = new JsonObject();
        doc.addProperty("asOfMs", r.timestampMs);
        doc.addProperty("sequence", r.sequence);
        doc.addProperty("policyVersion", r.policyVersion);
        doc.add("stats", stats(r));
        final JsonArray queue = new JsonArray();
        v.queue.forEach(q -> queue.add(queued(q)));
        doc.add("queue", queue);
        doc.addProperty("queuePassedOver", v.queuePassedOver);
        doc.addProperty("queueStoppedShort", v.queueStoppedShort);
        final JsonObject agents = new JsonObject();
        agents.addProperty("total", v.agentTotal);
        final JsonArray agentRows = new JsonArray();
        v.agents.forEach(a -> agentRows.add(agent(a)));
        agents.add("rows", agentRows);
        doc.add("agents", agents);
        final JsonObject incidents = new JsonObject();
        incidents.addProperty("total", v.incidentTotal);
        final JsonArray incidentRows = new JsonArray();
        v.incidents.forEach(i -> incidentRows.add(incident(i)));
        incidents.add("rows", incidentRows);
        doc.add("incidents", incidents);
        final JsonObject history = new JsonObject();
        history.addProperty("bucketMs", v.historyBucketMs);
        final JsonArray points = new JsonArray();
        v.history.forEach(p -> points.add(point(p)));
        history.add("points", points);
        doc.add("history", history);
        final JsonArray recent = new JsonArray();
        decisions.forEach(d -> recent.add(decision(d)));
        doc.add("decisions", recent);
        return doc;
    }

    private static JsonObject stats(final Reply r)
    {
        final JsonObject s = new JsonObject();
        s.addProperty("open", r.open);
        s.addProperty("assigned", r.assigned);
        s.addProperty("pending", r.pending);
        s.add("openByUrgency", byUrgency(r.openByUrgency));
        s.add("oldestWaitByUrgencyMs", byUrgency(r.oldestWaitByUrgencyMs));
        final JsonObject oldestIds = new JsonObject();
        for (int u = 0; u < Urgency.count(); u++)
        {
            oldestIds.addProperty(name(Urgency.ofLevel(u)), r.oldestIdByUrgency[u]);
        }
        s.add("oldestIdByUrgency", oldestIds);
        final long[] maxWait = new long[Urgency.count()];
        for (int u = 0; u < Urgency.count(); u++)
        {
            maxWait[u] = r.policy == null ? 0 : r.policy.maxWaitMs(Urgency.ofLevel(u));
        }
        s.add("maxWaitMs", byUrgency(maxWait));
        s.addProperty("oldestWaitMs", r.oldestWaitMs);
        s.addProperty("slaAtRisk", r.slaAtRisk);
        s.addProperty("slaBreached", r.slaBreached);
        s.addProperty("agents", r.agents);
        s.addProperty("availableAgents", r.availableAgents);
        s.addProperty("waitingAgents", r.parkedAgents);
        s.addProperty("assignmentsLastMinute", r.assignmentsLastMinute);
        s.addProperty("assignmentsTotal", r.assignmentsTotal);
        s.addProperty("waitP50Ms", r.waitP50Ms);
        s.addProperty("waitP90Ms", r.waitP90Ms);
        s.addProperty("waitP99Ms", r.waitP99Ms);
        return s;
    }

    private static JsonObject queued(final BookView.Queued q)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("id", q.id());
        o.addProperty("urgency", name(q.urgency()));
        o.addProperty("impact", q.impact());
        o.addProperty("incident", q.incident());
        o.addProperty("incidentReach", q.incidentReach());
        o.addProperty("waitedMs", q.waitedMs());
        o.addProperty("sla", q.sla());
        o.addProperty("respondByMs", q.respondByMs());
        o.addProperty("skills", q.skills());
        o.addProperty("score", points(q.scoreUnits()));
        o.addProperty("lead", q.lead());
        o.add("parts", parts(q.urgencyUnits(), q.impactUnits(), q.ageUnits(), q.slaUnits(), q.boundUnits()));
        return o;
    }

    private static JsonObject agent(final BookView.AgentRow a)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("id", a.id());
        o.addProperty("status", a.status().name().toLowerCase(Locale.ROOT));
        o.addProperty("held", a.held());
        o.addProperty("capacity", a.capacity());
        o.addProperty("waiting", a.waiting());
        o.addProperty("assignments", a.assignments());
        o.addProperty("skills", a.skills());
        final JsonArray holding = new JsonArray();
        for (final BookView.Held h : a.holding())
        {
            final JsonObject held = new JsonObject();
            held.addProperty("conversation", h.conversationId());
            held.addProperty("assignedAtMs", h.assignedAtMs());
            held.addProperty("acked", h.acked());
            held.addProperty("leaseDeadlineMs", h.leaseDeadlineMs());
            holding.add(held);
        }
        o.add("holding", holding);
        return o;
    }

    private static JsonObject incident(final BookView.IncidentRow i)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("key", i.key());
        o.addProperty("reach", i.reach());
        o.addProperty("members", i.members());
        o.addProperty("open", i.open());
        o.addProperty("assigned", i.assigned());
        o.addProperty("pending", i.pending());
        final JsonArray leads = new JsonArray();
        i.leads().forEach(leads::add);
        o.add("leads", leads);
        o.addProperty("oldestWaitingId", i.oldestWaitingId());
        o.addProperty("oldestWaitedMs", i.oldestWaitedMs());
        o.addProperty("firstReportMs", i.firstReportMs());
        return o;
    }

    private static JsonObject point(final BookView.Point p)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("atMs", p.atMs());
        o.add("open", byUrgency(p.openByUrgency()));
        o.add("oldestWaitMs", byUrgency(p.oldestWaitByUrgencyMs()));
        o.addProperty("slaAtRisk", p.slaAtRisk());
        o.addProperty("slaBreached", p.slaBreached());
        o.addProperty("assignments", p.assignments());
        return o;
    }

    private static JsonObject decision(final RecentDecisions.Decision d)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("sequence", d.sequence());
        o.addProperty("atMs", d.atMs());
        o.addProperty("assigned", d.assigned());
        o.addProperty("cause", d.cause());
        o.addProperty("conversation", d.conversationId());
        o.addProperty("agent", d.agentId());
        if (d.assigned())
        {
            o.addProperty("score", points(d.scoreUnits()));
            o.add("parts", parts(d.urgencyUnits(), d.impactUnits(), d.ageUnits(), d.slaUnits(), d.boundUnits()));
            o.addProperty("candidates", d.candidates());
            o.addProperty("runnerUp", d.runnerUpId());
            o.addProperty("runnerUpScore", d.runnerUpId() == null ? 0 : points(d.runnerUpScoreUnits()));
            o.addProperty("waitedMs", d.waitedMs());
        }
        return o;
    }

    private static JsonObject parts(final long urgency, final long impact, final long age, final long sla, final long bound)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("urgency", points(urgency));
        o.addProperty("impact", points(impact));
        o.addProperty("age", points(age));
        o.addProperty("sla", points(sla));
        o.addProperty("bound", points(bound));
        return o;
    }

    private static JsonObject byUrgency(final long[] values)
    {
        final JsonObject o = new JsonObject();
        for (int u = 0; u < values.length; u++)
        {
            o.addProperty(name(Urgency.ofLevel(u)), values[u]);
        }
        return o;
    }

    private static String name(final Urgency urgency)
    {
        return urgency.name().toLowerCase(Locale.ROOT);
    }

    /** Points to a tenth, as the CLI shows them. */
    private static double points(final long units)
    {
        return Math.round(units * 10.0 / Policy.UNITS_PER_POINT) / 10.0;
    }
}
