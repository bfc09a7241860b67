#!/usr/bin/env node
// `npm test`: provisions what the suite needs from the machine (scripts/provision.js: Chromium,
// coturn, ... installed with apt-get where this process may), runs Vitest inside a loopback-only
// network namespace (scripts/in-netns.js) with any arguments given, then says loudly which
// suites could not run and the one command that enables them. Under CI=true a suite that could
// not run fails the run: CI must run everything.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { missingReport, provision } from './provision.js';

const log = (line) => process.stderr.write(`${line}\n`);
const missing = provision({ log });
if (missing.length > 0) log(missingReport(missing));

const inNetns = fileURLToPath(new URL('./in-netns.js', import.meta.url));
const result = spawnSync(process.execPath, [inNetns, 'vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
let status = result.status ?? 1;

if (missing.length > 0) {
  log(missingReport(missing));
  if (process.env.CI === 'true' || process.env.CI === '1') {
    log('tickmesh: CI=true and some suites were skipped: failing the run.');
    status = status || 1;
  }
}
process.exit(status);
