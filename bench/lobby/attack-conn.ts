/**
 * One attacker connection: a raw WebSocket presenting an attacker address in `X-Forwarded-For`,
 * that counts everything the server answers and how the server ends it, into its attack's
 * counters. Answers are classified from their first bytes (`{"type":"error","code":"…"` or
 * `{"type":"…"`), without JSON.parse, so reading 32 KiB relays and 4 KiB room states costs little;
 * only the answer a set-up request waits for is parsed.
 */
import type { RoleCounters } from './attacker-protocol.ts';
import { connectRawWs, type RawWs } from './raw-ws-client.ts';

/** A parsed server message (set-up answers only). */
export interface Answer {
  type: string;
  [field: string]: unknown;
}

export interface AttackConn {
  readonly ws: RawWs;
  /** Resolves once the connection is gone, whoever ended it. */
  readonly closed: Promise<void>;
  isOpen(): boolean;
  /** Sends `text`; resolves with the next answer of type `expect` or `error`, or null if none comes in time. */
  request(text: string, expect: string): Promise<Answer | null>;
  /** Ends the connection from our side; its close is not counted. */
  destroy(): void;
}

const REQUEST_TIMEOUT_MS = 5_000;
const ERROR_PREFIX = '{"type":"error","code":"';
const TYPE_PREFIX = '{"type":"';

/** The counting key of a server message: an error's code, else its type. */
function answerKey(text: string): string {
  const prefix = text.startsWith(ERROR_PREFIX) ? ERROR_PREFIX : TYPE_PREFIX;
  const end = text.indexOf('"', prefix.length);
  return end > prefix.length ? text.slice(prefix.length, end) : 'unparsed';
}

function parse(text: string): Answer | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string')
      return null;
    return value as Answer;
  } catch {
    return null;
  }
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Opens a connection to `url` as `address`; null (counted) when it fails before the upgrade. */
export async function openAttackConn(url: URL, address: string, counters: RoleCounters): Promise<AttackConn | null> {
  let waiter: { expect: string; resolve: (answer: Answer | null) => void } | null = null;
  let open = true;
  let ours = false;
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const settle = (answer: Answer | null) => {
    const pending = waiter;
    waiter = null;
    pending?.resolve(answer);
  };
  const result = await connectRawWs(
    url,
    { 'X-Forwarded-For': address },
    {
      onText(text) {
        const key = answerKey(text);
        bump(counters.answers, key);
        if (waiter && (key === waiter.expect || text.startsWith(ERROR_PREFIX))) settle(parse(text));
      },
      onClose(code) {
        open = false;
        if (!ours) bump(counters.closes, code === null ? 'none' : String(code));
        settle(null);
        markClosed();
      },
    },
  );
  if (!result.ok) {
    counters.connectFailures++;
    return null;
  }
  counters.connects++;
  const { ws } = result;
  return {
    ws,
    closed,
    isOpen: () => open,
    request(text, expect) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => settle(null), REQUEST_TIMEOUT_MS);
        waiter = {
          expect,
          resolve(answer) {
            clearTimeout(timer);
            resolve(answer);
          },
        };
        ws.sendText(text);
      });
    },
    destroy() {
      ours = true;
      ws.destroy();
    },
  };
}
