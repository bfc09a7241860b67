/**
 * What the server holds per client address, so that no one address can take more than its share:
 * open connections and sessions waiting in their reconnect grace (one limit for both: a client
 * that connects, says hello and drops, again and again, would otherwise fill the server with
 * sessions), live rooms it created, and `room.join`s that named no room in the last minute
 * (room code guessing). An entry lives only while it counts something, so the book itself stays
 * bounded by the connections and rooms it describes.
 *
 * Addresses are keys, not proof of anything: an IPv6 client holds a whole /64, so IPv6 addresses
 * are counted by their /64 prefix; an IPv4-mapped IPv6 address counts as its IPv4 address.
 */
import { isIPv6 } from 'node:net';

/** The key an address is counted under (see the header). Unparseable text is its own key. */
export function addressKey(text: string): string {
  const address = text.trim();
  if (!isIPv6(address)) return address;
  const h = expandIPv6(address);
  // IPv4-mapped (::ffff:a.b.c.d, as a dual-stack socket reports IPv4 clients) counts as IPv4.
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return toIPv4(h[6] ?? 0, h[7] ?? 0);
  return `${h
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

const toIPv4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** The eight 16-bit groups of a valid IPv6 address (zone and embedded IPv4 handled). */
function expandIPv6(address: string): number[] {
  let text = address.split('%')[0] ?? address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => Number.parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/**
 * The client address of an upgrade request: the socket's, or with `trustProxy` the last
 * `X-Forwarded-For` entry (the one the trusted proxy appended; earlier ones are the client's claims).
 */
export function clientAddress(socketAddress: string, forwardedFor: string, trustProxy: boolean): string {
  if (trustProxy && forwardedFor !== '') {
    const last = forwardedFor.split(',').at(-1)?.trim();
    if (last) return addressKey(last);
  }
  return addressKey(socketAddress);
}

interface AddressEntry {
  connections: number;
  /** Sessions made from this address that wait in their reconnect grace. */
  graced: number;
  rooms: number;
  /** Times (ms, monotonic) of recent failed joins, oldest first. */
  failedJoins: number[];
}

export interface AddressBookLimits {
  maxConnsPerIp: number;
  maxRoomsPerIp: number;
  joinFailuresPerMin: number;
}

const MINUTE_MS = 60_000;

export class AddressBook {
  private readonly entries = new Map<string, AddressEntry>();

  constructor(private readonly limits: AddressBookLimits) {}

  private entry(address: string): AddressEntry {
    let entry = this.entries.get(address);
    if (!entry) {
      entry = { connections: 0, graced: 0, rooms: 0, failedJoins: [] };
      this.entries.set(address, entry);
    }
    return entry;
  }

  private release(address: string, entry: AddressEntry): void {
    if (entry.connections === 0 && entry.graced === 0 && entry.rooms === 0 && entry.failedJoins.length === 0)
      this.entries.delete(address);
  }

  /** Counts a connection (until {@link connectionClosed}, whether it is let in or not). */
  connectionOpened(address: string): void {
    this.entry(address).connections++;
  }

  /** True while the address's connections and sessions in grace are within `maxConnsPerIp`. */
  mayHoldConnections(address: string): boolean {
    const entry = this.entries.get(address);
    return entry === undefined || entry.connections + entry.graced <= this.limits.maxConnsPerIp;
  }

  /** A session from `address` began its reconnect grace. */
  graceStarted(address: string): void {
    this.entry(address).graced++;
  }

  /** A session from `address` left its grace (resumed or expired). */
  graceEnded(address: string): void {
    const entry = this.entries.get(address);
    if (!entry) return;
    entry.graced = Math.max(0, entry.graced - 1);
    this.release(address, entry);
  }

  connectionClosed(address: string): void {
    const entry = this.entries.get(address);
    if (!entry) return;
    entry.connections = Math.max(0, entry.connections - 1);
    this.release(address, entry);
  }

  /** True when the address may create one more room. */
  mayCreateRoom(address: string): boolean {
    return (this.entries.get(address)?.rooms ?? 0) < this.limits.maxRoomsPerIp;
  }

  roomOpened(address: string): void {
    this.entry(address).rooms++;
  }

  roomClosed(address: string): void {
    const entry = this.entries.get(address);
    if (!entry) return;
    entry.rooms = Math.max(0, entry.rooms - 1);
    this.release(address, entry);
  }

  /** True when the address has named no room fewer times than its limit in the last minute. */
  mayJoin(address: string, nowMs: number): boolean {
    const entry = this.entries.get(address);
    if (!entry) return true;
    this.forgetOldFailures(entry, nowMs);
    const ok = entry.failedJoins.length < this.limits.joinFailuresPerMin;
    this.release(address, entry);
    return ok;
  }

  joinFailed(address: string, nowMs: number): void {
    const entry = this.entry(address);
    this.forgetOldFailures(entry, nowMs);
    // Never more than the limit is kept: past it, joins are refused before they can fail.
    if (entry.failedJoins.length < this.limits.joinFailuresPerMin) entry.failedJoins.push(nowMs);
  }

  private forgetOldFailures(entry: AddressEntry, nowMs: number): void {
    let drop = 0;
    while (drop < entry.failedJoins.length && (entry.failedJoins[drop] ?? 0) <= nowMs - MINUTE_MS) drop++;
    if (drop > 0) entry.failedJoins.splice(0, drop);
  }

  /** Forgets failed joins older than a minute (for addresses that never came back). */
  sweep(nowMs: number): void {
    for (const [address, entry] of this.entries) {
      this.forgetOldFailures(entry, nowMs);
      this.release(address, entry);
    }
  }

  /** Addresses currently counted (a gauge). */
  get size(): number {
    return this.entries.size;
  }
}
