import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/lib/canonical-json.ts';
import { planDigest } from '../../src/plan/digest.ts';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import { SHA, planYaml, valueOf } from './plan-fixtures.ts';

const BLOCK_STYLE = `# release plan
app: checkout-api
environment: production
version: 2.4.1
package:
  url: https://artifacts.example.com/a.tgz
  sha256: ${SHA}
hosts: [canary, web]
strategy:
  mode: batches
  batch_size: 25%
  pause: 30s
commands:
  check: "test -x /usr/bin/node"
schedule: 2026-11-24T02:00:00Z
`;

const SAME_PLAN_REWRITTEN = `
strategy: { pause: 30s, batch_size: "25%", mode: batches }   # reordered, flow style
commands: { check: ["test -x /usr/bin/node"] }
package: { sha256: ${SHA.toUpperCase()}, url: "https://artifacts.example.com/a.tgz" }
hosts:
  - canary
  - web
schedule: "2026-11-24T03:00:00+01:00"
version: "2.4.1"
environment: production
app: checkout-api
keep_releases: 5
`;

function digestOf(text: string, commitSha?: string): string {
  const plan = valueOf(parsePlan(text));
  return commitSha === undefined ? planDigest(plan) : planDigest(plan, { commitSha });
}

describe('planDigest', () => {
  it('is a sha256 in hex', () => {
    expect(digestOf(BLOCK_STYLE)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same plan written differently', () => {
    expect(digestOf(SAME_PLAN_REWRITTEN)).toBe(digestOf(BLOCK_STYLE));
  });

  it('changes when the meaning changes', () => {
    const base = digestOf(BLOCK_STYLE);
    expect(digestOf(BLOCK_STYLE.replace('version: 2.4.1', 'version: 2.4.2'))).not.toBe(base);
    expect(digestOf(BLOCK_STYLE.replace('hosts: [canary, web]', 'hosts: [web, canary]'))).not.toBe(base);
    expect(digestOf(BLOCK_STYLE.replace('pause: 30s', 'pause: 31s'))).not.toBe(base);
    expect(digestOf(BLOCK_STYLE.replace(SHA, 'b'.repeat(64)))).not.toBe(base);
    expect(digestOf(`${BLOCK_STYLE}keep_releases: 6\n`)).not.toBe(base);
  });

  it('binds the commit SHA', () => {
    const plan = valueOf(parsePlan(planYaml()));
    const atA = planDigest(plan, { commitSha: 'a'.repeat(40) });
    expect(atA).not.toBe(planDigest(plan, { commitSha: 'b'.repeat(40) }));
    expect(atA).not.toBe(planDigest(plan));
    expect(planDigest(plan, { commitSha: 'A'.repeat(40) })).toBe(atA);
  });

  it('does not depend on how the plan object was built', () => {
    const plan = valueOf(parsePlan(planYaml()));
    const reordered = Object.fromEntries(Object.entries(plan).reverse());
    expect(planDigest(structuredClone(plan))).toBe(planDigest(plan));
    expect(canonicalJson(reordered)).toBe(canonicalJson(plan));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined and writes dates as ISO', () => {
    expect(canonicalJson({ b: [{ z: 1, a: null }], a: new Date('2026-01-01T00:00:00Z'), c: undefined })).toBe(
      '{"a":"2026-01-01T00:00:00.000Z","b":[{"a":null,"z":1}]}',
    );
  });

  it('refuses values JSON cannot hold faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });
});
