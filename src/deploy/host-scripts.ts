/**
 * The built-in part of each stage as one POSIX shell script per round trip. Every value that comes from a plan
 * or config is passed through shellQuote; versions and names were also validated by the plan schema.
 * Lines on stdout starting with `@ym ` carry state back to the engine (see parse-host-state.ts).
 */
import { shellQuote as q } from '../executors/index.ts';
import type { ReleaseLayout } from './release-layout.ts';

export const EXIT_NOT_WRITABLE = 10;
export const EXIT_MISSING_COMMAND = 11;
export const EXIT_NO_SPACE = 12;
export const EXIT_LOCKED = 13;
export const EXIT_CHECKSUM = 21;
export const EXIT_DOWNLOAD = 22;

/** Wraps a script so that it runs under the host's POSIX sh whatever the login shell is. */
export function asShellCommand(script: string): string {
  return `sh -c ${q(script)}`;
}

export interface CheckScriptInput {
  layout: ReleaseLayout;
  version: string;
  rollbackVersion?: string;
  neededKb: number;
  requiredCommands: readonly string[];
  releaseId: string;
  lockOwnerJson: string;
  breakLock: boolean;
  /** `transfer: pull`: the first of these the host has downloads the package (reported as `@ym downloader=`). */
  downloaders?: readonly string[];
}

/** Finds the first downloader the host has; fails the check with a clear message when it has none. */
function downloaderLines(downloaders: readonly string[] | undefined): string[] {
  if (downloaders === undefined || downloaders.length === 0) return [];
  const names = downloaders.join(' or ');
  return [
    'dl=',
    `for c in ${downloaders.map(q).join(' ')}; do`,
    '  if command -v "$c" >/dev/null 2>&1; then dl=$c; break; fi',
    'done',
    `[ -n "$dl" ] || { echo "yardmaster: transfer: pull needs ${names} on the host; neither was found in PATH=$PATH" >&2; exit ${EXIT_MISSING_COMMAND}; }`,
  ];
}

