/**
 * `npm run bots -- --lobby ws://127.0.0.1:8080/lobby --room CODE --count 3`: bot players in Node
 * that join a room, ready up and play (move, aim, shoot) until stopped (Ctrl-C).
 *
 * The root script runs them inside the loopback-only network namespace (scripts/in-netns.js), so
 * they reach a lobby server in that same namespace (the tests start one); on your own machine,
 * `TICKMESH_ALLOW_HOST_NETWORK=1 npm run bots -- ...` runs them against `npm start`.
 */
import type { Logger } from '@tickmesh/netcode';
import { cac } from 'cac';
import { type Bot, startBot } from './bot.js';

const NAMES = ['Vex', 'Kestrel', 'Moss', 'Juno', 'Pike', 'Wren', 'Orbit', 'Tansy', 'Flint', 'Ember', 'Sable', 'Quill'];

const cli = cac('arena-bots');
cli.option('--lobby <url>', 'lobby WebSocket URL', { default: 'ws://127.0.0.1:8080/lobby' });
cli.option('--room <code>', 'room code to join (default: quick play)');
cli.option('--count <n>', 'how many bots', { default: 3 });
cli.option('--seed <n>', 'seed of the bots’ choices', { default: 1 });
cli.help();
const { options } = cli.parse();
if (options.help) process.exit(0);

const count = Number(options.count);
if (!Number.isInteger(count) || count < 1 || count > 15) {
  console.error('--count must be an integer in 1..15');
  process.exit(2);
}
const logger: Logger = {
  debug: () => {},
  warn: (message, fields) => console.error(`warn: ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`error: ${message}`, fields ?? ''),
};

const bots: Bot[] = [];
const stop = () => {
  for (const bot of bots) bot.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  for (let i = 0; i < count; i++) {
    const name = `${NAMES[i % NAMES.length]} (bot)`;
    const room: string | null = options.room ? String(options.room) : (bots[0]?.lobby.room?.code ?? null);
    bots.push(await startBot({ lobbyUrl: String(options.lobby), room, name, seed: Number(options.seed) + i, logger }));
    console.log(`${name} joined room ${bots[i]?.lobby.room?.code} as ${bots[i]?.lobby.peerId}`);
  }
} catch (error) {
  console.error(String(error));
  stop();
}
