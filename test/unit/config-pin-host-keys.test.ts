import { describe, expect, it } from 'vitest';
import { parseRepoConfig, pinHostKeys } from '../../src/config/index.ts';

const KEY_A = `SHA256:${'A'.repeat(43)}`;
const KEY_B = `SHA256:${'b1+/'.repeat(10)}xyz`;

const APPS = ['apps:', '  shop: { deploy_to: /srv/shop, environments: { staging: { hosts: [web] } } }'];

function pinned(text: string, pins: Record<string, string>): string {
  const result = pinHostKeys(text, new Map(Object.entries(pins)));
  if (!result.ok) throw new Error(result.message);
  return result.text;
}

describe('pinHostKeys', () => {
  it('adds a pin to a block map on a line of its own, after the comment that ends the entry', () => {
    const text = [
      ...APPS,
      'hosts:',
      '  web:',
      '    - name: web-1',
      '      address: 10.0.0.1   # the first',
      '    - name: web-2',
      '      address: 10.0.0.2',
      '',
    ].join('\n');
    expect(pinned(text, { 'web-1': KEY_A })).toBe(
      [
        ...APPS,
        'hosts:',
        '  web:',
        '    - name: web-1',
        '      address: 10.0.0.1   # the first',
        `      host_key: "${KEY_A}"`,
        '    - name: web-2',
        '      address: 10.0.0.2',
        '',
      ].join('\n'),
    );
  });

  it('adds pins inside flow maps, in a flow list too, and keeps a trailing comma and CRLF line ends', () => {
    const text = [
      ...APPS,
      'hosts:',
      '  web: [{ name: web-1, address: 10.0.0.1 }, { name: web-2, address: 10.0.0.2, }]',
      '  db:',
      '    - name: db-1',
      '      address: 10.0.0.9',
      '',
    ].join('\r\n');
    expect(pinned(text, { 'web-1': KEY_A, 'web-2': KEY_B, 'db-1': KEY_A })).toBe(
      [
        ...APPS,
        'hosts:',
        `  web: [{ name: web-1, address: 10.0.0.1, host_key: "${KEY_A}" }, { name: web-2, address: 10.0.0.2, host_key: "${KEY_B}", }]`,
        '  db:',
        '    - name: db-1',
        '      address: 10.0.0.9',
        `      host_key: "${KEY_A}"`,
        '',
      ].join('\r\n'),
    );
  });

  it('replaces a pin in place, whatever its quoting, keeping what follows it on the line', () => {
    const text = [
      ...APPS,
      'hosts:',
      '  web:',
      `    - { name: web-1, host_key: '${KEY_A}', address: 10.0.0.1 } # pinned`,
      '    - name: web-2',
      `      host_key: ${KEY_A} # old`,
      '      address: 10.0.0.2',
      '',
    ].join('\n');
    const result = pinned(text, { 'web-1': KEY_B, 'web-2': KEY_B });
    expect(result).toBe(
      [
        ...APPS,
        'hosts:',
        '  web:',
        `    - { name: web-1, host_key: "${KEY_B}", address: 10.0.0.1 } # pinned`,
        '    - name: web-2',
        `      host_key: "${KEY_B}" # old`,
        '      address: 10.0.0.2',
        '',
      ].join('\n'),
    );
    const config = parseRepoConfig(result);
    expect(config.ok && config.value.hosts.web?.map((host) => host.hostKey)).toEqual([KEY_B, KEY_B]);
  });

  it('reports hosts it did not find and refuses what is not a fingerprint or a config without hosts', () => {
    const text = [...APPS, 'hosts:', '  web: [{ name: web-1, address: 10.0.0.1 }]', ''].join('\n');
    expect(pinHostKeys(text, new Map([['web-9', KEY_A]]))).toEqual({ ok: true, text, pinned: [], missing: ['web-9'] });
    expect(pinHostKeys(text, new Map([['web-1', 'ssh-ed25519 AAAA']]))).toEqual({
      ok: false,
      message: 'not a fingerprint for web-1',
    });
    expect(pinHostKeys(APPS.join('\n'), new Map([['web-1', KEY_A]]))).toEqual({
      ok: false,
      message: 'the config has no hosts: map',
    });
  });
});
