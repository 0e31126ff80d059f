/**
 * `yardmaster <command> --help`, `-h` and `yardmaster help <command>` print that command's usage with exit 0, for
 * every command; an unknown or malformed option gives one clear line naming the command, then the usage, exit 2.
 * Through the real bin/yardmaster.js (and in-process for the many small cases). Also what the start loads:
 * `--version` and `--help` no package at all, `validate` (with or without a config) and `config check` none of the database, queue, GitHub, Slack or SSH stack.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runYardmaster } from '../helpers/run-yardmaster.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { captureIo } from '../helpers/cli-capture.ts';

let work: string;
let hook: string;
let plan: string;
let config: string;

type Run = CliRun;

function yardmaster(args: readonly string[], nodeOptions: readonly string[] = []): Promise<Run> {
  return runYardmaster(args, {
    cwd: work,
    env: { HOME: work, NODE_COMPILE_CACHE: join(work, 'compile-cache') },
    nodeOptions,
  });
}

async function inProcess(args: readonly string[]): Promise<Run> {
  const run = captureIo(work);
  const code = await runCli(args, run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The packages (node_modules/<name>) a `yardmaster` call loads, from a module hook that lists every URL (one call at a time). */
async function packagesLoaded(
  args: readonly string[],
): Promise<{ run: Run; packages: Set<string>; zodLocales: string[] }> {
  const run = await yardmaster(args, ['--import', hook]);
  const urls = (await readFile(join(work, 'loaded.txt'), 'utf8')).split('\n').filter(Boolean);
  const packages = new Set(
    urls
      .filter((url) => url.includes('/node_modules/'))
      .map((url) => {
        const parts = (url.split('/node_modules/').pop() ?? '').split('/');
        return (parts[0] ?? '').startsWith('@') ? `${parts[0] ?? ''}/${parts[1] ?? ''}` : (parts[0] ?? '');
      }),
  );
  const zodLocales = urls.filter((url) => url.includes('/zod/v4/locales/')).map((url) => url.split('/').pop() ?? '');
  return { run, packages, zodLocales };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-cli-help-'));
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
  plan = join(work, 'plan.yml');
  await writeFile(
    plan,
    [
      'app: shop',
      'environment: staging',
      'version: 1.0.0',
      'package:',
      '  url: file:///tmp/shop-1.0.0.tar.gz',
      `  sha256: ${'a'.repeat(64)}`,
      'strategy: { mode: parallel }',
      '',
    ].join('\n'),
  );
});

