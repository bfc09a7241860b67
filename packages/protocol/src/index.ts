/**
 * `@tickmesh/protocol`: the tickmesh lobby protocol, version 1 (docs/lobby-protocol.md), shared by
 * the lobby server and every client.
 */

export * from './check.js';
export * from './client-messages.js';
export * from './codes.js';
export * from './limits.js';
export * from './parse.js';
export * from './server-messages.js';
export * from './text.js';
