// Triage console: polls /api/view once a second (one shared server-side view for every console without a filter),
// renders with DOM calls only (textContent, never innerHTML), and keeps a token only in this tab's sessionStorage.
'use strict';

const URGENCIES = ['low', 'normal', 'high', 'urgent', 'critical'];
const POLL_MS = 1000;
const TOKEN_KEY = 'triage-token';
const $ = (id) => document.getElementById(id);
let filter = { agent: '', skill: '' };
let timer = null;
let stopped = false;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'onclick') e.addEventListener('click', v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function svgEl(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function duration(ms) {
  if (ms == null || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + String(s % 60).padStart(2, '0') + 's';
  const h = Math.floor(m / 60);
  return h + 'h ' + String(m % 60).padStart(2, '0') + 'm';
}

/** Points to a tenth, as the CLI prints them (audit entries carry full precision). */
function pts(x) {
  return Math.round(x * 10) / 10;
}

function headers() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: 'Bearer ' + token } : {};
}

async function getJson(path) {
  const response = await fetch(path, { headers: headers(), cache: 'no-store' });
  let body = null;
  try { body = await response.json(); } catch (e) { body = { error: 'the server answered ' + response.status + ' without JSON' }; }
  return { status: response.status, body };
}

function showLogin(message) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-message').textContent = message;
  setStatus('not signed in', true);
}

function setStatus(text, bad) {
  $('status').textContent = text;
  $('status').className = bad ? 'error' : '';
}

async function poll() {
  timer = null;
  if (stopped || document.hidden) return;
  const qs = new URLSearchParams();
  if (filter.agent) qs.set('agent', filter.agent);
  if (filter.skill) qs.set('skill', filter.skill);
  try {
    const { status, body } = await getJson('api/view' + (qs.toString() ? '?' + qs : ''));
    if (status === 401 || status === 403) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(body.error);
      return;
    }
    if (status !== 200) {
      setStatus(body.error || ('error ' + status), true);
    } else {
      $('login').hidden = true;
      $('main').hidden = false;
      render(body);
    }
  } catch (e) {
    setStatus('server unreachable: ' + e.message, true);
  }
  schedule();
}

function schedule() {
  if (!stopped && timer === null && !document.hidden) timer = setTimeout(poll, POLL_MS);
}

function render(v) {
  setStatus('live · as of ' + new Date(v.asOfMs).toLocaleTimeString() + ' · policy v' + v.policyVersion +
    (v.agentFilter ? ' · as agent ' + v.agentFilter : '') + (v.skillFilter ? ' · needing ' + v.skillFilter : ''), false);
  summary(v.stats);
  urgencies(v.stats);
  charts(v.history);
  queue(v);
  incidents(v);
  agents(v);
  decisions(v.decisions);
}

function card(label, value, bad) {
  return el('div', { class: 'card' + (bad ? ' bad' : '') }, el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));
}

function summary(s) {
  $('summary').replaceChildren(
    card('waiting', s.open),
    card('assigned', s.assigned),
    card('pending on customer', s.pending),
    card('SLA at risk', s.slaAtRisk, s.slaAtRisk > 0),
    card('SLA breached', s.slaBreached, s.slaBreached > 0),
    card('oldest wait', duration(s.oldestWaitMs)),
    card('assignments / min', s.assignmentsLastMinute),
    card('agents available', s.availableAgents + ' of ' + s.agents, s.open > 0 && s.availableAgents === 0),
    card('agents waiting for work', s.waitingAgents),
    card('wait before assignment p50 / p90', duration(s.waitP50Ms) + ' / ' + duration(s.waitP90Ms)));
}

/** One tile per urgency, the most urgent first: how many wait, and the one waiting longest (red past its max wait). */
function urgencies(s) {
  $('urgencies').replaceChildren(...URGENCIES.slice().reverse().map((u) => {
    const waiting = s.openByUrgency[u], oldest = s.oldestWaitByUrgencyMs[u], id = s.oldestIdByUrgency[u];
    const over = waiting > 0 && s.maxWaitMs[u] > 0 && oldest >= s.maxWaitMs[u];
    return el('div', { class: 'card urgency-card' + (over ? ' bad' : ''), 'data-urgency': u },
      el('div', { class: 'value' }, waiting),
      el('div', { class: 'label' }, el('span', { class: 'u-' + u }, u), ' waiting'),
      el('div', { class: 'label oldest' }, ...(waiting > 0 ? ['oldest ' + duration(oldest) + ': ', auditButton(id)] : ['none waiting'])));
  }));
}

/** Counts on a log scale, so a queue of 20,000 outage members does not flatten the critical line to zero. */
function logScale(x) {
  return Math.log10(1 + x);
}

