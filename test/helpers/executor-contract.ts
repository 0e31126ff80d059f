/**
 * Behaviour every executor must have, run against each plugin on real processes: quoting, streaming,
 * exit status, stdin, timeout and abort of whole process groups, uploads, TCP from the host.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shellAssignments, shellQuote } from '../../src/executors/shell-quote.ts';
import type { Executor } from '../../src/executors/types.ts';
import { run } from './executor-fixtures.ts';
import { sha256File, sha256Hex, writeRandomFile } from './files.ts';
import { waitUntilGone } from './processes.ts';
import { startHttpServer, startSilentServer } from './tcp-servers.ts';

export interface ContractContext {
  /** A connected executor (the same one for every test: connection reuse is part of the contract). */
  executor(): Executor;
  /** A fresh directory on this machine that the executor's user can write and the test can read. */
  workDir(): Promise<string>;
  /** Where the test may create input files. */
  scratchDir(): string;
  /** Upload methods that differ for this executor. */
  methods: readonly ('sftp' | 'scp')[];
}

const hostile = [
  '$(id)',
  '`id`',
  ';touch PWNED',
  "it's \"quoted\" and 'single'",
  'line one\nline two\n',
  '&& echo injected || true',
  '$HOME ${PATH} $0 $$',
  '\\back\\slash\\',
  'glob * ? [a]',
  'ünïcødé ✓ 🚀',
  '',
  '-n',
];

