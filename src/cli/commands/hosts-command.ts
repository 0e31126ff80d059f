/**
 * `yardmaster hosts scan --config <file> [--group <name>] [--write] [--replace <host>]...`: learns each host's key
 * from the SSH key exchange alone (never logging in) and compares it with the config's `host_key` pins; `--write`
 * adds the missing pins to the file, `--replace` also overwrites the named hosts' differing pins.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseRepoConfig, pinHostKeys } from '../../config/index.ts';
import type { HostEntry, RepoConfig } from '../../config/types.ts';
import { hostKeyStatus, SCAN_CONCURRENCY, SCAN_TIMEOUT_MS, scanHostKeys } from '../../executors/index.ts';
import { formatIssues } from '../../plan/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { HOSTS_USAGE } from '../command-usage.ts';
import { formatHostScan, type ScannedHost } from '../format-host-scan.ts';
import { parseCliArgs } from '../parse-cli-args.ts';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  group: { type: 'string', short: 'g' },
  write: { type: 'boolean', default: false },
  replace: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
} as const;

function invalid(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n\n${HOSTS_USAGE}\n`);
  return EXIT_INVALID;
}

/** The hosts of one group, or of all groups (each once, in the order written). */
function chosenHosts(config: RepoConfig, group: string | undefined): HostEntry[] | string {
  if (group === undefined) return Object.values(config.hosts).flat();
  const entries = Object.hasOwn(config.hosts, group) ? config.hosts[group] : undefined;
  if (entries === undefined)
    return `yardmaster hosts: no host group ${group} in the config (groups: ${Object.keys(config.hosts).join(', ')})`;
  return entries;
}

async function scan(hosts: readonly HostEntry[], signal: AbortSignal): Promise<ScannedHost[]> {
  const remote = hosts.filter((host) => host.executor === 'ssh');
  const scans = await scanHostKeys(remote, { timeoutMs: SCAN_TIMEOUT_MS, concurrency: SCAN_CONCURRENCY, signal });
  const byName = new Map(remote.map((host, index) => [host.name, scans[index]]));
  return hosts.map((host): ScannedHost => {
    const where = {
      name: host.name,
      address: host.address,
      port: host.port,
      ...(host.hostKey === undefined ? {} : { pinned: host.hostKey }),
    };
    const result = byName.get(host.name);
    if (host.executor === 'local' || result === undefined) return { ...where, status: 'local' };
    if (!result.ok) return { ...where, status: 'unreachable', reason: result.reason };
    return { ...where, status: hostKeyStatus(host.hostKey, result.fingerprint), fingerprint: result.fingerprint };
  });
}

export async function hostsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('hosts', args, OPTIONS);
  if (!parsed.ok) return invalid(io, parsed.message);
  if (parsed.positionals[0] !== 'scan' || parsed.positionals.length > 1)
    return invalid(io, 'yardmaster hosts: expected the subcommand scan');
  const { config: configPath, group, write, json } = parsed.values;
  const replace = parsed.values.replace ?? [];
  if (configPath === undefined) return invalid(io, 'yardmaster hosts scan: needs --config <file>');
  if (replace.length > 0 && !write) return invalid(io, 'yardmaster hosts scan: --replace needs --write');

  const absolute = resolve(io.cwd, configPath);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch {
    return invalid(io, `config file ${configPath} cannot be read`);
  }
  const loaded = parseRepoConfig(text);
  if (!loaded.ok) {
    const issues = formatIssues(loaded.issues)
      .split('\n')
      .map((line) => `${configPath}: ${line}`);
    return invalid(io, issues.join('\n'));
  }
  const hosts = chosenHosts(loaded.value, group);
  if (typeof hosts === 'string') return invalid(io, hosts);
  const unknown = replace.filter((name) => !hosts.some((host) => host.name === name));
  if (unknown.length > 0)
    return invalid(
      io,
      `yardmaster hosts scan: --replace names no host ${group ? `of group ${group}` : 'of the config'}: ${unknown.join(', ')}`,
    );

  const scanned = await scan(hosts, io.signal);
  const pins = new Map<string, string>();
  const notes: string[] = [];
  for (const host of scanned) {
    if (host.status === 'new') pins.set(host.name, host.fingerprint);
    if (host.status === 'different') {
      if (replace.includes(host.name)) pins.set(host.name, host.fingerprint);
      else if (write)
        notes.push(`left the differing pin of ${host.name} as it is (to replace it: --replace ${host.name})`);
    }
    if (replace.includes(host.name) && host.status === 'unreachable')
      notes.push(`cannot replace the pin of ${host.name}: its key was not learned`);
  }

  let written: string[] = [];
  if (write && pins.size > 0) {
    const current = await readFile(absolute, 'utf8');
    if (current !== text) {
      io.stderr.write(`yardmaster hosts scan: ${configPath} changed during the scan; nothing written\n`);
      return EXIT_FAILED;
    }
    const edited = pinHostKeys(text, pins);
    if (!edited.ok) {
      io.stderr.write(`yardmaster hosts scan: ${edited.message}; nothing written to ${configPath}\n`);
      return EXIT_FAILED;
    }
    await writeFile(absolute, edited.text);
    written = edited.pinned;
  }

  // Resolved by this run: a DIFFERENT pin replaced on request no longer fails it.
  const failed = scanned.some(
    (host) => host.status === 'unreachable' || (host.status === 'different' && !written.includes(host.name)),
  );
  if (json) {
    io.stdout.write(`${JSON.stringify({ config: configPath, hosts: scanned, written })}\n`);
  } else {
    const lines = [formatHostScan(scanned)];
    for (const name of written) {
      const was = scanned.find((host) => host.name === name)?.status;
      lines.push(`${was === 'different' ? 'replaced the pin of' : 'pinned'} ${name} in ${configPath}\n`);
    }
    if (write && pins.size === 0) lines.push(`nothing to write to ${configPath}\n`);
    for (const note of notes) lines.push(`${note}\n`);
    io.stdout.write(lines.join(''));
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}
