/**
 * Pre-flight: the check stage of a release, read-only, on every host of a plan before anyone approves it. The package
 * is located first (its size sets the free space wanted: 3× the package + 1 MiB, as the check stage wants), then
 * every host is checked at once (at most {@link PREFLIGHT_CONCURRENCY}).
 */
import type { AppConfig, EnvironmentConfig, ResolvedHost } from '../config/types.ts';
import type { Plan, TransferMethod } from '../plan/types.ts';
import { headContentLength } from './package-head.ts';
import { redactUrl, resolvePackage, type PackageAccess } from './package-source.ts';
import { preflightHost, type PreflightNeeds } from './preflight-host.ts';
import type { PreflightHostReport, PreflightReport } from './preflight-types.ts';
import { pullSource } from './pull-source.ts';
import { runPool } from './run-pool.ts';
import { DOWNLOADERS, requiredCommands } from './stage-tools.ts';
import type { ConnectHost } from './types.ts';

export const PREFLIGHT_CONCURRENCY = 16;
const DEFAULT_HOST_TIMEOUT_MS = 30_000;

export interface PreflightRequest {
  plan: Plan;
  app: AppConfig;
  environment: EnvironmentConfig;
  hosts: readonly ResolvedHost[];
  signal: AbortSignal;
}

export interface PreflightOptions {
  connect: ConnectHost;
  artifactsDir: string;
  cacheDir: string;
  packageAccess?: PackageAccess;
  defaultTransfer?: TransferMethod;
  /** Bound on each host's connect and script (default 30 s). */
  hostTimeoutMs?: number;
}

type PackageFacts = { ok: true; bytes: number | null; note?: string; gzip: boolean } | { ok: false; message: string };

/** The package's size and format as far as they are known before any host fetches it. */
async function packageFacts(
  plan: Plan,
  transfer: TransferMethod,
  options: PreflightOptions,
  signal: AbortSignal,
): Promise<PackageFacts> {
  if (transfer === 'pull') {
    const pull = pullSource(plan.package.url, plan.package.sha256, options.packageAccess);
    if ('problem' in pull) return { ok: false, message: pull.problem };
    const head = await headContentLength(pull.url, signal);
    if (head.ok) return { ok: true, bytes: head.bytes, gzip: pull.gzip };
    return { ok: true, bytes: null, note: `${redactUrl(pull.url)}: ${head.why}`, gzip: pull.gzip };
  }
  // A pushed package is found and verified on the controller, as the release will (a download lands in its cache).
  const pkg = await resolvePackage(plan.package.url, plan.package.sha256, {
    artifactsDir: options.artifactsDir,
    cacheDir: options.cacheDir,
    signal,
    ...(options.packageAccess === undefined ? {} : { access: options.packageAccess }),
  });
  if (!pkg.ok) return { ok: false, message: pkg.message };
  return { ok: true, bytes: pkg.value.size, gzip: pkg.value.gzip };
}

/**
 * Runs the pre-flight (see the top of this file); never throws for host or package problems. A package that cannot be
 * found or verified fails it before any host is reached (no hosts, `packageNote` says why).
 */
export async function preflightEnvironment(
  request: PreflightRequest,
  options: PreflightOptions,
): Promise<PreflightReport> {
  const { plan } = request;
  const transfer =
    plan.transfer ?? request.environment.transfer ?? request.app.transfer ?? options.defaultTransfer ?? 'stream';
  const facts = await packageFacts(plan, transfer, options, request.signal);
  if (!facts.ok) return { ok: false, hosts: [], packageBytes: null, packageNote: facts.message };
  const needs: PreflightNeeds = {
    requiredCommands: requiredCommands(transfer === 'pull' ? 'pull' : 'push', facts.gzip),
    ...(transfer === 'pull' ? { downloaders: DOWNLOADERS } : {}),
    neededKb: facts.bytes === null ? null : Math.ceil((facts.bytes * 3) / 1024) + 1024,
    timeoutMs: options.hostTimeoutMs ?? DEFAULT_HOST_TIMEOUT_MS,
  };
  const reports = new Map<string, PreflightHostReport>();
  await runPool(request.hosts, PREFLIGHT_CONCURRENCY, async (target) => {
    reports.set(target.entry.name, await preflightHost(target, options.connect, needs, request.signal));
  });
  const hosts = request.hosts.flatMap((target) => reports.get(target.entry.name) ?? []);
  return {
    ok: hosts.every((host) => host.ok),
    hosts,
    packageBytes: facts.bytes,
    ...(facts.note === undefined ? {} : { packageNote: facts.note }),
  };
}
