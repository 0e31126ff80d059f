/**
 * `yardmaster lanes export --format gateway-api` through the real bin/yardmaster.js against real PostgreSQL: the
 * library and lanes are set up with `lanes add` and `lanes up` (as test/integration/lanes-cli.test.ts does), one
 * lane member is taken down, and the export is compared byte for byte with its golden file
 * (test/fixtures/gateway-api/cli-export.yaml; UPDATE_GOLDEN=1 rewrites it) and validated document by document. The
 * export loads no Kubernetes model package (they are devDependencies); `--output` writes the same bytes into a file;
 * option mistakes are exit 2 with one clear line; a table that cannot be exported is exit 1 and writes nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';
import { laneInstances } from '../../src/db/schema.ts';
import { captureIo } from '../helpers/cli-capture.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { expectGolden, validatedExport } from '../helpers/gateway-api-documents.ts';
import { type CliRun, runYardmaster } from '../helpers/run-yardmaster.ts';

let test: TestDatabase;
let work: string;
let env: Record<string, string>;
let hook: string;

/** `yardmaster lanes …` in this process (setting up the library, as the other lanes CLI tests do). */
async function lanes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = captureIo(work, env);
  const code = await runCli(['lanes', ...args], run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** `yardmaster lanes export …` as a process of its own, listing every module it loads. */
async function exportCli(...args: string[]): Promise<CliRun & { loaded: string[] }> {
  const run = await runYardmaster(['lanes', 'export', ...args], {
    cwd: work,
    env: { HOME: work, DATABASE_URL: env.DATABASE_URL ?? '' },
    nodeOptions: ['--import', hook],
  });
  const loaded = (await readFile(join(work, 'loaded.txt'), 'utf8')).split('\n').filter(Boolean);
  return { ...run, loaded };
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  work = await mkdtemp(join(tmpdir(), 'ym-lanes-export-'));
  hook = join(work, 'list-modules.mjs');
  await writeFile(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const urls = [];',
      'registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });',
      `process.on('exit', () => writeFileSync(${JSON.stringify(join(work, 'loaded.txt'))}, urls.join('\\n')));`,
      '',
    ].join('\n'),
  );
  env = {
    DATABASE_URL: test.url ?? '',
    HOME: work,
    USER: 'tester',
    YARDMASTER_AUDIT_KEY: 'lanes-export-test-audit-key-0123456789abcdef',
  };
  // Instances registered with their endpoints (nothing listens there: the export does not call them), each just
  // before the lane that uses it (an instance no lane uses is reclaimed when a lane comes up).
  const steps: [string[][], string, string][] = [
    [
      [
        ['checkout', '1.2.0', 'http://10.1.0.1:8080', '--baseline'],
        ['payments', '4', 'http://10.1.0.2:8081', '--baseline'],
        ['payments', '5', 'http://10.1.0.3:9000'],
      ],
      'feature.yml',
      'lane: feature-7\nservices: { checkout: baseline, payments: "5" }\n',
    ],
    [
      [['ledger', '1', 'http://10.1.0.5:7000']],
      'strict.yml',
      'lane: strict-ledger\nmode: strict\nservices: { checkout: baseline, ledger: "1" }\n',
    ],
    [
      [['payments', '6', 'http://10.1.0.4:9000']],
      'down.yml',
      'lane: new-payments\nservices: { payments: "6", checkout: baseline }\n',
    ],
  ];
  for (const [instances, file, text] of steps) {
    for (const args of instances) {
      const added = await lanes('add', ...args);
      if (added.code !== 0) throw new Error(`lanes add ${args.join(' ')}: ${added.stderr}`);
    }
    await writeFile(join(work, file), text);
    const up = await lanes('up', file);
    if (up.code !== 0) throw new Error(`lanes up ${file}: ${up.stdout}${up.stderr}`);
  }
  // payments@6 goes down: the lane new-payments stays, without a route for it.
  await test.database.db
    .update(laneInstances)
    .set({ state: 'down' })
    .where(and(eq(laneInstances.service, 'payments'), eq(laneInstances.version, '6')));
}, 60_000);

