/**
 * The nginx data plane's config generator: the route table's entries become map entries; a value that is not what
 * it claims to be (lane id, service, version, endpoint, domain, directory) never reaches the text. The config's
 * behaviour is proven against a real nginx in test/integration/lanes-data-planes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { nginxUpstream, renderNginxConfig } from '../../src/lanes/nginx-config.ts';
import type { RouteTable } from '../../src/lanes/route-table.ts';

const options = { dir: '/tmp/ym-nginx', host: '127.0.0.1', port: 8088, generation: 7 };

const table: RouteTable = {
  baseline: new Map([['a', { version: '1.0', endpoint: 'http://10.0.0.1:8080' }]]),
  lanes: new Map([
    ['acme/shop/pr-7', { mode: 'strict', services: new Map([['a', { version: '2', endpoint: 'http://[::1]:9000' }]]) }],
  ]),
};

describe('the nginx config of a route table', () => {
  it('maps lane and service to upstreams, strict lanes and the baseline, with route labels', () => {
    const { text, skipped } = renderNginxConfig(table, options);
    expect(skipped).toEqual([]);
    expect(text).toContain('upstream ym_u0 { server 10.0.0.1:8080; keepalive 64; }');
    expect(text).toContain('upstream ym_u1 { server [::1]:9000; keepalive 64; }');
    expect(text).toContain('"acme/shop/pr-7 a" r1;');
    expect(text).toMatch(/map \$ym_lane \$ym_strict \{\n {4}"acme\/shop\/pr-7" 1;/);
    expect(text).toContain('r0 "a@1.0 (baseline)";');
    expect(text).toContain('r1 "a@2 (lane)";');
    expect(text).toContain('r1 "[::1]:9000";');
    expect(text).toContain('listen 127.0.0.1:8088;');
    expect(text).toContain('return 200 "7";');
    // 16 hops by default: counts 0 to 15 pass on incremented, anything else is a loop.
    expect(text).toContain('"~^0*15$" 16;');
    expect(text).not.toContain('"~^0*16$"');
  });

  it('leaves out entries whose values could carry nginx syntax, and says why', () => {
    const endpoint = 'http://127.0.0.1:1';
    const { text, skipped } = renderNginxConfig(
      {
        baseline: new Map([
          ['a;b', { version: '1', endpoint }],
          ['c', { version: '1 }', endpoint }],
          ['d', { version: '1', endpoint: 'http://x{y:1' }],
        ]),
        lanes: new Map([['Evil"Lane', { mode: 'strict', services: new Map() }]]),
      },
      options,
    );
    expect(skipped).toEqual([
      'baseline: service "a;b" is not a service name',
      'baseline: c version "1 }" is not a version',
      'lane "Evil\\"Lane" is not a lane id',
    ]);
    for (const text_ of ['a;b', '1 }', 'x{y', 'Evil']) expect([text_, text.includes(text_)]).toEqual([text_, false]);
    expect(nginxUpstream('http://x{y:1')).toEqual({ error: expect.stringContaining('not a') as unknown });
    expect(nginxUpstream('https://127.0.0.1:1')).toEqual({ error: expect.stringContaining('only http:') as unknown });
  });

  it('refuses a directory, domain or listen address it could not write as it is', () => {
    expect(() => renderNginxConfig(table, { ...options, dir: '/tmp/a b' })).toThrow(/nginx directory/);
    expect(() => renderNginxConfig(table, { ...options, dir: '/tmp/a;b' })).toThrow(/nginx directory/);
    expect(() => renderNginxConfig(table, { ...options, domain: 'lanes.test; include x' })).toThrow(/domain/);
    expect(() => renderNginxConfig(table, { ...options, host: '0.0.0.0:1; x' })).toThrow(/listen address/);
    expect(renderNginxConfig(table, { ...options, domain: 'lanes.example' }).text).toContain(
      '"~^([^.]+)\\.lanes\\.example$" $1;',
    );
  });
});
