#!/usr/bin/env node
// The tickmesh lobby server. Built output lives in ../dist (the root `npm install` builds it).
import { main } from '../dist/main.js';

main(process.argv.slice(2), process.env).catch((error) => {
  process.stderr.write(`tickmesh-lobby: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error?.code === 'CONFIG_INVALID' || error?.name === 'CACError' ? 2 : 1);
});