afterAll(async () => {
  await test?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster lanes export --format gateway-api', () => {
  it('writes the route table from the database as valid HTTPRoutes, without loading the Kubernetes models', async () => {
    const run = await exportCli('--format', 'gateway-api', '--gateway', 'gateways/lanes', '--namespace', 'shop');
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 0,
      stderr:
        'lanes export: 3 HTTPRoutes and the Service yardmaster-unavailable for 3 services and 3 lanes written to stdout; differs from the lane router in: baggage-carried lanes; repeated lane headers; the hop guard (508); the 503 of strict lanes only through the Service yardmaster-unavailable (no endpoints); answers of the gateway itself; path addressing in lower case only; Extended filters; no live updates (see the comments at the top)\n',
    });
    await expectGolden('cli-export.yaml', run.stdout);
    const documents = validatedExport(run.stdout) as { kind: string; metadata: { name: string } }[];
    expect(documents.map((document) => `${document.kind} ${document.metadata.name}`)).toEqual([
      'Service yardmaster-unavailable',
      'HTTPRoute yardmaster-checkout',
      'HTTPRoute yardmaster-ledger',
      'HTTPRoute yardmaster-payments',
    ]);
    // The member that went down is left out; its lane falls back to the baseline like any lane without the service.
    expect(run.stdout).not.toMatch(/payments-6|payments@6/);
    expect(run.stdout).toMatch(
      /# Services: checkout, ledger, payments\. Lanes: feature-7, new-payments, strict-ledger \(strict\)\.\n/,
    );
    expect(run.loaded.length).toBeGreaterThan(0);
    expect(run.loaded.filter((url) => /\/node_modules\/(@kubernetes-models|kubernetes-models)\//.test(url))).toEqual(
      [],
    );
  });

  it('writes the same bytes into --output, nothing on stdout', async () => {
    const direct = await exportCli('--format', 'gateway-api', '--gateway', 'lanes', '--domain', 'lanes.internal');
    const file = join(work, 'routes.yaml');
    const written = await exportCli(
      '--format=gateway-api',
      '--gateway=lanes',
      '--domain=lanes.internal',
      '--output',
      'routes.yaml',
    );
    expect({ code: written.code, stdout: written.stdout }).toEqual({ code: 0, stdout: '' });
    expect(written.stderr).toMatch(/written to routes\.yaml; .*host-name addressing only/);
    expect(await readFile(file, 'utf8')).toBe(direct.stdout);
    validatedExport(direct.stdout);
    expect(direct.stdout).toMatch(/hostnames:\n {4}- payments\.lanes\.internal\n/);
  });

  it('says what is wrong with its options, exit 2', async () => {
    const cases: [string[], string][] = [
      [['--gateway', 'lanes'], 'yardmaster lanes export: --format: is required: --format gateway-api\n'],
      [
        ['--format', 'nginx', '--gateway', 'lanes'],
        'yardmaster lanes export: --format: expected gateway-api, not "nginx"\n',
      ],
      [
        ['--format', 'gateway-api'],
        'yardmaster lanes export: --gateway: is required: the Gateway the routes attach to, --gateway [<namespace>/]<name> (repeat for more)\n',
      ],
      [
        ['--format', 'gateway-api', '--gateway', 'Bad_NS/lanes'],
        'yardmaster lanes export: --gateway: "Bad_NS/lanes": "Bad_NS" is not a namespace name (lower-case letters, digits and -, 63 at most)\n',
      ],
      [
        ['--format', 'gateway-api', '--gateway', 'lanes', '--gateway', 'lanes'],
        'yardmaster lanes export: --gateway: a Gateway is named twice\n',
      ],
      [
        ['--format', 'gateway-api', '--gateway', 'lanes', '--namespace', 'Shop'],
        'yardmaster lanes export: --namespace: expected a namespace name: lower-case letters, digits and -, 63 at most\n',
      ],
      [
        ['--format', 'gateway-api', '--gateway', 'lanes', '--backend-name', '{service}.{version}'],
        'yardmaster lanes export: --backend-name: expected lower-case letters, digits, - and the placeholders {service} and {version}, 63 characters at most\n',
      ],
      [
        ['--format', 'gateway-api', '--gateway', 'lanes', '--unavailable-service', '503'],
        'yardmaster lanes export: --unavailable-service: expected a Service name: a letter, then lower-case letters, digits and -, 63 at most\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const run = await lanes('export', ...args);
      expect({ args, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stdout: '',
        stderr,
      });
    }
    const serveOption = await lanes('export', '--format', 'gateway-api', '--gateway', 'lanes', '--json');
    expect(serveOption.code).toBe(2);
    expect(serveOption.stderr).toMatch(/^yardmaster lanes export: --json is not an option of lanes export\n/);
    const misplaced = await lanes('list', '--format', 'gateway-api');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/^yardmaster lanes list: --format is an option of lanes export\n/);
  });

  it('refuses a table it cannot write whole, saying why, and writes nothing', async () => {
    expect((await lanes('add', '9lives', '1', 'http://10.1.0.9:80', '--baseline')).code).toBe(0);
    try {
      const run = await exportCli('--format', 'gateway-api', '--gateway', 'lanes', '--output', 'refused.yaml');
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'lanes export: the route table cannot be written as Gateway API objects, nothing written:\n' +
          '  9lives@1: backend name "9lives-1" (from --backend-name "{service}-{version}") is not a Kubernetes Service name: it must start with a letter\n',
      });
      expect(existsSync(join(work, 'refused.yaml'))).toBe(false);
      // A template that starts with a letter makes it a name.
      const fixed = await exportCli(
        '--format',
        'gateway-api',
        '--gateway',
        'lanes',
        '--backend-name',
        's-{service}-{version}',
      );
      expect(fixed.code).toBe(0);
      expect(fixed.stdout).toMatch(/- name: s-9lives-1\n/);
      validatedExport(fixed.stdout);
    } finally {
      expect((await lanes('remove', '9lives', '1')).code).toBe(0);
    }
  });
});
