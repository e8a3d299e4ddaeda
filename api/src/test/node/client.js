// A Node.js client built only from triage.proto: exercises the contract from another language.
// Usage: node client.js HOST:PORT PROTO_DIR. Prints one JSON line; exits 1 on any mismatch.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const path = require('path');

const [target, protoDir] = process.argv.slice(2);
const definition = protoLoader.loadSync(path.join(protoDir, 'triage/v1/triage.proto'),
  { keepCase: false, longs: Number, enums: String, defaults: true, includeDirs: [protoDir] });
const Triage = grpc.loadPackageDefinition(definition).triage.v1.Triage;
const client = new Triage(target, grpc.credentials.createInsecure());
const call = (method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: Date.now() + 10000 }, (err, reply) => err ? reject(err) : resolve(reply)));

function check(condition, what) {
  if (!condition) {
    console.log(JSON.stringify({ ok: false, failed: what }));
    process.exit(1);
  }
}

(async () => {
  await call('upsertAgent', { agentId: 'node-agent', skills: ['js'], capacity: 2 });
  await call('open', { id: 'N-1', urgency: 'NORMAL', impact: 1, skills: ['js'] });
  const opened = await call('open', { id: 'N-2', urgency: 'CRITICAL', impact: 3, skills: ['js'] });
  check(opened.state === 'OPEN', 'open returns OPEN');
  const next = await call('nextBest', { agentId: 'node-agent' });
  check(next.assigned === true && next.conversationId === 'N-2', 'nextBest assigns N-2');
  check(next.score.urgency === 1000 && next.score.impact === 120, 'score breakdown 1000 + 120');
  check(next.runnerUpId === 'N-1' && next.candidates === 2, 'runner-up N-1 of 2 candidates');
  const top = await call('top', { n: 5 });
  check(top.entries.length === 1 && top.entries[0].id === 'N-1', 'top lists N-1');
  let code = null;
  try {
    await call('open', { id: 'bad id', urgency: 'LOW', impact: 1 });
  } catch (err) {
    code = err.code;
  }
  check(code === grpc.status.INVALID_ARGUMENT, 'invalid id is INVALID_ARGUMENT');
  console.log(JSON.stringify({ ok: true, assigned: next.conversationId, score: next.score.total, runnerUp: next.runnerUpId }));
  client.close();
})().catch(err => {
  console.log(JSON.stringify({ ok: false, error: String(err) }));
  process.exit(1);
});