/** Registers the shared executor tests in the current `describe`. */
export function executorContract(context: ContractContext): void {
  const q = shellQuote;

  describe('commands', () => {
    it('passes variables with shell metacharacters literally and executes nothing in them', async () => {
      const dir = await workDir();
      const values = hostile.map((value) => value.replace('PWNED', join(dir, 'pwned')));
      const vars = Object.fromEntries(values.map((value, index) => [`YM_V${index}`, value]));
      const names = Object.keys(vars).join(' ');
      const result = await run(
        context.executor(),
        `cd ${q(dir)} && export ${shellAssignments(vars)} && printenv -0 ${names}`,
      );
      expect(result.exitCode).toBe(0);
      expect(result.stdout.split('\0').slice(0, -1)).toEqual(values);
      const args = await run(context.executor(), `cd ${q(dir)} && printf '%s\\0' ${values.map(q).join(' ')}`);
      expect(args.stdout.split('\0').slice(0, -1)).toEqual(values);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(args.stdout).not.toMatch(/uid=\d+/);
      expect(result.stdout).not.toContain('injected\0');
    });

    it('streams stdout and stderr while the command runs', async () => {
      const dir = await workDir();
      const flag = join(dir, 'go');
      const seen: string[] = [];
      // The command waits for a file that the test only creates after seeing the first output: without
      // streaming it would never finish.
      const result = await run(
        context.executor(),
        `echo ready; echo warming >&2; while [ ! -e ${q(flag)} ]; do sleep 0.02; done; echo done; echo bye >&2`,
        {
          timeoutMs: 30_000,
          onStdout: (chunk) => {
            seen.push(`out:${chunk}`);
            if (chunk.includes('ready')) void writeFile(flag, '');
          },
          onStderr: (chunk) => seen.push(`err:${chunk}`),
        },
      );
      expect(result).toMatchObject({ exitCode: 0, timedOut: false });
      expect(result.stdout).toBe('ready\ndone\n');
      expect(result.stderr).toBe('warming\nbye\n');
      expect(seen.length).toBeGreaterThanOrEqual(3);
    });

    it('keeps multibyte characters whole when they are split across chunks', async () => {
      const chunks: string[] = [];
      const result = await run(
        context.executor(),
        `printf '\\342\\202'; sleep 0.2; printf '\\254 \\360\\237'; sleep 0.2; printf '\\232\\200\\n'`,
        {
          onStdout: (chunk) => chunks.push(chunk),
        },
      );
      expect(result.stdout).toBe('€ 🚀\n');
      for (const chunk of chunks) expect(chunk).not.toContain('\uFFFD');
    });

    it('reports exit codes and deaths by signal', async () => {
      for (const code of [0, 1, 3, 42, 255]) {
        const result = await context.executor().exec(`exit ${code}`);
        expect(result).toEqual({ exitCode: code, signal: null, timedOut: false, aborted: false });
      }
      const killed = await context.executor().exec('kill -KILL $$');
      expect(killed).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    });

    it('closes stdin at once when none is given', async () => {
      const result = await run(context.executor(), 'cat; echo end');
      expect(result).toMatchObject({ exitCode: 0, stdout: 'end\n' });
    });

    it('feeds a string, a Buffer and a stream of several MB to stdin', async () => {
      expect((await run(context.executor(), 'cat', { stdin: 'hé\nllo' })).stdout).toBe('hé\nllo');
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const fromBuffer = await run(context.executor(), 'sha256sum', { stdin: data });
      expect(fromBuffer.stdout.split(' ')[0]).toBe(sha256Hex(data));
      const file = join(context.scratchDir(), `stdin-${Date.now()}.bin`);
      await writeRandomFile(file, 5 * 1024 * 1024 + 3);
      const fromStream = await run(context.executor(), 'sha256sum', { stdin: createReadStream(file) });
      expect(fromStream.stdout.split(' ')[0]).toBe(await sha256File(file));
    });

    it('unpacks a tar.gz streamed into tar -x', async () => {
      const source = join(context.scratchDir(), `tree-${Date.now()}`);
      await mkdir(join(source, 'sub dir'), { recursive: true });
      await writeRandomFile(join(source, 'blob.bin'), 2 * 1024 * 1024);
      await writeFile(join(source, 'sub dir', "it's.txt"), 'hello\n');
      const archive = execFileSync('tar', ['-czf', '-', '-C', source, '.'], { maxBuffer: 64 << 20 });
      const dir = await workDir();
      const result = await run(
        context.executor(),
        `mkdir -p ${q(join(dir, 'out'))} && tar -xzf - -C ${q(join(dir, 'out'))}`,
        {
          stdin: Readable.from([archive.subarray(0, 1000), archive.subarray(1000)]),
        },
      );
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(await sha256File(join(dir, 'out', 'blob.bin'))).toBe(await sha256File(join(source, 'blob.bin')));
      expect(await readFile(join(dir, 'out', 'sub dir', "it's.txt"), 'utf8')).toBe('hello\n');
    });

    it('rejects when a stdin stream fails, and stops the command', async () => {
      const failing = new Readable({
        read() {
          this.destroy(new Error('disk on fire'));
        },
      });
      await expect(context.executor().exec('cat > /dev/null; sleep 30', { stdin: failing })).rejects.toThrow(
        'disk on fire',
      );
    });

    it('runs many commands at once over the same executor', async () => {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) => run(context.executor(), `echo ${index}`)),
      );
      expect(results.map((result) => result.stdout)).toEqual(Array.from({ length: 40 }, (_, index) => `${index}\n`));
      for (let index = 0; index < 100; index += 1) {
        expect((await context.executor().exec('true')).exitCode).toBe(0);
      }
    });
  });

  describe('interruption', () => {
    const backgroundJob = (dir: string, prelude = ''): string =>
      `cd ${q(dir)} && sh -c ${q(`${prelude}sleep 30 & echo $! > sleep.pid; echo started; wait; echo late > late.txt`)}`;

    async function expectJobDead(dir: string): Promise<void> {
      const pid = Number(await readFile(join(dir, 'sleep.pid'), 'utf8'));
      expect(pid).toBeGreaterThan(0);
      expect(await waitUntilGone(pid)).toBe(true);
      expect(existsSync(join(dir, 'late.txt'))).toBe(false);
    }

    it('times out: the whole process group dies and nothing runs afterwards', async () => {
      const dir = await workDir();
      const result = await context.executor().exec(backgroundJob(dir), { timeoutMs: 1000 });
      expect(result.timedOut).toBe(true);
      expect(result.aborted).toBe(false);
      expect(result.exitCode).not.toBe(0);
      await expectJobDead(dir);
    });

    it('escalates to SIGKILL when the command ignores SIGTERM', async () => {
      const dir = await workDir();
      const result = await context.executor().exec(backgroundJob(dir, `trap '' TERM; `), { timeoutMs: 1000 });
      expect(result.timedOut).toBe(true);
      await expectJobDead(dir);
    });

    it('kills the rest of the group when the shell that started it dies at once on SIGTERM', async () => {
      // The login shell has to fork here (a command follows), dies on SIGTERM, and leaves a job behind
      // that ignores SIGTERM: only SIGKILL to the process group (not to the shell's pid) ends it.
      const dir = await workDir();
      const job = `cd ${q(dir)} && sh -c ${q(`trap '' TERM; sleep 30 & echo $! > sleep.pid; wait; echo late > late.txt`)}; echo after`;
      const result = await context.executor().exec(job, { timeoutMs: 1000 });
      expect(result.timedOut).toBe(true);
      await expectJobDead(dir);
    });

    it('aborts through an AbortSignal', async () => {
      const dir = await workDir();
      const controller = new AbortController();
      const result = await context.executor().exec(backgroundJob(dir), {
        signal: controller.signal,
        onStdout: (chunk) => {
          if (chunk.includes('started')) controller.abort();
        },
      });
      expect(result).toMatchObject({ aborted: true, timedOut: false });
      await expectJobDead(dir);
    });

    it('does not start a command whose signal is already aborted', async () => {
      const dir = await workDir();
      const result = await context.executor().exec(`touch ${q(join(dir, 'ran'))}`, { signal: AbortSignal.abort() });
      expect(result).toEqual({ exitCode: null, signal: null, timedOut: false, aborted: true });
      expect(existsSync(join(dir, 'ran'))).toBe(false);
    });

    it('still works normally after interruptions', async () => {
      expect((await run(context.executor(), 'echo fine')).stdout).toBe('fine\n');
    });
  });

  describe('uploads', () => {
    for (const method of context.methods) {
      it(`copies a 20 MB file byte for byte by ${method}`, async () => {
        const local = join(context.scratchDir(), `big-${method}.bin`);
        await writeRandomFile(local, 20 * 1024 * 1024 + 123);
        const dir = await workDir();
        const remote = join(dir, 'package.tar.gz');
        await context.executor().putFile(local, remote, { method });
        const expected = await sha256File(local);
        expect(await sha256File(remote)).toBe(expected);
        expect((await run(context.executor(), `sha256sum ${q(remote)}`)).stdout.split(' ')[0]).toBe(expected);
      });

      it(`copies empty files, odd names and exact modes by ${method}`, async () => {
        const empty = join(context.scratchDir(), `empty-${method}`);
        await writeFile(empty, '');
        const dir = await workDir();
        await context.executor().putFile(empty, join(dir, 'empty'), { method });
        expect((await stat(join(dir, 'empty'))).size).toBe(0);
        const odd = join(context.scratchDir(), `odd-${method}`);
        await writeFile(odd, 'odd\n');
        const oddRemote = join(dir, "it's a $(file) `name`.sh");
        await context.executor().putFile(odd, oddRemote, { method, mode: 0o750 });
        expect(await readFile(oddRemote, 'utf8')).toBe('odd\n');
        expect((await stat(oddRemote)).mode & 0o7777).toBe(0o750);
        await context.executor().putFile(odd, join(dir, 'private'), { method, mode: 0o600 });
        expect((await stat(join(dir, 'private'))).mode & 0o7777).toBe(0o600);
      });

      it(`rejects an upload into a missing directory by ${method}`, async () => {
        const local = join(context.scratchDir(), `small-${method}`);
        await writeFile(local, 'x');
        const dir = await workDir();
        await expect(context.executor().putFile(local, join(dir, 'missing', 'file'), { method })).rejects.toThrow();
        expect((await run(context.executor(), 'echo still-fine')).stdout).toBe('still-fine\n');
      });

      it(`stops an upload when aborted, and the next one works, by ${method}`, async () => {
        const local = join(context.scratchDir(), `abort-${method}.bin`);
        await writeRandomFile(local, 20 * 1024 * 1024);
        const dir = await workDir();
        await expect(
          context.executor().putFile(local, join(dir, 'aborted'), { method, signal: AbortSignal.abort() }),
        ).rejects.toThrow();
        const controller = new AbortController();
        const upload = context.executor().putFile(local, join(dir, 'aborted'), { method, signal: controller.signal });
        controller.abort();
        await expect(upload).rejects.toThrow();
        await context.executor().putFile(local, join(dir, 'after'), { method });
        expect(await sha256File(join(dir, 'after'))).toBe(await sha256File(local));
      });
    }
  });

  describe('tcp', () => {
    it('opens a TCP connection from the host to a local HTTP server', async () => {
      const server = await startHttpServer('healthy');
      try {
        const socket = await context.executor().openTcp('127.0.0.1', server.port);
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        const ended = new Promise<void>((resolve, reject) => {
          socket.once('end', resolve);
          socket.once('error', reject);
        });
        socket.write('GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n');
        await ended;
        const response = Buffer.concat(chunks).toString('utf8');
        expect(response).toMatch(/^HTTP\/1\.[01] 200 OK/);
        expect(response).toContain('healthy GET /healthz');
      } finally {
        await server.close();
      }
    });

    it('rejects a TCP connection to a closed port and keeps working', async () => {
      const server = await startSilentServer();
      const port = server.port;
      await server.close();
      await expect(context.executor().openTcp('127.0.0.1', port)).rejects.toThrow();
      expect((await run(context.executor(), 'echo ok')).stdout).toBe('ok\n');
    });
  });

  const workDir = (): Promise<string> => context.workDir();
}
