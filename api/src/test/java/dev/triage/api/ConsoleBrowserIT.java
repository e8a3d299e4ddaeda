package dev.triage.api;

import dev.triage.api.auth.TokenStore;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.IngestResult;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real headless Chromium against a real server: the rendered DOM shows the top entry, the outage's
 * reach and an agent's load, follows a change live, opens an audit trail, breaks no Content-Security-Policy rule; a
 * token is asked for, and a wrong one gets a clear message. Screenshots stay in {@code api/target/} to look at.
 */
class ConsoleBrowserIT
{
    private static final long WAIT_MS = 20_000;
    private static final String COLLECT_CSP_VIOLATIONS = "window.__csp = [];" +
        " document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));";

    @TempDir
    Path dir;

    private static Path chromium()
    {
        final Path chromium = HeadlessChromium.find();
        dev.triage.engine.fixture.Needs.tool(chromium != null, "no chromium here (.ci/run installs Debian's chromium package)");
        return chromium;
    }

    @Test
    void shouldShowTheQueueTheOutageAndTheAgentsLiveInABrowser() throws Exception
    {
        final Path chromium = chromium();
        try (ServerFixture f = new ServerFixture(new EngineContext().journalDir(dir.resolve("journal")), null);
            HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("profile"), 1400, 1200))
        {
            ConsoleIT.outage(f.stub());
            browser.beforeEachDocument(COLLECT_CSP_VIOLATIONS);
            browser.navigate("http://127.0.0.1:" + f.server.metricsPort() + "/");
            assertEquals("o2", browser.awaitInPage("document.querySelector('#queue tbody tr')",
                "document.querySelector('#queue tbody tr').dataset.id", WAIT_MS, "the queue to render"));
            assertEquals("550", browser.evaluate(
                "document.querySelector('#incidents tr[data-key=\"login-outage\"] .reach').textContent"));
            assertEquals("1/3", browser.evaluate("document.querySelector('#agents tr[data-id=\"ann\"] .load').textContent"));
            assertTrue(browser.evaluate("document.getElementById('status').textContent").startsWith("live"));

            f.stub().open(OpenRequest.newBuilder().setId("db-down").setUrgency(Urgency.CRITICAL).setImpact(2000).build());
            browser.awaitInPage("document.querySelector('#queue tbody tr').dataset.id === 'db-down'", "'ok'", WAIT_MS,
                "the new CRITICAL conversation on top, without a reload");

            browser.evaluate("document.querySelector('#decisions button[data-conversation=\"o1\"]').click(), 'clicked'");
            assertEquals("OPEN,ASSIGNED", browser.awaitInPage(
                "document.querySelectorAll('#audit-trail tbody tr').length >= 2",
                "Array.from(document.querySelectorAll('#audit-trail tbody tr')).map(r => r.cells[2].textContent).join(',')",
                WAIT_MS, "o1's audit trail"));
            assertEquals("", browser.evaluate("window.__csp.join('; ')"), "no Content-Security-Policy violation");
            browser.screenshot(Path.of("target", "console.png"));
        }
    }

    /**
     * What a supervisor sees in an outage: 5,000 HIGH members of one incident, every agent busy, CRITICAL customers
     * arriving. The members fold into one row (reach, members by state, leads, oldest member); the CRITICAL customers
     * lead "Next up"; the per-urgency tiles give counts, the oldest wait and its conversation, red past the bound.
     * The screenshot is the README's (copied to docs/console-outage.png).
     */
    @Test
    void shouldShowAnOutageAsOneRowAndTheMostUrgentCustomersAsNumbers() throws Exception
    {
        final Path chromium = chromium();
        try (ServerFixture f = new ServerFixture(new EngineContext().journalDir(dir.resolve("journal")), null);
            HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("profile"), 1500, 1300))
        {
            final long now = System.currentTimeMillis();
            final Collected<IngestResult> ingested = new Collected<>();
            final StreamObserver<OpenRequest> ingest = TriageGrpc.newStub(f.channel).ingest(ingested);
            final int members = 5_000;
            for (int i = 0; i < members; i++)
            {
                ingest.onNext(OpenRequest.newBuilder().setId("outage-" + i).setUrgency(Urgency.HIGH).setImpact(2)
                    .setIncident("login-outage").setWaitingSinceMs(now - 240_000 + i * 40L).build());
            }
            for (int i = 0; i < 20; i++)
            {
                ingest.onNext(OpenRequest.newBuilder().setId("normal-" + i).setUrgency(Urgency.NORMAL).setImpact(1)
                    .setWaitingSinceMs(now - 90_000).build());
            }
            ingest.onCompleted();
            assertEquals(members + 20, ingested.await(60).stream().filter(r -> r.getCode().equals("OK")).count());
            for (int i = 0; i < 6; i++)
            {
                f.stub().upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("agent-" + i).setCapacity(1).build());
                assertTrue(f.stub().nextBest(NextBestRequest.newBuilder().setAgentId("agent-" + i).build()).getAssigned());
            }
            // agent-0 and agent-1 took the outage's two leads; the other four its oldest members (HIGH before NORMAL).
            // Every agent is busy when these arrive: the oldest CRITICAL has waited past its 5-minute bound.
            f.stub().open(OpenRequest.newBuilder().setId("db-down").setUrgency(Urgency.CRITICAL).setImpact(3)
                .setWaitingSinceMs(now - 360_000).build());
            f.stub().open(OpenRequest.newBuilder().setId("payments-failing").setUrgency(Urgency.CRITICAL).setImpact(1).build());
            f.stub().open(OpenRequest.newBuilder().setId("card-declined").setUrgency(Urgency.URGENT).setImpact(1)
                .setWaitingSinceMs(now - 120_000).build());
            for (int i = 0; i < 3; i++)
            {
                f.stub().open(OpenRequest.newBuilder().setId("refund-" + i).setUrgency(Urgency.HIGH).setImpact(1)
                    .setWaitingSinceMs(now - 300_000).build());
            }

            browser.beforeEachDocument(COLLECT_CSP_VIOLATIONS);
            browser.navigate("http://127.0.0.1:" + f.server.metricsPort() + "/");
            assertEquals("db-down,payments-failing,card-declined", browser.awaitInPage(
                "document.querySelectorAll('#queue tbody tr').length > 3",
                "Array.from(document.querySelectorAll('#queue tbody tr')).slice(0, 3).map(r => r.dataset.id).join(',')",
                WAIT_MS, "the queue to render"), "the most urgent customers first, the outage after them");
            assertEquals("db-down,payments-failing,card-declined,refund-0,refund-1,refund-2,outage-6", browser.evaluate(
                "Array.from(document.querySelectorAll('#queue tbody tr')).map(r => r.dataset.id).join(',')"),
                "the outage is one row, at its best waiting member; the view stops after passing over 1,024 more");
            final String outageRow = browser.evaluate("document.querySelector('#queue tr[data-incident=\"login-outage\"]').textContent");
            assertTrue(outageRow.contains("reach 10000 · 5000 members: 4994 waiting, 6 assigned, 0 pending") &&
                outageRow.contains("leads outage-0, outage-1") && outageRow.contains("oldest outage-6"), outageRow);
            assertTrue(browser.evaluate("document.getElementById('queue-note').textContent")
                .contains("each incident once (1024 more of their members passed over; the list stops there)"));

            assertEquals("2", browser.evaluate("document.querySelector('#urgencies [data-urgency=\"critical\"] .value').textContent"));
            assertTrue(browser.evaluate("document.querySelector('#urgencies [data-urgency=\"critical\"] .oldest').textContent")
                .startsWith("oldest 6m"), "the oldest CRITICAL's wait");
            assertEquals("db-down", browser.evaluate(
                "document.querySelector('#urgencies [data-urgency=\"critical\"] .oldest button').dataset.conversation"));
            assertEquals("true", browser.evaluate(
                "String(document.querySelector('#urgencies [data-urgency=\"critical\"]').classList.contains('bad'))"),
                "past CRITICAL's 5-minute bound");
            assertEquals("false", browser.evaluate(
                "String(document.querySelector('#urgencies [data-urgency=\"urgent\"]').classList.contains('bad'))"),
                "URGENT is within its 15 minutes");
            assertEquals("4997", browser.evaluate("document.querySelector('#urgencies [data-urgency=\"high\"] .value').textContent"),
                "the outage's 4,994 and three refunds");

            final String incidentRow = browser.evaluate("document.querySelector('#incidents tr[data-key=\"login-outage\"]').textContent");
            assertTrue(incidentRow.contains("outage-0, outage-1") && incidentRow.contains("outage-6"), incidentRow);
            assertEquals("", browser.evaluate("window.__csp.join('; ')"), "no Content-Security-Policy violation");
            browser.screenshot(Path.of("target", "console-outage.png"));
        }
    }

    @Test
    void shouldAskForATokenAndSayClearlyWhenItIsWrong() throws Exception
    {
        final Path chromium = chromium();
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, String.join("\n",
            TokenStore.hashLine("super-secret") + " supervisor",
            TokenStore.hashLine("admin-secret") + " admin",
            TokenStore.hashLine("ann-secret") + " agent ann", ""));
        try (ServerFixture f = new ServerFixture(new EngineContext(), tokens);
            HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("profile"), 1200, 700))
        {
            ConsoleIT.outage(f.stub("admin-secret"));
            browser.navigate("http://127.0.0.1:" + f.server.metricsPort() + "/");
            assertTrue(browser.awaitInPage("!document.getElementById('login').hidden",
                "document.getElementById('login-message').textContent", WAIT_MS, "the token form")
                .contains("needs a token"));

            signIn(browser, "not-a-token");
            browser.awaitInPage("document.getElementById('login-message').textContent.includes('unknown token')", "'ok'",
                WAIT_MS, "the unknown-token message");
            assertTrue(browser.evaluate("String(document.getElementById('main').hidden)").equals("true"), "no data shown");
            browser.screenshot(Path.of("target", "console-wrong-token.png"));

            signIn(browser, "ann-secret");
            browser.awaitInPage("document.getElementById('login-message').textContent.includes('may not open the console')",
                "'ok'", WAIT_MS, "the agent-token message");

            signIn(browser, "super-secret");
            assertEquals("o2", browser.awaitInPage("!document.getElementById('main').hidden && document.querySelector('#queue tbody tr')",
                "document.querySelector('#queue tbody tr').dataset.id", WAIT_MS, "the queue after signing in"));
            assertFalse(browser.evaluate("location.href").contains("secret"), "the token is never in the URL");
            assertEquals("super-secret", browser.evaluate("sessionStorage.getItem('triage-token')"), "kept in the tab only");
            assertEquals("", browser.evaluate("document.cookie"), "and never in a cookie");
        }
    }

    private static void signIn(final HeadlessChromium browser, final String token) throws Exception
    {
        browser.evaluate("document.getElementById('token').value = " + new com.google.gson.JsonPrimitive(token) +
            "; document.getElementById('login-form').requestSubmit(); 'submitted'");
    }
}
