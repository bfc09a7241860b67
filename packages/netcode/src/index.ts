/**
 * `@tickmesh/netcode`: the library a browser game imports (lobby client, WebRTC mesh, fixed-tick
 * sync, prediction, interpolation, voice). Filled in by the transport, sync and voice milestones;
 * see docs/design.md. Re-exports the lobby protocol so games need one import.
 */
export * from '@tickmesh/protocol';
