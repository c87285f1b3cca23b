#!/usr/bin/env node
// Sends N signed /incident slash commands one after another on one kept-alive
// connection, built with the shared loadgen's own request code (same body,
// headers and signature as its wrk load), and fails on any answer that is not
// 200 or lacks EXPECT. Sequential on purpose: callgrind_show.sh counts the
// bot's instructions per request, and one request at a time makes that count
// independent of how requests happen to batch.
//   node send_commands.mjs URL SECRET TEXT N [EXPECT]
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [url, secret, text, nArg, expect] = process.argv.slice(2);
const n = Number(nArg);
if (!url || !secret || !text || !(n > 0)) {
  console.error('usage: send_commands.mjs URL SECRET TEXT N [EXPECT]');
  process.exit(2);
}
const shared = process.env.WARROOM_SHARED_BENCH || path.join(import.meta.dirname ?? '.', '../../shared/bench');
const { sign, slashCommandBody, slackHeaders, newRunTag } =
  await import(pathToFileURL(path.join(shared, 'loadgen/slack-command.mjs')).href);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const tag = newRunTag();
const post = (body, headers) => new Promise((resolve, reject) => {
  const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } },
    (res) => { let data = ''; res.on('data', (c) => { data += c; }); res.on('end', () => resolve([res.statusCode, data])); });
  req.on('error', reject);
  req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
  req.end(body);
});

for (let i = 1; i <= n; i++) {
  const ts = Math.floor(Date.now() / 1000);
  const body = slashCommandBody(text, i, tag);
  const [status, answer] = await post(body, slackHeaders(ts, sign(secret, ts, body)));
  if (status !== 200 || (expect && !answer.includes(expect))) {
    console.error(`request ${i}: HTTP ${status} ${answer.slice(0, 300)}`);
    process.exit(1);
  }
}
agent.destroy();
