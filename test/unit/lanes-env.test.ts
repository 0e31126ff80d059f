import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLanesEnv } from '../../src/lanes/lanes-env.ts';

describe('lanes settings of the server', () => {
  it('are off without a port, and need a token with one', async () => {
    expect(await parseLanesEnv({})).toEqual({ ok: true, settings: { enabled: false } });
    expect(await parseLanesEnv({ YARDMASTER_LANES_PORT: '8088' })).toEqual({
      ok: false,
      problems: ['YARDMASTER_LANES_TOKEN: required with YARDMASTER_LANES_PORT (the lanes API and registry)'],
    });
    const short = await parseLanesEnv({ YARDMASTER_LANES_PORT: '8088', YARDMASTER_LANES_TOKEN: 'short' });
    expect(short.ok).toBe(false);
    expect(JSON.stringify(short)).not.toContain('"short"');
  });

  it('read the catalog and default the API port and the router URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ym-lanes-env-'));
    try {
      await writeFile(join(dir, 'catalog.yml'), 'services:\n  pay: { start: [node, pay.mjs] }\n');
      const parsed = await parseLanesEnv({
        YARDMASTER_LANES_PORT: '8088',
        YARDMASTER_LANES_TOKEN: 'a'.repeat(16),
        YARDMASTER_LANES_CATALOG: join(dir, 'catalog.yml'),
      });
      expect(parsed).toEqual({
        ok: true,
        settings: {
          enabled: true,
          routerPort: 8088,
          apiPort: 8089,
          token: 'a'.repeat(16),
          catalog: { pay: { start: ['node', 'pay.mjs'], env: {}, health: '/healthz' } },
          routerUrl: 'http://127.0.0.1:8088',
          domain: undefined,
          dataPlane: 'node',
          haproxySocket: undefined,
        },
      });
      const nginx = await parseLanesEnv({
        YARDMASTER_LANES_PORT: '8088',
        YARDMASTER_LANES_TOKEN: 'a'.repeat(16),
        YARDMASTER_LANES_DATA_PLANE: 'nginx',
      });
      expect(nginx.ok && nginx.settings.enabled && nginx.settings.dataPlane).toBe('nginx');
      const haproxy = await parseLanesEnv({
        YARDMASTER_LANES_PORT: '8088',
        YARDMASTER_LANES_TOKEN: 'a'.repeat(16),
        YARDMASTER_LANES_DATA_PLANE: 'haproxy',
        YARDMASTER_LANES_HAPROXY_SOCKET: '/run/haproxy/yardmaster.sock',
      });
      expect(
        haproxy.ok && haproxy.settings.enabled && [haproxy.settings.dataPlane, haproxy.settings.haproxySocket],
      ).toEqual(['haproxy', '/run/haproxy/yardmaster.sock']);
      const spaced = await parseLanesEnv({
        YARDMASTER_LANES_PORT: '8088',
        YARDMASTER_LANES_TOKEN: 'a'.repeat(16),
        YARDMASTER_LANES_HAPROXY_SOCKET: '/run/my socket',
      });
      expect(spaced.ok).toBe(false);
      const envoy = await parseLanesEnv({
        YARDMASTER_LANES_PORT: '8088',
        YARDMASTER_LANES_TOKEN: 'a'.repeat(16),
        YARDMASTER_LANES_DATA_PLANE: 'envoy',
      });
      expect(envoy).toEqual({ ok: false, problems: ['YARDMASTER_LANES_DATA_PLANE: expected node, haproxy or nginx'] });
      await writeFile(join(dir, 'bad.yml'), 'services:\n  pay: { start: node }\n');
      const bad = await parseLanesEnv({
        YARDMASTER_LANES_PORT: '8088',
        YARDMASTER_LANES_TOKEN: 'a'.repeat(16),
        YARDMASTER_LANES_CATALOG: join(dir, 'bad.yml'),
      });
      expect(!bad.ok && bad.problems[0]).toMatch(/^YARDMASTER_LANES_CATALOG: line 2.*services\.pay\.start/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
