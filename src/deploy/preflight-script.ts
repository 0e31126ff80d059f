/**
 * The pre-flight script: what the check stage would find on a host, read without creating or changing anything
 * there (no `mkdir`, no lock, no file written). Values from the config are quoted; results come back as `@ym` lines.
 */
import { shellQuote as q } from '../executors/index.ts';
import type { ReleaseLayout } from './release-layout.ts';

export interface PreflightScriptInput {
  layout: ReleaseLayout;
  requiredCommands: readonly string[];
  /** `transfer: pull`: the host needs one of these. */
  downloaders?: readonly string[];
}

/**
 * Reports `writable=yes|no <why>`, `avail_kb=<n>` (free space where the release would land: the deploy dir, else
 * its nearest existing parent), `missing=<command>` per absent command, `downloader=<name>` (pull), `current=<link>`
 * and `current_readable=yes|no`, and `lock=<owner>` when a release lock is on the host. Always exits 0.
 */
export function preflightScript(input: PreflightScriptInput): string {
  const { layout } = input;
  const lines = [
    'set -u',
    `d=${q(layout.deployTo)}`,
    // The nearest path that exists: where `mkdir -p` would create the deploy dir, and whose file system it fills.
    'p=$d',
    'while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done',
    'me=$(id -un)',
    'if [ -d "$d" ]; then',
    '  if [ ! -w "$d" ]; then echo "@ym writable=no $d is not writable by $me"',
    '  elif [ -e "$d/releases" ] && [ ! -w "$d/releases" ]; then echo "@ym writable=no $d/releases is not writable by $me"',
    '  elif [ -e "$d/.yardmaster" ] && [ ! -w "$d/.yardmaster" ]; then echo "@ym writable=no $d/.yardmaster is not writable by $me"',
    '  else echo "@ym writable=yes"; fi',
    'elif [ -e "$d" ]; then echo "@ym writable=no $d is not a directory"',
    'elif [ -d "$p" ] && [ -w "$p" ]; then echo "@ym writable=yes (created at the first release under $p)"',
    'else echo "@ym writable=no $d does not exist and $p is not writable by $me"; fi',
    `for c in ${input.requiredCommands.map(q).join(' ')}; do`,
    '  command -v "$c" >/dev/null 2>&1 || echo "@ym missing=$c"',
    'done',
  ];
  if (input.downloaders !== undefined && input.downloaders.length > 0) {
    lines.push(
      `for c in ${input.downloaders.map(q).join(' ')}; do`,
      '  if command -v "$c" >/dev/null 2>&1; then echo "@ym downloader=$c"; break; fi',
      'done',
    );
  }
  lines.push(
    // df and awk are asked for separately: a host without them reports no free space rather than a wrong one.
    `avail=$(df -Pk "$p" 2>/dev/null | awk 'NR==2 {print $4}')`,
    '[ -n "$avail" ] && echo "@ym avail_kb=$avail"',
    'if [ -L "$d/current" ]; then',
    '  echo "@ym current=$(readlink "$d/current")"',
    '  if [ -d "$d/current/" ] && [ -r "$d/current/" ] && [ -x "$d/current/" ]; then echo "@ym current_readable=yes"; else echo "@ym current_readable=no"; fi',
    'elif [ -e "$d/current" ]; then echo "@ym current=(not a link)"; echo "@ym current_readable=no"',
    'fi',
    'if [ -d "$d/.yardmaster/lock" ]; then',
    // One line: the owner is JSON written by the check stage; a lock without it is still a lock.
    '  echo "@ym lock=$(head -c 2000 "$d/.yardmaster/lock/owner" 2>/dev/null | tr -d \'\\n\' || true)"',
    'fi',
    'exit 0',
  );
  return lines.join('\n');
}