function chart(svg, points, value, scale) {
  const W = 600, H = 160, PAD = 14;
  svg.replaceChildren();
  if (points.length === 0) return;
  const t0 = points[0].atMs, t1 = Math.max(points[points.length - 1].atMs, t0 + 1);
  let max = 1;
  for (const p of points) for (const u of URGENCIES) max = Math.max(max, value(p, u));
  const y = scale || ((x) => x);
  svg.append(svgEl('line', { x1: 0, y1: H - PAD, x2: W, y2: H - PAD, class: 'axis' }));
  const label = svgEl('text', { x: 2, y: 10 });
  label.textContent = 'max ' + (Math.round(max * 10) / 10) + (scale ? ' (log scale)' : '');
  svg.append(label);
  for (const u of URGENCIES) {
    const coords = points.map((p) => ((p.atMs - t0) / (t1 - t0) * W).toFixed(1) + ',' +
      (H - PAD - y(value(p, u)) / y(max) * (H - 2 * PAD)).toFixed(1));
    svg.append(svgEl('polyline', { points: coords.join(' '), class: 'u-' + u }));
  }
}

function charts(history) {
  chart($('depth-chart'), history.points, (p, u) => p.open[u], logScale);
  chart($('wait-chart'), history.points, (p, u) => p.oldestWaitMs[u] / 60000);
  $('legend').replaceChildren(...URGENCIES.map((u) => el('span', { class: 'u-' + u }, u)));
}

function auditButton(id) {
  return el('button', { type: 'button', class: 'link', 'data-conversation': id, onclick: () => audit(id) }, id);
}

/** An incident's row in "Next up": its best queued member, and the incident as one problem. */
function incidentCell(q, incidents) {
  const i = incidents.get(q.incident);
  if (!q.incident) return '';
  if (!i || i.members === 1) return q.incident + ' (' + q.incidentReach + ')' + (q.lead ? ' · lead' : '');
  return el('span', { class: 'incident-group' },
    el('strong', {}, q.incident), ' reach ' + i.reach + ' · ' + i.members + ' members: ' +
      i.open + ' waiting, ' + i.assigned + ' assigned, ' + i.pending + ' pending · leads ',
    ...(i.leads.length ? i.leads.flatMap((id, n) => (n ? [', ', auditButton(id)] : [auditButton(id)])) : ['none']),
    ...(i.oldestWaitingId ? [' · oldest ', auditButton(i.oldestWaitingId), ' ' + duration(i.oldestWaitedMs)] : []));
}

function queue(v) {
  const incidents = new Map(v.incidents.rows.map((i) => [i.key, i]));
  $('queue-note').textContent = 'best ' + v.queue.length + ' of ' + v.stats.open + ' waiting' +
    (v.queuePassedOver > 0 ? ', each incident once (' + v.queuePassedOver + ' more of their members passed over' +
      (v.queueStoppedShort ? '; the list stops there' : '') + ')' : '') +
    (v.agentFilter ? ', as ' + v.agentFilter + ' would get them' : '') + (v.skillFilter ? ', needing ' + v.skillFilter : '');
  $('queue').tBodies[0].replaceChildren(...v.queue.map((q, n) => {
    const grouped = q.incident && incidents.has(q.incident) && incidents.get(q.incident).members > 1;
    return el('tr', Object.assign({ 'data-id': q.id }, grouped ? { 'data-incident': q.incident, class: 'incident-row' } : {}),
      el('td', { class: 'num' }, n + 1),
      el('td', {}, auditButton(q.id)),
      el('td', { class: 'urgency u-' + q.urgency }, q.urgency),
      el('td', { class: 'num' }, q.impact),
      el('td', {}, incidentCell(q, incidents)),
      el('td', { class: 'num' }, duration(q.waitedMs)),
      el('td', { class: 'sla-' + q.sla }, q.sla === 'none' ? (q.respondByMs ? 'on time' : '') : q.sla.replace('_', ' ')),
      el('td', { class: 'num score' }, q.score),
      el('td', { class: 'num' }, q.parts.urgency),
      el('td', { class: 'num' }, q.parts.impact),
      el('td', { class: 'num' }, q.parts.age),
      el('td', { class: 'num' }, q.parts.sla),
      el('td', { class: 'num' }, q.parts.bound),
      el('td', {}, q.skills));
  }));
}

