/**
 * HAProxy's runtime API (the `stats socket … level admin` UNIX socket): one connection per command batch, in the
 * non-interactive mode (HAProxy answers and closes). What the haproxy data plane uses of it: `show info` (the
 * process id), `show map` (which maps a config loaded, and their entries), `get map`, and the versioned map update
 * `prepare map` → `add map @<version>` (entries as a payload) → `commit map @<version>`, which swaps a map's entries
 * at once with no reload. HAProxy's answers are bounded in size and time.
 */
import { connect } from 'node:net';

const ANSWER_LIMIT = 64 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

/** Sends `command` (and its payload, when given) and resolves with HAProxy's whole answer. */
export function haproxyCommand(socket: string, command: string, payload?: string): Promise<string> {
  if (/[\r\n]/.test(command)) return Promise.reject(new Error('a runtime API command is one line'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const connection = connect({ path: socket });
    connection.setTimeout(TIMEOUT_MS, () => {
      connection.destroy(
        new Error(`HAProxy's runtime API at ${socket} did not answer ${command.split(' ')[0]} in time`),
      );
    });
    connection.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > ANSWER_LIMIT) connection.destroy(new Error(`HAProxy's answer to ${command} is too long`));
      else chunks.push(chunk);
    });
    connection.on('error', reject);
    connection.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    connection.end(payload === undefined ? `${command}\n` : `${command} <<\n${payload}\n`);
  });
}

/** Runs a command whose success is an empty answer; throws with HAProxy's words otherwise. */
async function quiet(socket: string, command: string, payload?: string): Promise<void> {
  const answer = (await haproxyCommand(socket, command, payload)).trim();
  if (answer !== '') throw new Error(`HAProxy refused ${command.split(' ').slice(0, 2).join(' ')}: ${answer}`);
}

/** The process id HAProxy reports (`show info`). */
export async function haproxyPid(socket: string): Promise<number> {
  const answer = await haproxyCommand(socket, 'show info');
  const pid = /^Pid: (\d+)$/m.exec(answer)?.[1];
  if (pid === undefined) throw new Error(`HAProxy's show info has no Pid: ${answer.slice(0, 200)}`);
  return Number(pid);
}

/** The files of the maps HAProxy loaded (`show map`). */
export async function haproxyMapFiles(socket: string): Promise<string[]> {
  const answer = await haproxyCommand(socket, 'show map');
  const files: string[] = [];
  for (const match of answer.matchAll(/^\d+ \(([^)\n]*)\) /gm)) if (match[1] !== undefined) files.push(match[1]);
  if (files.length === 0 && !answer.startsWith('# id')) throw new Error(`HAProxy refused show map: ${answer.trim()}`);
  return files;
}

/** The value of `key` in `map` (exact match), or undefined when the map has none. */
export async function haproxyMapValue(socket: string, map: string, key: string): Promise<string | undefined> {
  const answer = await haproxyCommand(socket, `get map ${map} ${key}`);
  if (answer.includes('found=no')) return undefined;
  const value = /, value="([^"]*)"/.exec(answer)?.[1];
  if (value === undefined) throw new Error(`HAProxy refused get map: ${answer.trim()}`);
  return value;
}

/** The values of `key` in each of `maps`, in one connection (undefined where a map has none). */
export async function haproxyMapValues(
  socket: string,
  maps: readonly string[],
  key: string,
): Promise<(string | undefined)[]> {
  const answer = await haproxyCommand(socket, maps.map((map) => `get map ${map} ${key}`).join('; '));
  const answers = answer.split(/^type=/m).slice(1);
  if (answers.length !== maps.length) throw new Error(`HAProxy refused get map: ${answer.trim().slice(0, 200)}`);
  return answers.map((one) => (one.includes('found=no') ? undefined : /, value="([^"]*)"/.exec(one)?.[1]));
}

/** Every entry of `map` (`show map`; of a prepared version when given), as `[key, value]`. */
export async function haproxyMapEntries(socket: string, map: string, version?: number): Promise<[string, string][]> {
  const answer = await haproxyCommand(socket, `show map ${version === undefined ? '' : `@${version} `}${map}`);
  const entries: [string, string][] = [];
  for (const line of answer.split('\n')) {
    if (line === '') continue;
    const match = /^0x[0-9a-f]+ (\S+) (.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) throw new Error(`HAProxy refused show map: ${answer}`);
    entries.push([match[1], match[2]]);
  }
  return entries;
}

/** `prepare map`: a new, empty version of `map`, not in use until committed. */
export async function prepareMap(socket: string, map: string): Promise<number> {
  const answer = await haproxyCommand(socket, `prepare map ${map}`);
  const version = /New version created: (\d+)/.exec(answer)?.[1];
  if (version === undefined) throw new Error(`HAProxy refused prepare map ${map}: ${answer.trim()}`);
  return Number(version);
}

/** `add map @<version>` with `key value` lines as the payload. */
export function addToMapVersion(socket: string, map: string, version: number, payload: string): Promise<void> {
  return quiet(socket, `add map @${version} ${map}`, payload);
}

/** `commit map @<version>`: new lookups use that version from now on; older versions are dropped. */
export function commitMapVersion(socket: string, map: string, version: number): Promise<void> {
  return quiet(socket, `commit map @${version} ${map}`);
}

/** `clear map @<version>`: drops a prepared version that will not be committed. */
export function clearMapVersion(socket: string, map: string, version: number): Promise<void> {
  return quiet(socket, `clear map @${version} ${map}`);
}