beforeAll(async () => {
  config = join(work, 'yardmaster.yml');
  await writeFile(
    config,
    [
      'apps:',
      '  shop:',
      '    deploy_to: /srv/shop',
      '    environments:',
      '      staging: { hosts: [web] }',
      'hosts:',
      '  web:',
      '    - { name: web-1, address: 127.0.0.1, port: 22, user: deploy }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster <command> --help', () => {
  it('every command prints its usage on stdout with exit 0 (the real binary)', async () => {
    const runs = await Promise.all(COMMANDS.map((command) => yardmaster([command.name, '--help'])));
    COMMANDS.forEach((command, index) => {
      const run = runs[index];
      expect(run?.code, command.name).toBe(0);
      expect(run?.stdout, command.name).toBe(`${command.usage}\n`);
      expect(run?.stderr, command.name).toBe('');
    });
  });

  it('-h, `help <command>` and --help after other arguments do the same; after -- it is an argument', async () => {
    for (const command of COMMANDS) {
      for (const args of [
        [command.name, '-h'],
        ['help', command.name],
        [command.name, 'x', '--config', 'y.yml', '--help'],
      ]) {
        const run = await inProcess(args);
        expect(run.code, args.join(' ')).toBe(0);
        expect(run.stdout, args.join(' ')).toBe(`${command.usage}\n`);
      }
    }
    const positional = await inProcess(['validate', '--', '--help']);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toContain('cannot read the plan');
  });

  it('`yardmaster help` and --help list every command; no command at all is exit 2; an unknown one too', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const run = await inProcess(args);
      expect(run.code).toBe(0);
      for (const command of COMMANDS) expect(run.stdout).toContain(command.usage);
    }
    const bare = await inProcess([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('usage: yardmaster deploy');
    const unknown = await inProcess(['deplyo']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('yardmaster: unknown command deplyo');
    const unknownHelp = await inProcess(['help', 'deplyo']);
    expect(unknownHelp.code).toBe(2);
    expect(unknownHelp.stderr.split('\n')[0]).toBe('yardmaster help: unknown command deplyo');
  });
});

describe('yardmaster <command> with a bad option', () => {
  it('an unknown option is one line naming the command and the option, then the usage, exit 2 (every command)', async () => {
    for (const command of COMMANDS) {
      const run = await inProcess([command.name, '--foo']);
      expect(run.code, command.name).toBe(2);
      expect(run.stderr, command.name).toBe(`yardmaster ${command.name}: unknown option --foo\n\n${command.usage}\n`);
      expect(run.stdout, command.name).toBe('');
    }
  });

  it('a flag given a value, an option without one, and an unknown short option are named the same way', async () => {
    const cases: [string[], string][] = [
      [['deploy', '--force=yes', 'plan.yml'], 'yardmaster deploy: option --force takes no value'],
      [['validate', plan, '--config'], 'yardmaster validate: option --config needs a value'],
      [
        ['rollback', '--config', '--json'],
        'yardmaster rollback: option --config needs a value, not the option --json (for a value that starts with "-", write --config=--json)',
      ],
      [['releases', '-x'], 'yardmaster releases: unknown option -x'],
      [['secrets', 'list', '--repo', 'acme/shop', '--value'], 'yardmaster secrets: unknown option --value'],
    ];
    for (const [args, line] of cases) {
      const run = await inProcess(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0], args.join(' ')).toBe(line);
      expect(run.stderr, args.join(' ')).toContain('\n\nusage: yardmaster ');
      expect(run.stderr, args.join(' ')).not.toMatch(/To specify|ambiguous|argument missing/);
    }
  });

  it('through the real binary: the clear line and the usage, exit 2', async () => {
    const run = await yardmaster(['deploy', '--foo']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('yardmaster deploy: unknown option --foo');
    expect(run.stderr).toContain('usage: yardmaster deploy --config <file>');
  });
});

describe('what a command loads', () => {
  it('--version and --help load no package; validate and config check load no database, queue, GitHub, Slack or SSH package', async () => {
    const version = await packagesLoaded(['--version']);
    expect(version.run.stdout).toMatch(/^yardmaster \d+\.\d+\.\d+/);
    expect([...version.packages]).toEqual([]);
    const help = await packagesLoaded(['deploy', '--help']);
    expect(help.run.code).toBe(0);
    expect([...help.packages]).toEqual([]);
    const validate = await packagesLoaded(['validate', plan]);
    expect(validate.run.code, validate.run.stderr).toBe(0);
    expect(validate.packages.has('yaml')).toBe(true);
    const withConfig = await packagesLoaded(['validate', '--config', config, plan]);
    expect(withConfig.run.code, withConfig.run.stderr).toBe(0);
    expect(withConfig.run.stdout).toContain('1 host(s) in 1 batch(es)');
    const configCheck = await packagesLoaded(['config', 'check', config, '--against', config]);
    expect(configCheck.run.code, configCheck.run.stderr).toBe(0);
    expect(configCheck.run.stdout).toContain('no change');
    for (const heavy of [
      'ssh2',
      'pg-boss',
      'drizzle-orm',
      'postgres',
      '@electric-sql/pglite',
      'probot',
      '@slack/bolt',
    ]) {
      expect(validate.packages.has(heavy), heavy).toBe(false);
      expect(withConfig.packages.has(heavy), heavy).toBe(false);
      expect(configCheck.packages.has(heavy), heavy).toBe(false);
    }
    // The Markdown parser is for Markdown plans only; of zod's locales only English (bin/yardmaster.js).
    for (const markdown of ['mdast-util-from-markdown', 'micromark']) {
      expect(validate.packages.has(markdown), markdown).toBe(false);
      expect(withConfig.packages.has(markdown), markdown).toBe(false);
    }
    expect(validate.zodLocales).toEqual(['en.js']);
  });
});
