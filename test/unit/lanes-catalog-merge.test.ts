/**
 * The lane catalog's database forms: an entry written back in the catalog's own form reads as the same entry, and
 * the catalog in force is the file's entries, the database's rows over them, and the API's packages merged into ssh
 * services without replacing a version's package.
 */
import { describe, expect, it } from 'vitest';
import { catalogEntryOf, parseCatalogEntry, parseLaneCatalog, type LaneCatalog } from '../../src/lanes/catalog.ts';
import { mergeCatalog } from '../../src/lanes/catalog-store.ts';

const SHA = (digit: string): string => digit.repeat(64);

function catalog(text: string): LaneCatalog {
  const parsed = parseLaneCatalog(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

const FILE = catalog(`services:
  x:
    health: /ready
    env: { MODE: lane }
    ssh:
      host: { name: lanes-1, address: 10.0.3.7, port: 2222, user: deploy, host_key: "SHA256:${'A'.repeat(43)}" }
      deploy_to: /srv/lanes
      packages: { "1": { url: "https://artifacts.example.com/x-1.tar.gz", sha256: "${SHA('1')}" } }
      start: node server.mjs
      port_range: [21000, 21999]
  p:
    start: [node, p.mjs]
`);

describe('the lane catalog in the database', () => {
  it('writes an entry back in the form it reads', () => {
    for (const entry of Object.values(FILE)) {
      const again = parseCatalogEntry(JSON.parse(JSON.stringify(catalogEntryOf(entry))));
      expect(again).toEqual({ ok: true, value: entry });
    }
    expect(parseCatalogEntry({ health: 'ready', start: [] })).toMatchObject({ ok: false });
  });

  it('merges rows over the file and packages into ssh services, never replacing a package', () => {
    const row = catalog('services:\n  p:\n    start: [node, p2.mjs]\n');
    const merged = mergeCatalog(FILE, row, [
      { service: 'x', version: '2', url: 'https://artifacts.example.com/x-2.tar.gz', sha256: SHA('2') },
      { service: 'x', version: '1', url: 'https://elsewhere.example.com/x-1.tar.gz', sha256: SHA('3') },
      { service: 'p', version: '2', url: 'https://artifacts.example.com/p-2.tar.gz', sha256: SHA('4') },
      { service: 'gone', version: '1', url: 'https://artifacts.example.com/g-1.tar.gz', sha256: SHA('5') },
    ]);
    expect(Object.keys(merged).sort()).toEqual(['p', 'x']);
    expect(merged.p?.start).toEqual(['node', 'p2.mjs']);
    expect(merged.p?.ssh).toBeUndefined();
    expect(merged.x?.ssh?.packages).toEqual({
      '1': { url: 'https://artifacts.example.com/x-1.tar.gz', sha256: SHA('1') },
      '2': { url: 'https://artifacts.example.com/x-2.tar.gz', sha256: SHA('2') },
    });
    // The file's catalog itself is left as it was.
    expect(Object.keys(FILE.x?.ssh?.packages ?? {})).toEqual(['1']);
  });
});
