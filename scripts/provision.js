#!/usr/bin/env node
// What the test suite needs from the machine beyond `npm install`: Debian packages for the
// loopback-only network namespace every test run uses, the browser tests (Chromium), the TURN
// tests (coturn), the TLS test (openssl) and the lobby cluster tests (redis-server). `provision()`
// finds what is missing and, as root (or with passwordless sudo) on a machine with apt-get,
// installs it and says so, as `playwright install --with-deps` does, without letting any package
// start a system service. Where it cannot, it says what is missing, which suites that skips, and
// the one command that would install it.
//
// `node scripts/provision.js` provisions and prints what it did (CI runs it before `npm ci`);
// `npm test` (scripts/test.js) calls it before running the suite. TICKMESH_NO_INSTALL=1: only check.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each tool: how to find it, its Debian package, and what runs without it. */
export const TOOLS = [
  { name: 'unshare', apt: 'util-linux', suites: 'every test (the loopback-only network namespace)' },
  { name: 'ip', apt: 'iproute2', suites: 'every test (the loopback-only network namespace)' },
  { name: 'chromium', path: '/usr/bin/chromium', apt: 'chromium', suites: 'the browser tests (tests/browser)' },
  {
    name: 'turnserver',
    apt: 'coturn',
    suites: 'the TURN tests (tests/netcode/turn-node, the relay test of tests/browser/mesh-chromium)',
  },
  { name: 'openssl', apt: 'openssl', suites: 'the TLS test (tests/lobby-server/server-tls)' },
  {
    name: 'redis-server',
    apt: 'redis-server',
    suites: 'the lobby cluster tests (tests/lobby-server/cluster-*) and `npm run bench:lobby -- --cluster 3`',
  },
];

/** True when `tool` is on this machine. */
export function hasTool(tool) {
  if (tool.path) return existsSync(tool.path);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, tool.name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The command a person would run to install `tools`. */
export const installCommand = (tools) => `sudo apt-get install -y ${[...new Set(tools.map((t) => t.apt))].join(' ')}`;

/** How this process may run apt-get: directly as root, through passwordless sudo, or not at all. */
function aptRunner() {
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (apt.status !== 0) return null;
  if (process.getuid?.() === 0) return [];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? ['sudo', '-n'] : null;
}

function run(argv, env) {
  const result = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env });
  return result.status === 0;
}

/**
 * Installs the missing tools where it can; returns those still missing afterwards.
 * `log` gets one line per thing worth telling a person.
 */
export function provision({ install = process.env.TICKMESH_NO_INSTALL !== '1', log = () => {} } = {}) {
  const missing = TOOLS.filter((t) => !hasTool(t));
  if (missing.length === 0) return [];
  const runner = install ? aptRunner() : null;
  if (runner === null) return missing;
  const packages = [...new Set(missing.map((t) => t.apt))];
  log(
    `tickmesh: installing ${packages.join(', ')} with apt-get (needed by ${missing.map((t) => t.suites).join('; ')})`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // No package may start a system service here (coturn's would listen on every interface,
  // redis-server's would hold 6379 and keep running after the tests): the standard policy-rc.d
  // veto, unless the machine already has one. Both ways a maintainer script starts a service ask
  // it (invoke-rc.d, and deb-systemd-invoke on systemd) and start nothing on its 101. It does not
  // stop a package enabling its service for the next boot.
  const veto = '/usr/sbin/policy-rc.d';
  const addVeto = !existsSync(veto);
  if (addVeto && !writeVeto(runner, veto)) {
    log(`tickmesh: could not write ${veto}; nothing installed`);
    return missing;
  }
  try {
    const ok =
      run([...runner, 'apt-get', 'update', '-qq'], env) &&
      run([...runner, 'apt-get', 'install', '-y', '-qq', ...packages], env);
    if (!ok) log('tickmesh: apt-get failed; see its messages above');
  } finally {
    if (addVeto) removeVeto(runner, veto);
  }
  return TOOLS.filter((t) => !hasTool(t));
}

const VETO_SCRIPT = '#!/bin/sh\nexit 101\n';

/** Writes a policy-rc.d that refuses every service action, as root or through sudo; true if written. */
function writeVeto(runner, veto) {
  if (runner.length === 0) {
    writeFileSync(veto, VETO_SCRIPT, { mode: 0o755 });
    return true;
  }
  const written = spawnSync(...sudoSh(runner, `cat > ${veto} && chmod 755 ${veto}`), {
    input: VETO_SCRIPT,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  return written.status === 0;
}

function removeVeto(runner, veto) {
  if (runner.length === 0) rmSync(veto, { force: true });
  else spawnSync(...sudoSh(runner, `rm -f ${veto}`), { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** `[command, args]` for spawnSync that run `script` with sh through `runner` (sudo). */
function sudoSh(runner, script) {
  const [command, ...rest] = runner;
  return [command, [...rest, 'sh', '-c', script]];
}

/** One loud paragraph about what is missing and what that skips. */
export function missingReport(missing) {
  if (missing.length === 0) return '';
  const lines = missing.map((t) => `  - ${t.name} (Debian package ${t.apt}): ${t.suites} will be skipped`);
  return [
    '',
    '!!! tickmesh: NOT EVERY SUITE CAN RUN ON THIS MACHINE !!!',
    ...lines,
    `  To run them: ${installCommand(missing)}   (then npm test again)`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = provision({ log: (line) => process.stdout.write(`${line}\n`) });
  for (const tool of TOOLS) {
    process.stdout.write(`${tool.name}: ${hasTool(tool) ? 'present' : 'MISSING'}\n`);
  }
  if (missing.length > 0) {
    process.stderr.write(`${missingReport(missing)}\n`);
    process.exit(1);
  }
}
