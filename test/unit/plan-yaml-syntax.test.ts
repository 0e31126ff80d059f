/** YAML syntax errors say where the mistake is and what it is, once per mistake. */
import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import { parsePlan } from '../../src/plan/parse-plan.ts';

const PLAN_UNCLOSED_MAP = `app: shop
environment: production
strategy: { mode: serial
version: 1.0.0
`;

describe('YAML syntax errors', () => {
  it('an unclosed { is reported where it opens, not at the end of the file', () => {
    const result = parsePlan(PLAN_UNCLOSED_MAP);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { line: 3, column: 11, path: '', message: 'this { is never closed: end the flow map with }' },
    ]);
  });

  it('an unclosed [ is reported where it opens', () => {
    const result = parsePlan('app: shop\nhosts: [web, db\nversion: 1.0.0\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { line: 2, column: 8, path: '', message: 'this [ is never closed: end the flow sequence with ]' },
    ]);
  });

  it('an over-indented key is one message on its own line', () => {
    const result = parsePlan('app: shop\nenvironment: production\n   version: 1.0.0\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ line: 3, column: 4 });
    expect(result.issues[0]?.message).toContain('indented more than the key above it');
  });

  it('keys indented under a key with a value: one message, at the first of them', () => {
    const result = parsePlan('app: shop\n  environment: production\n  version: 1.0.0\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ line: 2, column: 3 });
  });

  it('the config reports the same way', () => {
    const result = parseRepoConfig(
      'apps:\n  shop:\n    deploy_to: /srv/shop\n    environments: { production: {hosts: [web]}\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { line: 4, column: 19, path: '', message: 'this { is never closed: end the flow map with }' },
    ]);
  });

  it('other syntax errors keep their place and wording', () => {
    const result = parsePlan('app: "shop\nversion: 1\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.message).toContain('YAML syntax error');
  });
});
