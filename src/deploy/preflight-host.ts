/** Pre-flight of one host: connect (with the pinned key), run the read-only script, judge each check. */
import type { ResolvedHost } from '../config/types.ts';
import type { Executor } from '../executors/types.ts';
import { runScript } from './host-commands.ts';
import { stateValue, stateValues, type HostStateLines } from './host-state.ts';
import { RecentLines } from './output-lines.ts';
import { preflightScript } from './preflight-script.ts';
import type { PreflightCheck, PreflightCheckName, PreflightHostReport } from './preflight-types.ts';
import { releaseLayout, versionFromLinkTarget } from './release-layout.ts';
import type { ConnectHost } from './types.ts';

/** What the host must have and hold, from the plan and the package. */
export interface PreflightNeeds {
  requiredCommands: readonly string[];
  /** `transfer: pull`: the host needs one of these. */
  downloaders?: readonly string[];
  /** Free KiB wanted (3× the package + 1 MiB), or null when the package's size is not known before the fetch. */
  neededKb: number | null;
  /** Bound on connecting and on the script. */
  timeoutMs: number;
}

function mib(kb: number): string {
  return `${(kb / 1024).toFixed(kb < 10 * 1024 ? 1 : 0)} MiB`;
}

function diskCheck(state: HostStateLines, neededKb: number | null): PreflightCheck {
  const avail = Number(stateValue(state, 'avail_kb') ?? Number.NaN);
  if (!Number.isFinite(avail)) return { ok: false, detail: 'free space unknown: df gave no answer' };
  if (neededKb === null) return { ok: true, detail: `${mib(avail)} free; package size unknown before the fetch` };
  const ok = avail >= neededKb;
  return { ok, detail: `${mib(avail)} free, ${mib(neededKb)} needed${ok ? '' : ' (not enough)'}` };
}

function toolsCheck(state: HostStateLines, needs: PreflightNeeds): PreflightCheck {
  const missing = stateValues(state, 'missing');
  const downloader = stateValue(state, 'downloader');
  const wantsDownloader = needs.downloaders !== undefined && needs.downloaders.length > 0;
  const problems = [
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
    ...(wantsDownloader && downloader === undefined ? [`no ${needs.downloaders?.join(' or ') ?? ''} for pull`] : []),
  ];
  if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
  return { ok: true, detail: wantsDownloader ? `all present (pull with ${downloader ?? '?'})` : 'all present' };
}

function currentCheck(state: HostStateLines): PreflightCheck {
  const link = stateValue(state, 'current');
  if (link === undefined) return { ok: true, detail: 'none yet (first release)' };
  const version = versionFromLinkTarget(link);
  if (stateValue(state, 'current_readable') !== 'yes')
    return { ok: false, detail: `current -> ${link} is not a readable release` };
  return { ok: true, detail: version ?? link };
}

function lockCheck(state: HostStateLines): PreflightCheck {
  const owner = stateValue(state, 'lock');
  if (owner === undefined) return { ok: true, detail: 'none' };
  return { ok: false, detail: `held by another release: ${owner === '' ? 'unknown owner' : owner}` };
}

function writableCheck(state: HostStateLines): PreflightCheck {
  const value = stateValue(state, 'writable') ?? 'no the script did not answer';
  if (value.startsWith('yes')) return { ok: true, detail: value };
  return { ok: false, detail: value.replace(/^no /, '') };
}

function judged(host: string, checks: Partial<Record<PreflightCheckName, PreflightCheck>>): PreflightHostReport {
  return { host, ok: Object.values(checks).every((check) => check.ok), checks };
}

/** Checks one host without changing anything on it; never throws (a failure is the host's report). */
export async function preflightHost(
  target: ResolvedHost,
  connect: ConnectHost,
  needs: PreflightNeeds,
  signal: AbortSignal,
): Promise<PreflightHostReport> {
  const host = target.entry.name;
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(needs.timeoutMs)]);
  let executor: Executor | null = null;
  try {
    try {
      executor = await connect(target.entry, bounded);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return judged(host, { connect: { ok: false, detail: message } });
    }
    const key = target.entry.hostKey === undefined ? 'connected' : `connected, key ${target.entry.hostKey}`;
    const io = {
      executor,
      target,
      signal: bounded,
      releaseId: 'preflight',
      mask: (text: string) => text,
      emit: () => {
        /* a pre-flight reports through its result, not events */
      },
      plan: { commandTimeoutMs: needs.timeoutMs },
    };
    const script = preflightScript({
      layout: releaseLayout(target.deployTo),
      requiredCommands: needs.requiredCommands,
      ...(needs.downloaders === undefined ? {} : { downloaders: needs.downloaders }),
    });
    const run = await runScript(io, { recent: new RecentLines() }, 'check', script);
    if (run.exec.exitCode !== 0) {
      const why = run.exec.timedOut ? 'timed out' : `exited ${String(run.exec.exitCode)}`;
      return judged(host, {
        connect: { ok: true, detail: key },
        deploy_to: { ok: false, detail: `the pre-flight script ${why}: ${run.lastStderr}` },
      });
    }
    return judged(host, {
      connect: { ok: true, detail: key },
      deploy_to: writableCheck(run.state),
      disk: diskCheck(run.state, needs.neededKb),
      tools: toolsCheck(run.state, needs),
      current: currentCheck(run.state),
      lock: lockCheck(run.state),
    });
  } finally {
    if (executor) await executor.close().catch(() => undefined);
  }
}
