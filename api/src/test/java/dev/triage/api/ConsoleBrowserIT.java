package dev.triage.api;

import dev.triage.api.auth.TokenStore;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.Urgency;
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
