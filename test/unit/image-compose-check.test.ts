/**
 * The image check's reading of deploy/compose.yml (scripts/image/): the real file passes, and a compose file that
 * names a variable Yardmaster does not read, misses one a process requires, points at a secret it does not mount or
 * runs as another user fails, naming the service and the variable.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkCompose, checkEnvExample, type ImageFacts } from '../../scripts/image/compose-check.ts';
import { interpolate, yardmasterServices } from '../../scripts/image/compose-file.ts';
import { serverVariables, variablesIn } from '../../scripts/image/server-variables.ts';

const composeText = readFileSync(new URL('../../deploy/compose.yml', import.meta.url), 'utf8');
const known = serverVariables(new URL('../../src', import.meta.url).pathname);
const vars = { POSTGRES_PASSWORD: 'pw', APP_ID: '4242', WEBHOOK_SECRET: 'secret' };
const image: ImageFacts = {
  user: { name: 'yardmaster', uid: '10001' },
  writableRoots: ['/home/yardmaster'],
};

/** deploy/compose.yml with `edit` applied to its parsed form (anchors resolved). */
function editedCompose(edit: (services: Record<string, Record<string, unknown>>) => void): string {
  const document = parse(composeText, { merge: true }) as { services: Record<string, Record<string, unknown>> };
  edit(document.services);
  return stringify(document);
}

function environmentOf(service: Record<string, unknown> | undefined): Record<string, unknown> {
  const environment = service?.environment;
  if (typeof environment !== 'object' || environment === null) throw new Error('no environment');
  return environment as Record<string, unknown>;
}

describe('deploy/compose.yml against the server', () => {
  it('is true to the image: known variables, requirements met, mounted secrets, the image user', () => {
    const services = yardmasterServices(composeText);
    expect(services.map((service) => [service.name, service.role])).toEqual([
      ['server', 'server'],
      ['worker', 'worker'],
    ]);
    expect(checkCompose(services, known, vars, image)).toEqual([]);
    expect(
      checkEnvExample(readFileSync(new URL('../../deploy/yardmaster.env.example', import.meta.url), 'utf8'), known),
    ).toEqual([]);
  });

  it('fails on a variable Yardmaster does not read, naming the service', () => {
    const text = editedCompose((services) => {
      environmentOf(services.worker).YARDMASTER_WORKER_COUNT = '3';
    });
    expect(checkCompose(yardmasterServices(text), known, vars, image)).toEqual([
      'service worker: YARDMASTER_WORKER_COUNT: not a variable Yardmaster reads (none of src/ mentions it)',
    ]);
  });

  it("fails when the server misses what it requires (the server's own parser says what)", () => {
    const text = editedCompose((services) => {
      delete environmentOf(services.server).WEBHOOK_SECRET;
    });
    expect(checkCompose(yardmasterServices(text), known, vars, image)).toEqual([
      "service server: WEBHOOK_SECRET: required when APP_ID is set (the secret of the App's webhook)",
    ]);
  });

  it('fails when a worker has no database or no SSH identity', () => {
    const text = editedCompose((services) => {
      const environment = environmentOf(services.worker);
      delete environment.DATABASE_URL;
      delete environment.YARDMASTER_SSH_KEY_FILE;
    });
    expect(checkCompose(yardmasterServices(text), known, vars, image)).toEqual([
      'service worker: DATABASE_URL: required by `yardmaster worker` (the embedded database belongs to the server)',
      'service worker: YARDMASTER_SSH_KEY or YARDMASTER_SSH_KEY_FILE or SSH_AUTH_SOCK: required by `yardmaster worker` (the identity for the hosts)',
    ]);
  });

  it('fails on a secret path the service does not mount, another user, a volume outside the user’s directories', () => {
    const text = editedCompose((services) => {
      if (services.server === undefined) throw new Error('no server');
      services.server.secrets = ['ssh_key'];
      services.server.user = 'root';
      services.server.volumes = ['data:/var/lib/yardmaster'];
    });
    expect(checkCompose(yardmasterServices(text), known, vars, image)).toEqual([
      'service server: PRIVATE_KEY_PATH: /run/secrets/github_app_key is not a secret this service mounts (/run/secrets/ssh_key)',
      "service server: user: root is not the image's user yardmaster (uid 10001)",
      "service server: volume /var/lib/yardmaster: not under a directory the image's user owns (/home/yardmaster)",
    ]);
  });

  it('fails when a required compose variable is not given', () => {
    const { WEBHOOK_SECRET: _unset, ...partial } = vars;
    expect(checkCompose(yardmasterServices(composeText), known, partial, image)).toContain(
      "service server: WEBHOOK_SECRET: WEBHOOK_SECRET must be set (set WEBHOOK_SECRET (the App's webhook secret))",
    );
  });
});

describe('the variables Yardmaster reads', () => {
  it('come from env schemas, env reads and *_VARIABLE constants', () => {
    const source = [
      "export const TOKEN_VARIABLE = 'YM_TOKEN';",
      'const envSchema = z.object({',
      '  YM_PORT: z.string(),',
      '});',
      "const user = io.env.YM_USER ?? env?.YM_OTHER ?? env['YM_BRACKET'];",
      'const other = z.object({ NOT_ENV: z.string() });',
    ].join('\n');
    expect([...variablesIn(source)].sort()).toEqual(['YM_BRACKET', 'YM_OTHER', 'YM_PORT', 'YM_TOKEN', 'YM_USER']);
  });

  it('include every variable of the server, runtime, Slack, lanes and dashboard schemas', () => {
    for (const name of [
      'APP_ID',
      'DATABASE_URL',
      'SLACK_APP_TOKEN',
      'YARDMASTER_LANES_DATA_PLANE',
      'DASHBOARD_SESSION_HOURS',
    ])
      expect(known.has(name), name).toBe(true);
  });
});

describe('interpolate (Compose variables)', () => {
  it('substitutes, defaults, requires and escapes as Compose does', () => {
    expect(interpolate('a ${X} ${Y:-dflt} ${Z-keep} $$HOME', { X: 'x', Z: '' })).toEqual({
      ok: true,
      value: 'a x dflt  $HOME',
    });
    expect(interpolate('${X:?set X}', { X: '' })).toEqual({ ok: false, problem: 'X must be set (set X)' });
  });
});
