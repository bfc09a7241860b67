/**
 * The attacker child process of the attack scenario (forked by attack-scenario.ts, driven over
 * child-ipc.ts by attacker-protocol.ts commands). It plays every slot of the hostile mix
 * (attack-mix.ts, attack-slot.ts) from `start` to `stop`, then reports what each attack sent and
 * what the server answered. It runs apart from the honest load generators so that its work never
 * stalls their pacers or their latency clocks; its CPU is measured apart too.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttackConn } from './attack-conn.ts';
import { ATTACK_MIX, fixedFrames } from './attack-mix.ts';
import { type RoomGroup, runSlot } from './attack-slot.ts';
import {
  type AttackerCommand,
  type AttackerReport,
  type AttackSettings,
  emptyRoleCounters,
  type RoleCounters,
} from './attacker-protocol.ts';
import { ATTACKER_BASE, ipv4Text } from './bench-addresses.ts';
import { serveParent } from './child-ipc.ts';

/** How long `stop` waits for the slots to notice before it reports anyway. */
const STOP_WAIT_MS = 2_000;

interface Attack {
  startedAt: number;
  running: boolean;
  live: Set<AttackConn>;
  slots: Promise<void>[];
  roles: AttackerReport['roles'];
}

let attack: Attack | null = null;
const frames = fixedFrames();

function start(settings: AttackSettings): Attack {
  const url = new URL(settings.url);
  const current: Attack = { startedAt: performance.now(), running: true, live: new Set(), slots: [], roles: {} };
  for (const spec of ATTACK_MIX) {
    if (settings.only && !settings.only.includes(spec.role)) continue;
    const address = ipv4Text(ATTACKER_BASE + 1 + spec.address);
    const counters: RoleCounters = emptyRoleCounters(spec.slots, address);
    current.roles[spec.role] = counters;
    const rooms = new Map<number, RoomGroup>();
    for (let index = 0; index < spec.slots; index++) {
      const roomIndex = spec.roomSize > 0 ? Math.floor(index / spec.roomSize) : -1;
      let room = rooms.get(roomIndex) ?? null;
      if (spec.roomSize > 0 && !room) {
        room = { code: null, members: new Map() };
        rooms.set(roomIndex, room);
      }
      const slot = runSlot({
        spec,
        index,
        address,
        url,
        settings,
        counters,
        frames,
        room,
        seat: spec.roomSize > 0 ? index % spec.roomSize : 0,
        live: current.live,
        running: () => current.running,
      });
      current.slots.push(
        slot.catch((error: unknown) => {
          process.stderr.write(`attacker: ${spec.role} slot ${index}: ${String(error)}\n`);
        }),
      );
    }
  }
  return current;
}

async function stop(current: Attack): Promise<AttackerReport> {
  current.running = false;
  const durationMs = performance.now() - current.startedAt;
  for (const conn of current.live) conn.destroy();
  await Promise.race([Promise.all(current.slots), sleep(STOP_WAIT_MS)]);
  for (const conn of current.live) conn.destroy();
  return { durationMs, roles: current.roles };
}

async function handle(command: AttackerCommand): Promise<AttackerReport> {
  switch (command.type) {
    case 'ready':
      return { durationMs: 0, roles: {} };
    case 'start':
      if (attack?.running) throw new Error('an attack is already running');
      attack = start(command.settings);
      return { durationMs: 0, roles: attack.roles };
    case 'stop':
      if (!attack) throw new Error('no attack to stop');
      return stop(attack);
    default:
      return assertNever(command);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown command ${JSON.stringify(value)}`);
}

serveParent(handle);
