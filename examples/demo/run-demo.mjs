#!/usr/bin/env node
// The README's main job on embedded defaults: starts a small demo metrics endpoint on loopback,
// then runs `assay run` against it twice — a healthy release (promote) and a bad one (roll back) —
// and prints both verdicts. Needs nothing but Node and `npm install`.
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const assay = join(here, '..', '..', 'bin', 'assay.js');
const template = join(here, 'checkout-health.yaml');

// Two fake services: "green" is healthy; "red" degrades after its second scrape.
const scrapes = { green: 0, red: 0 };
const server = createServer((req, res) => {
  const which = req.url?.includes('red') ? 'red' : 'green';
  const n = scrapes[which]++;
  const body =
    which === 'green'
      ? { successRate: 0.99 - (n % 3) * 0.005, latencyP99Ms: 120 + (n % 4) * 10 }
      : { successRate: n < 2 ? 0.98 : 0.81, latencyP99Ms: n < 2 ? 150 : 420 };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

function run(service) {
  return new Promise((resolve) => {
    console.log(`\n$ assay run -f examples/demo/checkout-health.yaml -a metrics-url=${base}/${service}`);
    const child = spawn(process.execPath, [assay, 'run', '-f', template, '-a', `metrics-url=${base}/${service}`, '--name', `demo-${service}`], {
      stdio: 'inherit',
    });
    child.on('exit', (code) => resolve(code));
  });
}

const green = await run('green');
console.log(`exit status ${green}: ${green === 0 ? 'promote' : 'roll back'}`);
const red = await run('red');
console.log(`exit status ${red}: ${red === 0 ? 'promote' : 'roll back'}`);
server.close();
process.exit(green === 0 && red === 1 ? 0 : 1);
