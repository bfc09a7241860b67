// Where and when the lobby client connects next (reconnect-plan.ts), as pure logic: round robin
// over the nodes, capped exponential backoff with jitter, and the one attempt made at once after
// a node goes away or goes silent.
import { CloseCode } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { createReconnectPlan } from '../../packages/netcode/src/signaling/reconnect-plan.js';

const ABNORMAL = 1006;
const plan = (urls: readonly string[], random = () => 1 - Number.EPSILON) =>
  createReconnectPlan({ urls, initialMs: 100, maxMs: 1_000, random });

describe('reconnect plan', () => {
  it('starts on the first URL and moves round robin after every failure', () => {
    const p = plan(['a', 'b', 'c']);
    const tried = [p.begin()];
    for (let i = 0; i < 4; i++) {
      p.failed(ABNORMAL);
      tried.push(p.begin());
    }
    expect(tried).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('waits longer after each failure up to the cap, with jitter in [base / 2, base], and afresh after a welcome', () => {
    const p = plan(['a']);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      p.begin();
      waits.push(p.failed(null));
    }
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    p.begin();
    p.welcomed();
    expect(p.failed(ABNORMAL)).toBe(100);
    expect(createReconnectPlan({ urls: ['a'], initialMs: 100, maxMs: 1_000, random: () => 0 }).failed(null)).toBe(50);
  });

  it('tries the next node at once after 1001 or 1012, and backs off if that attempt fails too', () => {
    const p = plan(['a', 'b', 'c']);
    p.begin();
    p.welcomed();
    expect(p.failed(CloseCode.SERVICE_RESTART)).toBe(0);
    expect(p.begin()).toBe('b');
    expect(p.failed(CloseCode.GOING_AWAY)).toBeGreaterThan(0);
    expect(p.begin()).toBe('c');
    p.welcomed();
    expect(p.failed(CloseCode.GOING_AWAY)).toBe(0);
    expect(p.begin()).toBe('a');
  });

  it('tries the next node at once after a silence, and backs off if that attempt goes silent too', () => {
    const p = plan(['a', 'b']);
    p.begin();
    p.welcomed();
    expect(p.silent()).toBe(0);
    expect(p.begin()).toBe('b');
    expect(p.silent()).toBeGreaterThan(0);
    expect(p.begin()).toBe('a');
    expect(p.failed(CloseCode.GOING_AWAY)).toBe(0);
  });

  it('refuses an empty list', () => {
    expect(() => plan([])).toThrow(RangeError);
  });
});
