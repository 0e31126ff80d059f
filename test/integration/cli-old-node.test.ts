/**
 * `node bin/yardmaster.js` on a Node older than the project needs: one line saying which Node and how to run
 * Yardmaster anyway, exit 1 (instead of a crash inside a dependency). Uses the machine's own old Node when it has one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));

/** A `node` on PATH or in the usual places, outside node_modules, older than 22.12; null when there is none. */
function oldNode(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'node');
    if (dir === '' || dir.includes('node_modules') || !existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) return candidate;
  }
  return null;
}

const old = oldNode();

describe('bin/yardmaster.js on an old Node', () => {
  it.skipIf(old === null)('prints one line: the Node it needs and `npx yardmaster`, exit 1', () => {
    const run = spawnSync(old ?? 'node', [BIN, '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('needs Node >= 22.12');
    expect(lines[0]).toContain('npx yardmaster');
  });

  it('runs on the project Node', () => {
    const run = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^yardmaster \d/);
  });
});
