#!/usr/bin/env -S node --max-semi-space-size=4
// The tickmesh lobby server. Built output lives in ../dist (the root `npm install` builds it).
//
// --max-semi-space-size=4 (MB): V8's young generation otherwise grows to tens of MB under a burst
// of connections, tripling the memory of thousands of idle sockets (npm run bench:lobby: 2.9 KB
// per idle connection with it, 7.4 KB without), for a small cost in throughput. Run the file
// with plain `node` and pass the flag yourself (NODE_OPTIONS works too), as `npm start` does.
import { main } from '../dist/main.js';

main(process.argv.slice(2), process.env).catch((error) => {
  process.stderr.write(`tickmesh-lobby: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error?.code === 'CONFIG_INVALID' || error?.name === 'CACError' ? 2 : 1);
});
