/**
 * A custom map the host picks in the room lobby (a small JSON file, sim/maps.ts `parseArenaMap`),
 * shared with every member by the netcode's file transfer before the round starts:
 * - host: the file is checked first (an invalid one is refused with the reason, nothing sent),
 *   then sent to every member, and to members who link later; the room's settings name
 *   CUSTOM_MAP_ID; Start waits until every member has confirmed the file (its SHA-256 checked).
 * - member: takes a map file only from the room's host and only up to MAX_MAP_FILE_BYTES, checks
 *   it the same way, and makes it the page's custom map (`mapById(CUSTOM_MAP_ID)`).
 */
import type { FileTransfer, Mesh, Room } from '@tickmesh/netcode';
import { CUSTOM_MAP_ID, MAX_MAP_FILE_BYTES, parseArenaMap, setCustomMap } from '../sim/maps.js';

export interface CustomMapDeps {
  room(): Room | null;
  selfId(): string | null;
  /** Host: names the custom map in the room's settings. */
  useCustomMap(): void;
  changed(): void;
}

export interface CustomMapShare {
  /** The net's file transfer and mesh (a new net: a new room). */
  attach(files: FileTransfer, mesh: Pick<Mesh<unknown>, 'on'>): void;
  /** Host: the file the player picked. */
  pick(file: File): Promise<void>;
  /** What the room lobby says about it ('' when no custom map is in play). */
  text(): string;
  /** Host: members who do not have the map yet (Start waits for them). */
  missing(): string[];
}

export function createCustomMapShare(deps: CustomMapDeps): CustomMapShare {
  let files: FileTransfer | null = null;
  let shared: { name: string; blob: Blob; fileName: string } | null = null;
  const delivered = new Set<string>();
  const sending = new Set<string>();
  let note = '';
  let off: (() => void)[] = [];

  const isHost = () => {
    const room = deps.room();
    return room !== null && room.hostId === deps.selfId();
  };

  function sendTo(peerId: string): void {
    if (!files || !shared || delivered.has(peerId) || sending.has(peerId)) return;
    sending.add(peerId);
    const name = shared.name;
    void files.send(peerId, shared.blob, { name: shared.fileName, type: 'application/json' }).result.then((result) => {
      sending.delete(peerId);
      if (shared?.name !== name) return;
      if (result.ok) delivered.add(peerId);
      deps.changed();
    });
  }

  function members(): string[] {
    const room = deps.room();
    return (room?.peers ?? []).filter((p) => p.id !== deps.selfId() && p.connected).map((p) => p.id);
  }

  async function receive(blob: Blob): Promise<void> {
    const checked = parseArenaMap(await blob.text());
    if (!checked.ok) {
      note = `The host's map was refused: ${checked.message}`;
    } else {
      setCustomMap(checked.map);
      note = `Custom map: ${checked.map.name}`;
    }
    deps.changed();
  }

  return {
    attach(next, mesh) {
      for (const unsubscribe of off) unsubscribe();
      files = next;
      shared = null;
      delivered.clear();
      sending.clear();
      note = '';
      setCustomMap(null);
      off = [
        next.on('offer', (offer) => {
          const room = deps.room();
          if (room && offer.peerId === room.hostId && offer.size <= MAX_MAP_FILE_BYTES && !isHost()) offer.accept();
          else offer.refuse();
        }),
        next.on('end', (end) => {
          if (end.direction === 'in' && end.result.ok) void receive(end.result.blob);
        }),
        mesh.on('link', ({ peerId, state }) => {
          if (state === 'connected' && isHost()) sendTo(peerId);
        }),
      ];
    },
    async pick(file) {
      if (!isHost()) return;
      if (file.size > MAX_MAP_FILE_BYTES) {
        note = `Map refused: the file is over ${MAX_MAP_FILE_BYTES / 1024} KB`;
        deps.changed();
        return;
      }
      const text = await file.text();
      const checked = parseArenaMap(text);
      if (!checked.ok) {
        note = `Map refused: ${checked.message}`;
        deps.changed();
        return;
      }
      setCustomMap(checked.map);
      shared = { name: checked.map.name, blob: new Blob([text], { type: 'application/json' }), fileName: file.name };
      delivered.clear();
      note = `Custom map: ${checked.map.name}`;
      for (const peerId of members()) sendTo(peerId);
      deps.useCustomMap();
      deps.changed();
    },
    text() {
      if (!isHost() || !shared) return note;
      const waiting = this.missing().length;
      return waiting === 0
        ? `${note} (every player has it)`
        : `${note} (sending to ${waiting} player${waiting === 1 ? '' : 's'}…)`;
    },
    missing() {
      if (!isHost() || !shared || deps.room()?.settings?.map !== CUSTOM_MAP_ID) return [];
      return members().filter((id) => !delivered.has(id));
    },
  };
}
