/** sameRoutes: what the route watcher uses to hand an engine a table only when it routes differently. */
import { describe, expect, it } from 'vitest';
import { type RouteTable, sameRoutes } from '../../src/lanes/route-table.ts';

function table(
  overrides: { version?: string; endpoint?: string; mode?: 'fallback' | 'strict'; lane?: string } = {},
): RouteTable {
  return {
    baseline: new Map([['a', { version: '1', endpoint: 'http://127.0.0.1:1' }]]),
    lanes: new Map([
      [
        overrides.lane ?? 'l1',
        {
          mode: overrides.mode ?? 'fallback',
          services: new Map([
            ['a', { version: overrides.version ?? '2', endpoint: overrides.endpoint ?? 'http://127.0.0.1:2' }],
          ]),
        },
      ],
    ]),
  };
}

describe('sameRoutes', () => {
  it('holds for tables built apart with the same routes', () => {
    expect(sameRoutes(table(), table())).toBe(true);
  });

  it('tells a member, an endpoint, a mode, a lane or a baseline that differs', () => {
    for (const other of [
      table({ version: '3' }),
      table({ endpoint: 'http://127.0.0.1:3' }),
      table({ mode: 'strict' }),
      table({ lane: 'l2' }),
      { ...table(), baseline: new Map() },
      { ...table(), lanes: new Map() },
    ]) {
      expect(sameRoutes(table(), other)).toBe(false);
      expect(sameRoutes(other, table())).toBe(false);
    }
  });
});
