/**
 * The policy as the server holds it: the built-in defaults, or a file read at start and again on SIGHUP. A file that
 * turns bad keeps the policy in force (a typo must not open or close every repository at once).
 */
import { formatIssues } from '../plan/index.ts';
import type { SourceIssue } from '../plan/types.ts';
import { loadPolicyFile } from './parse-policy.ts';
import { defaultGrant, grantFromPolicy } from './repo-grant.ts';
import type { PolicyFile, PolicySource } from './types.ts';

/** The defaults for every repository (no `YARDMASTER_POLICY`). */
export function defaultPolicySource(options: { artifactsDir: string }): PolicySource {
  return { name: 'defaults', forRepo: (repoFullName) => defaultGrant(repoFullName, options.artifactsDir) };
}

/** A policy held in memory, e.g. built by tests or read by {@link openPolicyFile}. */
export function staticPolicySource(policy: PolicyFile, options: { artifactsDir: string; file: string }): PolicySource {
  return {
    name: `file:${options.file}`,
    forRepo: (repoFullName) => grantFromPolicy(policy, options.file, repoFullName, options.artifactsDir),
  };
}

/** A policy file that can be read again. */
export interface ReloadablePolicy extends PolicySource {
  /** Reads the file again; on errors the policy in force stays and the issues come back. */
  reload(): Promise<{ ok: true } | { ok: false; issues: SourceIssue[] }>;
}

/**
 * Reads the policy file at `file`.
 *
 * @returns a reloadable source, or every problem of the file with its line (the server must not start without it).
 */
export async function openPolicyFile(
  file: string,
  options: { artifactsDir: string },
): Promise<{ ok: true; source: ReloadablePolicy } | { ok: false; issues: SourceIssue[] }> {
  const first = await loadPolicyFile(file);
  if (!first.ok) return first;
  let current = first.value;
  return {
    ok: true,
    source: {
      name: `file:${file}`,
      forRepo: (repoFullName) => grantFromPolicy(current, file, repoFullName, options.artifactsDir),
      async reload() {
        const next = await loadPolicyFile(file);
        if (!next.ok) return next;
        current = next.value;
        return { ok: true };
      },
    },
  };
}

/** Where policy loading is reported. */
export interface PolicyLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What the server does with `YARDMASTER_POLICY`: a source (and a way to stop listening for SIGHUP), or why not. */
export type StartPolicyResult = { ok: true; source: PolicySource; stop(): void } | { ok: false; problems: string[] };

/**
 * Opens the policy for a server or worker process: the file named by `YARDMASTER_POLICY` (re-read on SIGHUP, a bad
 * file keeping the old policy and logging its errors by line), else the defaults with one log line saying that any
 * host may be targeted.
 */
export async function startPolicy(
  file: string | undefined,
  options: { artifactsDir: string; log: PolicyLog; signals?: NodeJS.EventEmitter },
): Promise<StartPolicyResult> {
  const { log } = options;
  if (file === undefined) {
    log.warn(
      { policy: 'defaults' },
      'no YARDMASTER_POLICY: every repository may target any host over ssh (no local executor), packages over https, http to public addresses, files from the artifact store',
    );
    return { ok: true, source: defaultPolicySource(options), stop: () => undefined };
  }
  const opened = await openPolicyFile(file, options);
  if (!opened.ok)
    return {
      ok: false,
      problems: [`YARDMASTER_POLICY ${file} has problems:`, ...formatIssues(opened.issues).split('\n')],
    };
  log.info({ policy: file }, 'operator policy loaded');
  const signals = options.signals ?? process;
  const onHangup = (): void => {
    void opened.source.reload().then((result) => {
      if (result.ok) log.info({ policy: file }, 'operator policy reloaded');
      else
        log.error(
          { policy: file, problems: formatIssues(result.issues).split('\n') },
          'operator policy not reloaded: the file has problems; the previous policy stays in force',
        );
    });
  };
  signals.on('SIGHUP', onHangup);
  return { ok: true, source: opened.source, stop: () => signals.off('SIGHUP', onHangup) };
}
