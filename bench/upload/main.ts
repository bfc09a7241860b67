/**
 * `npm run bench:upload [-- --json] [--players 4,8]`: what a player of the arena uploads in a
 * mesh of n players, on the wire. n arena bots (examples/arena-game/bots: the real lobby client,
 * session, game and bot brain over @roamhq/wrtc, the libwebrtc Chromium has) play a round in a
 * room of a real lobby on loopback (scripts/in-netns.js). After a warm-up, every bot's links are
 * read once a second for a window (`mesh.stats(peer).bytesOutPerS`: the selected candidate pair's
 * bytes, so DTLS, SCTP and the data channels' own traffic are in; IP and UDP headers are not).
 *
 * Baseline, measured in the same run: a star, where a client sends its inputs to the host only
 * (what a client uploads on its host link alone); the host uploads the same either way. The
 * difference is what a mesh costs a client for its inputs reaching every peer directly. No voice
 * or camera here: docs/design.md "Why a mesh" adds those from their own measurements.
 *
 * Every bot runs in this one process and every peer's game runs at 60 Hz on two shared cores, so
 * sizes past 8 measure the machine more than the mesh (the table says when ticks fell behind).
 */
import { parseArgs } from 'node:util';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { type Logger, syncDefaults } from '@tickmesh/netcode';
import { type Bot, startBot } from '../../examples/arena-game/bots/bot.ts';
import { letTimePass, waitFor } from '../../tests/helpers/wait.ts';

const WARMUP_MS = 4_000;
const WINDOW_S = 10;
const log = (line: string) => process.stderr.write(`${line}\n`);
const quiet: Logger = { debug: () => {}, warn: () => {}, error: (m) => log(`error: ${m}`) };
const kbit = (bytesPerS: number) => Math.round((bytesPerS * 8) / 1000);
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

interface SizeResult {
  players: number;
  links: number;
  /** Host: kbit/s up over all its links, and per link. */
  hostUpKbps: number;
  hostUpPerLinkKbps: number;
  /** The busiest client: kbit/s up over all its links (mesh), and to the host alone (star baseline). */
  clientUpKbps: number;
  clientUpToHostKbps: number;
  /** Packets per second on a host link, out (snapshots, pongs; our frames). */
  hostPacketsPerLinkPerS: number;
  /** Ticks the host's game stepped per second over the window (60 when the machine kept up). */
  hostTicksPerS: number;
}

async function measure(players: number): Promise<SizeResult> {
  const lobby: LobbyServer = await startLobbyServer({
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    // n bots in one process gather and trickle many candidates at once: out of the rate limit's way.
    rateLimitPerS: 5_000,
    rateBurst: 5_000,
  });
  const bots: Bot[] = [];
  try {
    const url = `ws://127.0.0.1:${lobby.port}/lobby`;
    for (let i = 0; i < players; i++) {
      const room = bots[0]?.lobby.room?.code ?? null;
      bots.push(
        await startBot({
          lobbyUrl: url,
          room,
          createMaxPlayers: players,
          name: `bot${i + 1}`,
          seed: 7 + i,
          logger: quiet,
        }),
      );
    }
    const host = bots[0];
    if (!host) throw new Error('no bots');
    await waitFor(
      () =>
        bots.every((b) => [...b.net.peers().values()].filter((p) => p.link === 'connected').length === players - 1) &&
        (host.lobby.room?.peers.every((p) => p.id === host.lobby.room?.hostId || p.ready) ?? false),
      `${players} bots linked and ready`,
      { timeoutMs: 60_000 },
    );
    const started = await host.lobby.start();
    if (!started.ok) throw new Error(`start refused: ${started.code}`);
    await waitFor(() => bots.every((b) => b.net.role() === 'hosting' || b.net.role() === 'playing'), 'all playing', {
      timeoutMs: 30_000,
    });
    await letTimePass(WARMUP_MS); // links' rates settle after the first full snapshots
    const hostId = host.lobby.peerId ?? '';
    const up = new Map<Bot, number[]>(bots.map((b) => [b, []]));
    const toHost = new Map<Bot, number[]>(bots.map((b) => [b, []]));
    const hostPackets: number[] = [];
    const tickAt = host.net.view()?.tick ?? 0;
    const startedAt = performance.now();
    for (let s = 0; s < WINDOW_S; s++) {
      await letTimePass(1_000); // one stats sample a second (meshDefaults.statsIntervalMs)
      for (const bot of bots) {
        let sum = 0;
        for (const peer of bot.net.peers().keys()) {
          const stats = bot.net.session.mesh.stats(peer);
          sum += stats?.bytesOutPerS ?? 0;
          if (peer === hostId) toHost.get(bot)?.push(stats?.bytesOutPerS ?? 0);
          if (bot === host) hostPackets.push(stats?.packetsOutPerS ?? 0);
        }
        up.get(bot)?.push(sum);
      }
    }
    const hostTicksPerS = ((host.net.view()?.tick ?? 0) - tickAt) / ((performance.now() - startedAt) / 1000);
    const clients = bots.slice(1);
    const busiest = clients.reduce((a, b) => (mean(up.get(b) ?? []) > mean(up.get(a) ?? []) ? b : a));
    const hostUp = mean(up.get(host) ?? []);
    return {
      players,
      links: (players * (players - 1)) / 2,
      hostUpKbps: kbit(hostUp),
      hostUpPerLinkKbps: kbit(hostUp / (players - 1)),
      clientUpKbps: kbit(mean(up.get(busiest) ?? [])),
      clientUpToHostKbps: kbit(mean(toHost.get(busiest) ?? [])),
      hostPacketsPerLinkPerS: Math.round(mean(hostPackets)),
      hostTicksPerS: Math.round(hostTicksPerS),
    };
  } finally {
    for (const bot of bots) bot.close();
    await lobby.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, players: { type: 'string', default: '4,8' } },
  });
  const sizes = values.players.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 16)) {
    log('--players: a comma-separated list of room sizes, each 2..16');
    return 2;
  }
  const results: SizeResult[] = [];
  for (const n of sizes) {
    log(`bench:upload: ${n} bots, ${WARMUP_MS / 1000} s warm-up and ${WINDOW_S} s measured...`);
    results.push(await measure(n));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, windowS: WINDOW_S, results }, null, 2)}\n`);
    return 0;
  }
  const head = ['players', 'links', 'host up', 'per host link', 'client up (mesh)', 'client up (star)', 'host ticks/s'];
  const rows = results.map((r) => [
    `${r.players}`,
    `${r.links}`,
    `${r.hostUpKbps} kbit/s`,
    `${r.hostUpPerLinkKbps} kbit/s, ${r.hostPacketsPerLinkPerS} pkt/s`,
    `${r.clientUpKbps} kbit/s`,
    `${r.clientUpToHostKbps} kbit/s`,
    r.hostTicksPerS < syncDefaults.tickRateHz * 0.95
      ? `${r.hostTicksPerS} of ${syncDefaults.tickRateHz}: the machine fell behind, not a figure of the mesh`
      : `${r.hostTicksPerS} of ${syncDefaults.tickRateHz}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [head, ...rows])
    process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
  process.stdout.write(
    '\nOn the wire (selected candidate pair: DTLS, SCTP and data channel framing in; IP/UDP headers out).\n' +
      'Star: what the busiest client sends its host alone, measured in the same run.\n',
  );
  return 0;
}

process.exitCode = await main();