/** Stage 1: deploy dir writable, commands present, disk space, host lock; reports live release and log tail. */
export function checkScript(input: CheckScriptInput): string {
  const { layout } = input;
  const ownMarker = `"release":${JSON.stringify(input.releaseId)}`;
  return [
    'set -u',
    `d=${q(layout.deployTo)}`,
    `if ! mkdir -p "$d/releases" "$d/shared" "$d/.yardmaster/plans" 2>/dev/null || [ ! -w "$d/releases" ] || [ ! -w "$d/.yardmaster" ]; then`,
    `  echo "yardmaster: deploy dir $d is not writable by $(id -un)" >&2; exit ${EXIT_NOT_WRITABLE}`,
    'fi',
    `for c in ${input.requiredCommands.map(q).join(' ')}; do`,
    `  command -v "$c" >/dev/null 2>&1 || { echo "yardmaster: required command not found on the host: $c" >&2; exit ${EXIT_MISSING_COMMAND}; }`,
    'done',
    ...downloaderLines(input.downloaders),
    `avail=$(df -Pk "$d" 2>/dev/null | awk 'NR==2 {print $4}')`,
    `if [ -n "$avail" ] && [ "$avail" -lt ${input.neededKb} ]; then`,
    `  echo "yardmaster: not enough disk space in $d: $avail KiB free, ${input.neededKb} KiB needed" >&2; exit ${EXIT_NO_SPACE}`,
    'fi',
    'lock="$d/.yardmaster/lock"',
    'if mkdir "$lock" 2>/dev/null; then :',
    `elif grep -qF ${q(ownMarker)} "$lock/owner" 2>/dev/null; then :`,
    input.breakLock
      ? `else echo "yardmaster: breaking the lock held by: $(cat "$lock/owner" 2>/dev/null || echo unknown)" >&2`
      : `else echo "yardmaster: $d is locked by another release: $(cat "$lock/owner" 2>/dev/null || echo 'unknown owner')" >&2; exit ${EXIT_LOCKED}`,
    'fi',
    `printf '%s\\n' ${q(input.lockOwnerJson)} > "$lock/owner"`,
    'echo "@ym current=$(readlink "$d/current" 2>/dev/null)"',
    input.downloaders === undefined ? '' : 'echo "@ym downloader=$dl"',
    `if [ -d "$d/releases/"${q(input.version)} ]; then echo "@ym has_release=1"; fi`,
    input.rollbackVersion === undefined
      ? ''
      : `if [ -d "$d/releases/"${q(input.rollbackVersion)} ]; then echo "@ym has_rollback=1"; fi`,
    `tail -n 200 "$d/.yardmaster/releases.log" 2>/dev/null | sed 's/^/@ym log=/'`,
    'exit 0',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export interface UnpackScriptInput {
  layout: ReleaseLayout;
  version: string;
  releaseId: string;
  gzip: boolean;
  /** Unpack this uploaded file (verified against sha256 first); absent = the archive arrives on stdin. */
  uploaded?: { path: string; sha256: string };
}

/** Stage 2: unpack into a temporary dir, then move it into `releases/<version>` in one rename. */
export function unpackScript(input: UnpackScriptInput): string {
  const { layout, version } = input;
  const tag = input.releaseId.slice(0, 12);
  const tarFlags = input.gzip ? '-xzf' : '-xf';
  const lines = [
    'set -eu',
    `r=${q(layout.releasesDir)}`,
    `v=${q(version)}`,
    `tmp="$r/.ym-tmp-$v-"${q(tag)}`,
    `trap 'rm -rf "$tmp"' EXIT`,
    'rm -rf "$tmp"',
    'mkdir -p "$tmp"',
  ];
  if (input.uploaded) {
    lines.push(
      `f=${q(input.uploaded.path)}`,
      `if ! printf '%s  %s\\n' ${q(input.uploaded.sha256)} "$f" | sha256sum -c --status; then`,
      `  rm -f "$f"; echo "yardmaster: the uploaded package does not match its sha256; not unpacked" >&2; exit ${EXIT_CHECKSUM}`,
      'fi',
      `tar ${tarFlags} "$f" -C "$tmp" --no-same-owner`,
      'rm -f "$f"',
    );
  } else {
    lines.push(`tar ${tarFlags} - -C "$tmp" --no-same-owner`);
  }
  lines.push(...placeLines(tag));
  return lines.join('\n');
}

export interface PullScriptInput {
  layout: ReleaseLayout;
  version: string;
  releaseId: string;
  sha256: string;
  /** Which downloader the check stage found. */
  downloader: 'curl' | 'wget';
  /** The URL's scheme, the only protocol curl may use (no redirects are followed). */
  scheme: 'https' | 'http';
  /** Bound on the download (the plan's command_timeout), in whole seconds. */
  maxSeconds: number;
}

/**
 * Stage 2 with `transfer: pull`: the host downloads the package itself (the URL arrives on stdin, so it never shows in
 * a process list), verifies its sha256, checks the space to unpack it, then unpacks like {@link unpackScript}. No
 * redirect is followed: the operator's policy checked the URL the plan names, and the host cannot check another.
 */
export function pullScript(input: PullScriptInput): string {
  const { layout, version } = input;
  const tag = input.releaseId.slice(0, 12);
  const fetchLines =
    input.downloader === 'curl'
      ? [
          // curl reads its options from stdin (`-K -`): the URL stays out of argv; the controller made sure it holds
          // no `"`, `\` or control characters.
          `code=$(printf 'url = "%s"\\n' "$url" | curl -K - -sS -o "$f" -w '%{http_code}' --proto =${input.scheme} --connect-timeout 30 --max-time ${input.maxSeconds}) || {`,
          `  echo "yardmaster: curl could not download the package (exit $?)" >&2; exit ${EXIT_DOWNLOAD}; }`,
          `[ "$code" = 200 ] || { echo "yardmaster: the artifact server answered HTTP $code instead of 200 (pull follows no redirects)" >&2; exit ${EXIT_DOWNLOAD}; }`,
        ]
      : [
          `printf '%s\\n' "$url" | wget -q -i - -O "$f" --max-redirect=0 --timeout=30 || {`,
          `  echo "yardmaster: wget could not download the package (exit $?: 8 means the server answered an error or a redirect)" >&2; exit ${EXIT_DOWNLOAD}; }`,
        ];
  return [
    'set -eu',
    'IFS= read -r url',
    `r=${q(layout.releasesDir)}`,
    `v=${q(version)}`,
    `tmp="$r/.ym-tmp-$v-"${q(tag)}`,
    `f=${q(`${layout.stateDir}/download-${tag}.pkg`)}`,
    `trap 'rm -rf "$tmp" "$f"' EXIT`,
    'rm -rf "$tmp" "$f"',
    'mkdir -p "$tmp"',
    ...fetchLines,
    `if ! printf '%s  %s\\n' ${q(input.sha256)} "$f" | sha256sum -c --status; then`,
    '  set -- $(sha256sum "$f")',
    `  echo "yardmaster: the downloaded package has sha256 $1, but the plan says "${q(input.sha256)}"; not unpacked" >&2; exit ${EXIT_CHECKSUM}`,
    'fi',
    'size=$(wc -c < "$f")',
    'need=$(( size * 2 / 1024 + 1024 ))',
    `avail=$(df -Pk "$r" 2>/dev/null | awk 'NR==2 {print $4}')`,
    'if [ -n "$avail" ] && [ "$avail" -lt "$need" ]; then',
    `  echo "yardmaster: not enough disk space in $r to unpack the package: $avail KiB free, $need KiB needed" >&2; exit ${EXIT_NO_SPACE}`,
    'fi',
    'magic=$(od -An -N2 -tx1 "$f" | tr -d \' \\n\')',
    'if [ "$magic" = 1f8b ]; then tar -xzf "$f" -C "$tmp" --no-same-owner; else tar -xf "$f" -C "$tmp" --no-same-owner; fi',
    'rm -f "$f"',
    ...placeLines(tag),
  ].join('\n');
}

/** Moves the unpacked `$tmp` into `$r/$v` in one rename (an existing one is replaced). */
function placeLines(tag: string): string[] {
  return [
    'if [ -e "$r/$v" ]; then',
    `  old="$r/.ym-old-$v-"${q(tag)}`,
    '  rm -rf "$old"; mv "$r/$v" "$old"; mv "$tmp" "$r/$v"; rm -rf "$old"',
    'else',
    '  mv "$tmp" "$r/$v"',
    'fi',
    'trap - EXIT',
    'touch "$r/$v"',
  ];
}

/** Points `current` at a release in one atomic rename (`ln -sfn` to a temp link, then `mv -T`). */
function switchLines(layout: ReleaseLayout, version: string, tag: string): string[] {
  return [
    `[ -d ${q(layout.linkTarget(version))} ] || { echo "yardmaster: release "${q(version)}" is not on this host" >&2; exit 30; }`,
    `ln -sfn ${q(layout.linkTarget(version))} .ym-current-${q(tag)}`,
    `mv -T .ym-current-${q(tag)} current`,
  ];
}

/** Stage 4: record the live release (backup), then switch atomically. */
export function switchScript(layout: ReleaseLayout, version: string, releaseId: string): string {
  return [
    'set -eu',
    `cd ${q(layout.deployTo)}`,
    `printf '%s\\n' "$(readlink current 2>/dev/null || true)" > .yardmaster/previous`,
    ...switchLines(layout, version, releaseId.slice(0, 12)),
    'echo "@ym current=$(readlink current)"',
  ].join('\n');
}

/** Rollback: switch back to `target` (null: there was no previous release, so `current` goes) and log it. */
export function rollbackScript(
  layout: ReleaseLayout,
  target: string | null,
  releaseId: string,
  logLine: string,
): string {
  return [
    'set -eu',
    `cd ${q(layout.deployTo)}`,
    ...(target === null ? ['rm -f current'] : switchLines(layout, target, releaseId.slice(0, 12))),
    `printf '%s\\n' ${q(logLine)} >> .yardmaster/releases.log`,
    'echo "@ym current=$(readlink current 2>/dev/null)"',
  ].join('\n');
}

export interface DoneScriptInput {
  layout: ReleaseLayout;
  version: string;
  logLine: string;
  /** What a later standalone rollback to this version runs (post_deploy), as JSON. */
  hooksJson: string;
  keepReleases: number;
  /** Versions never pruned: the live one, the last good one, the rollback target. */
  protectedVersions: readonly string[];
}

/**
 * Stage 9: write the release log, record hooks, prune old releases. The host lock stays until the whole release
 * ends (unlockScript), so that a rollback caused by a later host still runs under it.
 */
export function doneScript(input: DoneScriptInput): string {
  return [
    'set -eu',
    `cd ${q(input.layout.deployTo)}`,
    `printf '%s\\n' ${q(input.logLine)} >> .yardmaster/releases.log`,
    `printf '%s\\n' ${q(input.hooksJson)} > .yardmaster/plans/${q(input.version)}.json`,
    ...pruneLines(input.keepReleases, input.protectedVersions),
  ].join('\n');
}

/** Prunes releases beyond the newest `keep` (by deploy time), never touching protected ones. */
function pruneLines(keep: number, protectedVersions: readonly string[]): string[] {
  return [
    `keep=${keep}; n=0; protected=${q(` ${protectedVersions.join(' ')} `)}`,
    'ls -1t releases | while IFS= read -r r; do',
    '  case "$r" in *[!A-Za-z0-9._-]*|.*|"") continue;; esac',
    '  n=$((n + 1)); [ "$n" -le "$keep" ] && continue',
    '  case "$protected" in *" $r "*) continue;; esac',
    '  rm -rf -- "releases/$r"; rm -f -- ".yardmaster/plans/$r.json"; echo "@ym pruned=$r"',
    'done',
  ];
}

function releaseLockLines(releaseId: string): string[] {
  const ownMarker = `"release":${JSON.stringify(releaseId)}`;
  return [`if grep -qF ${q(ownMarker)} .yardmaster/lock/owner 2>/dev/null; then rm -rf .yardmaster/lock; fi`];
}

/** Releases the host lock if this release holds it. */
export function unlockScript(layout: ReleaseLayout, releaseId: string): string {
  return [`cd ${q(layout.deployTo)} || exit 0`, ...releaseLockLines(releaseId)].join('\n');
}

/** Appends one line to the release log (best effort, e.g. for a failure before the switch). */
export function appendLogScript(layout: ReleaseLayout, logLine: string): string {
  return `cd ${q(layout.deployTo)} && printf '%s\\n' ${q(logLine)} >> .yardmaster/releases.log`;
}

/** Reads what `releases` shows: the live release, the releases on disk and the log tail. */
export function inspectScript(layout: ReleaseLayout): string {
  return [
    `d=${q(layout.deployTo)}`,
    'echo "@ym current=$(readlink "$d/current" 2>/dev/null)"',
    'ls -1t "$d/releases" 2>/dev/null | sed \'s/^/@ym release=/\'',
    `tail -n 200 "$d/.yardmaster/releases.log" 2>/dev/null | sed 's/^/@ym log=/'`,
    'if [ -f "$d/.yardmaster/lock/owner" ]; then echo "@ym lock=$(cat "$d/.yardmaster/lock/owner")"; fi',
    'exit 0',
  ].join('\n');
}

/** Reads the recorded post_deploy hooks of a release, for a standalone rollback. */
export function readHooksScript(layout: ReleaseLayout, version: string): string {
  return `cat ${q(`${layout.stateDir}/plans/${version}.json`)} 2>/dev/null | sed 's/^/@ym hooks=/'; exit 0`;
}
