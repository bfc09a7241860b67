#!/usr/bin/env node
// Runs a command inside a fresh loopback-only network namespace (Linux: `unshare -rn`, then
// `ip link set lo up`), so that nothing a test, bench or bot starts (WebRTC above all) can reach
// any interface but 127.0.0.1. Used by `npm test` and `npm run bench:*`; see README "Testing".
//
// Already inside (TICKMESH_NETNS=1): runs the command as is. Not Linux: runs it as is, with a
// notice. Linux without a working `unshare`: fails, unless TICKMESH_ALLOW_HOST_NETWORK=1.
import { spawnSync } from 'node:child_process';

const command = process.argv.slice(2);
if (command.length === 0) {
  process.stderr.write('usage: node scripts/in-netns.js <command> [args...]\n');
  process.exit(2);
}

function run(argv, env) {
  const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env, shell: false });
  if (result.error) {
    process.stderr.write(`in-netns: cannot run ${argv[0]}: ${result.error.message}\n`);
    return 127;
  }
  return result.status ?? (result.signal ? 128 : 1);
}

const resolved = command[0] === 'vitest' || command[0] === 'tsx' ? ['npx', '--no-install', ...command] : command;

if (process.env.TICKMESH_NETNS === '1' || process.env.TICKMESH_ALLOW_HOST_NETWORK === '1') {
  process.exit(run(resolved, process.env));
}
if (process.platform !== 'linux') {
  process.stderr.write('in-netns: not Linux; running without a private network namespace\n');
  process.exit(run(resolved, process.env));
}
const probe = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up'], { stdio: 'pipe' });
if (probe.status !== 0) {
  process.stderr.write(
    `in-netns: cannot create a loopback-only network namespace (unshare -rn, ip link set lo up): ${
      probe.error?.message ?? probe.stderr.toString().trim()
    }\nInstall util-linux and iproute2, allow unprivileged user namespaces, or set TICKMESH_ALLOW_HOST_NETWORK=1 to run on the host network.\n`,
  );
  process.exit(1);
}
process.exit(
  run(['unshare', '-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'in-netns', ...resolved], {
    ...process.env,
    TICKMESH_NETNS: '1',
  }),
);
