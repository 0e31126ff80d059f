import { describe, expect, it } from 'vitest';
import { decideRoute } from '../../src/lanes/lane-router.ts';
import { hopsOf, laneOf, serviceOf } from '../../src/lanes/lane-key.ts';
import { parseLaneSpec } from '../../src/lanes/task-spec.ts';

describe('lane specs', () => {
  it('reads the design example, with defaults', () => {
    const parsed = parseLaneSpec(
      'lane: feature-42\nservices: { A: baseline, B: "1", C: 1 }\ncalls: [A->B, B -> C]\nttl: 2h\n',
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        lane: 'feature-42',
        services: { A: 'baseline', B: '1', C: '1' },
        calls: [
          { from: 'A', to: 'B' },
          { from: 'B', to: 'C' },
        ],
        mode: 'fallback',
        ttlMs: 7_200_000,
      },
    });
  });

  it('derives the same lane name for the same versions', () => {
    const one = parseLaneSpec('services: { A: baseline, B: "1" }');
    const two = parseLaneSpec('services: { B: "1", A: baseline }\nmode: strict');
    expect(one.ok && one.value.lane).toMatch(/^lane-[0-9a-f]{10}$/);
    expect(one.ok && two.ok && one.value.lane === two.value.lane).toBe(true);
  });

  it('names the line and the field of each problem', () => {
    const parsed = parseLaneSpec(
      'lane: Feature_42\nservices: { A: "1.0/evil" }\ncalls: [A->Z, "nonsense"]\nmode: loose\nextra: 1\n',
    );
    expect(parsed.ok).toBe(false);
    const lines = parsed.ok ? [] : parsed.issues.map((issue) => `${issue.line}:${issue.path} ${issue.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1:lane expected a lane name/),
        expect.stringMatching(/^2:services\.A expected a version of 1 to 64 letters/),
        expect.stringMatching(/^3:calls\[1\] expected a call like A->B/),
        expect.stringMatching(/^4:mode expected fallback or strict/),
        expect.stringMatching(/^5:extra /),
      ]),
    );
  });
});

describe('lane keys and services in requests', () => {
  it('reads the lane from the header, else from baggage, and ignores malformed ones', () => {
    expect(laneOf({ 'x-yardmaster-lane': 'task-1' })).toBe('task-1');
    expect(laneOf({ baggage: 'userId=alice, yardmaster-lane=task-2;prop=1' })).toBe('task-2');
    expect(laneOf({ 'x-yardmaster-lane': 'task-1', baggage: 'yardmaster-lane=task-2' })).toBe('task-1');
    expect(laneOf({ 'x-yardmaster-lane': '../etc' })).toBeUndefined();
    expect(laneOf({ baggage: 'yardmaster-lane=%E0%A4%A' })).toBeUndefined();
    expect(laneOf({})).toBeUndefined();
  });

  it('finds the service by host name under the domain, else by the first path segment', () => {
    expect(serviceOf('checkout.lanes.example:8080', '/pay?x=1', 'lanes.example')).toEqual({
      service: 'checkout',
      path: '/pay?x=1',
    });
    expect(serviceOf('127.0.0.1:9', '/Checkout/pay/now?x=1', 'lanes.example')).toEqual({
      service: 'checkout',
      path: '/pay/now?x=1',
    });
    expect(serviceOf('127.0.0.1:9', '/checkout', undefined)).toEqual({ service: 'checkout', path: '/' });
    expect(serviceOf('127.0.0.1:9', '/', undefined)).toBeUndefined();
  });

  it('counts hops, a malformed count as too many', () => {
    expect(hopsOf({})).toBe(0);
    expect(hopsOf({ 'x-yardmaster-hops': '3' })).toBe(3);
    expect(hopsOf({ 'x-yardmaster-hops': 'x' })).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('route decisions', () => {
  const table = {
    baseline: new Map([
      ['a', { version: '0', endpoint: 'http://a0' }],
      ['b', { version: '0', endpoint: 'http://b0' }],
    ]),
    lanes: new Map([
      ['loose', { mode: 'fallback' as const, services: new Map([['b', { version: '1', endpoint: 'http://b1' }]]) }],
      ['tight', { mode: 'strict' as const, services: new Map([['b', { version: '1', endpoint: 'http://b1' }]]) }],
    ]),
  };
  it('takes the lane, else the baseline, and refuses what a strict lane lacks', () => {
    expect(decideRoute(table, 'b', 'loose')).toEqual({
      ok: true,
      target: { version: '1', endpoint: 'http://b1' },
      via: 'lane',
    });
    expect(decideRoute(table, 'a', 'loose')).toEqual({
      ok: true,
      target: { version: '0', endpoint: 'http://a0' },
      via: 'baseline',
    });
    expect(decideRoute(table, 'a', 'unknown-lane')).toMatchObject({ ok: true, via: 'baseline' });
    expect(decideRoute(table, 'a', 'tight')).toEqual({
      ok: false,
      status: 503,
      message: 'lane tight is strict and has no instance of a',
    });
    expect(decideRoute(table, 'z', undefined)).toEqual({
      ok: false,
      status: 503,
      message: 'no instance of z and none in the baseline',
    });
  });
});