function incidents(v) {
  $('incidents-note').textContent = v.incidents.total > v.incidents.rows.length ? 'widest ' + v.incidents.rows.length + ' of ' + v.incidents.total : '';
  $('incidents').tBodies[0].replaceChildren(...v.incidents.rows.map((i) => el('tr', { 'data-key': i.key },
    el('td', {}, i.key),
    el('td', { class: 'num reach' }, i.reach),
    el('td', { class: 'num' }, i.members),
    el('td', { class: 'num' }, i.open),
    el('td', { class: 'num' }, i.assigned),
    el('td', { class: 'num' }, i.pending),
    el('td', {}, ...i.leads.flatMap((id, n) => (n ? [', ', auditButton(id)] : [auditButton(id)]))),
    el('td', {}, ...(i.oldestWaitingId ? [auditButton(i.oldestWaitingId), ' ' + duration(i.oldestWaitedMs)] : [''])),
    el('td', { class: 'num' }, i.firstReportMs ? duration(v.asOfMs - i.firstReportMs) : 'before the last restart'))));
}

function agents(v) {
  $('agents-note').textContent = v.agents.total > v.agents.rows.length ? 'busiest ' + v.agents.rows.length + ' of ' + v.agents.total : '';
  $('agents').tBodies[0].replaceChildren(...v.agents.rows.map((a) => el('tr', { 'data-id': a.id },
    el('td', {}, a.id),
    el('td', {}, a.status),
    el('td', { class: 'num load' + (a.held >= a.capacity ? ' full' : '') }, a.held + '/' + a.capacity),
    el('td', {}, a.waiting ? 'waiting' : ''),
    el('td', {}, ...a.holding.flatMap((h) => [auditButton(h.conversation),
      ' (' + (h.assignedAtMs ? duration(v.asOfMs - h.assignedAtMs) : '?') + (h.acked ? '' : ', not acked') + ') '])),
    el('td', { class: 'num' }, a.assignments),
    el('td', {}, a.skills))));
}

function decisions(list) {
  $('decisions').tBodies[0].replaceChildren(...list.map((d) => el('tr', {},
    el('td', { class: 'num' }, d.sequence),
    el('td', {}, d.assigned ? 'assigned (' + d.cause.toLowerCase().replace('_', ' ') + ')' : 'returned: ' + d.cause.toLowerCase().replace('_', ' ')),
    el('td', {}, auditButton(d.conversation)),
    el('td', {}, d.agent),
    el('td', {}, d.assigned ? d.score + ' = ' + d.parts.urgency + ' + ' + d.parts.impact + ' + ' + d.parts.age + ' + ' + d.parts.sla +
      (d.parts.bound ? ' + ' + d.parts.bound : '') : ''),
    el('td', { class: 'num' }, d.assigned ? d.candidates : ''),
    el('td', {}, d.runnerUp ? d.runnerUp + ' (' + d.runnerUpScore + ')' : ''),
    el('td', { class: 'num' }, d.assigned ? duration(d.waitedMs) : ''))));
}

async function audit(id) {
  $('audit').hidden = false;
  $('audit-id').textContent = id;
  $('audit-message').textContent = 'replaying the journal…';
  $('audit-trail').tBodies[0].replaceChildren();
  const { status, body } = await getJson('api/audit?conversation=' + encodeURIComponent(id));
  if (status !== 200) {
    $('audit-message').textContent = body.error;
    return;
  }
  $('audit-message').textContent = body.length === 0 ? 'nothing in the journal about ' + id : '';
  $('audit-trail').tBodies[0].replaceChildren(...body.map((e) => el('tr', {},
    el('td', { class: 'num' }, e.sequence),
    el('td', {}, new Date(e.timeMs).toLocaleString()),
    el('td', {}, e.kind),
    el('td', {}, e.agentId || ''),
    el('td', {}, e.result || ''),
    el('td', {}, [e.cause, e.note].filter((x) => x).join('; ')),
    el('td', {}, e.score != null ? pts(e.score) + ' = ' + pts(e.urgency) + ' + ' + pts(e.impact) + ' + ' + pts(e.age) + ' + ' + pts(e.sla) +
      (e.bound ? ' + ' + pts(e.bound) : '') : ''),
    el('td', {}, e.runnerUpId ? e.runnerUpId + ' (' + pts(e.runnerUpScore) + ')' : ''))));
  $('audit').scrollIntoView();
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  $('login-message').textContent = 'checking…';
  if (timer !== null) { clearTimeout(timer); timer = null; }
  poll();
});
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  filter = { agent: $('agent').value.trim(), skill: $('skill').value.trim() };
  if (timer !== null) { clearTimeout(timer); timer = null; }
  poll();
});
$('clear').addEventListener('click', () => {
  $('agent').value = '';
  $('skill').value = '';
  filter = { agent: '', skill: '' };
  if (timer !== null) { clearTimeout(timer); timer = null; }
  poll();
});
$('audit-close').addEventListener('click', () => { $('audit').hidden = true; });
// A hidden tab stops polling (no load from forgotten consoles) and resumes when shown.
document.addEventListener('visibilitychange', () => { if (!document.hidden) schedule(); });
poll();
