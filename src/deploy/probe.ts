/** Health and monitor probes as seen from the host: HTTP through a tunnel opened from the host, or a command. */
import { connect as tlsConnect } from 'node:tls';
import type { Executor } from '../executors/types.ts';
import type { Probe } from '../plan/types.ts';

export type ProbeResult = { ok: true; detail: string } | { ok: false; detail: string; exitCode: number | null };

/** Runs a command probe; the caller supplies how a command is run (env, cwd, output handling). */
export type CommandRunner = (
  command: string,
  signal: AbortSignal,
) => Promise<{ exitCode: number | null; lastLine: string }>;

const PROBE_TIMEOUT_MS = 10_000;

async function httpProbe(
  executor: Executor,
  url: string,
  expectStatus: number,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  const tunnel = await executor.openTcp(hostname, port);
  const socket = secure ? tlsConnect({ socket: tunnel, servername: hostname }) : tunnel;
  return new Promise<ProbeResult>((resolve) => {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]);
    // Not `import … from 'node:http'`: see package-source.ts (the import alone loads undici).
    const req = process.getBuiltinModule('node:http').request(
      {
        method: 'GET',
        host: hostname,
        port,
        path: `${target.pathname}${target.search}`,
        headers: { 'user-agent': 'yardmaster-health', connection: 'close' },
        createConnection: () => socket,
        signal: timeout,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        response.on('end', () => {
          tunnel.destroy();
          resolve(
            status === expectStatus
              ? { ok: true, detail: `HTTP ${status} from ${url}` }
              : { ok: false, detail: `HTTP ${status} from ${url}, expected ${expectStatus}`, exitCode: null },
          );
        });
      },
    );
    req.on('error', (error) => {
      tunnel.destroy();
      resolve({ ok: false, detail: `${url}: ${error.message}`, exitCode: null });
    });
    req.end();
  });
}

/** Runs one probe once. */
export async function runProbe(
  probe: Probe,
  executor: Executor,
  runCommand: CommandRunner,
  signal: AbortSignal,
): Promise<ProbeResult> {
  if (probe.kind === 'command') {
    const { exitCode, lastLine } = await runCommand(probe.command, signal);
    return exitCode === 0
      ? { ok: true, detail: `command passed` }
      : {
          ok: false,
          detail: `health command exited ${exitCode ?? 'by signal'}${lastLine ? `: ${lastLine}` : ''}`,
          exitCode,
        };
  }
  try {
    return await httpProbe(executor, probe.url, probe.expectStatus, signal);
  } catch (error) {
    return {
      ok: false,
      detail: `${probe.url}: ${error instanceof Error ? error.message : String(error)}`,
      exitCode: null,
    };
  }
}
