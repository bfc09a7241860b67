/**
 * CPU time and resident memory of another process, read from Linux /proc (proc(5)):
 * `/proc/<pid>/stat` fields 14-15 (utime, stime: every thread of the process, in clock ticks) and
 * `/proc/<pid>/status` `VmRSS`, and the machine-wide busy time of `/proc/stat`. Reading from
 * outside costs the measured process nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ, 100 on every mainstream Linux). */
const ticksPerS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds `pid` has used so far, in user space and in the kernel. */
export function cpuTimes(pid: number): { userS: number; systemS: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is parenthesised and may hold spaces: count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userS: Number(fields[11]) / ticksPerS, systemS: Number(fields[12]) / ticksPerS };
}

/** User plus system CPU seconds `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const { userS, systemS } = cpuTimes(pid);
  return userS + systemS;
}

/** Resident set size of `pid` in KiB. */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** CPU seconds of several processes together. */
export function totalCpuSeconds(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += cpuSeconds(pid);
  return total;
}

/**
 * CPU seconds the whole machine has been busy (all cores: user, nice, system, and steal, i.e. time
 * the hypervisor gave to someone else), from the `cpu` line of /proc/stat. Interrupt time is left
 * out: on loopback it is mostly the processes under test moving their own packets.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + steal) / ticksPerS;
}
