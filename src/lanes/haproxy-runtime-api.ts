/**
 * HAProxy's runtime API (the `stats socket … level admin` UNIX socket), two ways: one connection per command
 * (non-interactive: HAProxy answers and closes), or a session kept open in the interactive mode (`prompt`: each
 * answer ends with a `> ` prompt), which spares a route change the connections' set-up. What the haproxy data plane
 * uses of it: `show info` (the process id), `show map` (which maps a config loaded, and their entries), `get map`,
 * the versioned map update `prepare map` → `add map @<version>` (entries as a payload) → `commit map
 * @<version>`, which swaps a map's entries at once with no reload, and `set`/`add`/`del map` of one entry.
 * HAProxy's answers are bounded in size and time.
 */
import { connect, type Socket } from 'node:net';

/** Sends one command (and its payload) and resolves with HAProxy's answer. */
export type RuntimeApi = (command: string, payload?: string) => Promise<string>;

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
async function quiet(api: RuntimeApi, command: string, payload?: string): Promise<void> {
  const answer = (await api(command, payload)).trim();
  if (answer !== '') throw new Error(`HAProxy refused ${command.split(' ').slice(0, 2).join(' ')}: ${answer}`);
}

/** The process id HAProxy reports (`show info`). */
export async function haproxyPid(api: RuntimeApi): Promise<number> {
  const answer = await api('show info');
  const pid = /^Pid: (\d+)$/m.exec(answer)?.[1];
  if (pid === undefined) throw new Error(`HAProxy's show info has no Pid: ${answer.slice(0, 200)}`);
  return Number(pid);
}

/** The files of the maps HAProxy loaded (`show map`). */
export async function haproxyMapFiles(api: RuntimeApi): Promise<string[]> {
  const answer = await api('show map');
  const files: string[] = [];
  for (const match of answer.matchAll(/^\d+ \(([^)\n]*)\) /gm)) if (match[1] !== undefined) files.push(match[1]);
  if (files.length === 0 && !answer.startsWith('# id')) throw new Error(`HAProxy refused show map: ${answer.trim()}`);
  return files;
}

/** The value of `key` in `map` (exact match), or undefined when the map has none. */
export async function haproxyMapValue(api: RuntimeApi, map: string, key: string): Promise<string | undefined> {
  const answer = await api(`get map ${map} ${key}`);
  if (answer.includes('found=no')) return undefined;
  const value = /, value="([^"]*)"/.exec(answer)?.[1];
  if (value === undefined) throw new Error(`HAProxy refused get map: ${answer.trim()}`);
  return value;
}

/** Every entry of `map` (`show map`; of a prepared version when given), as `[key, value]`. */
export async function haproxyMapEntries(api: RuntimeApi, map: string, version?: number): Promise<[string, string][]> {
  const answer = await api(`show map ${version === undefined ? '' : `@${version} `}${map}`);
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
export async function prepareMap(api: RuntimeApi, map: string): Promise<number> {
  const answer = await api(`prepare map ${map}`);
  const version = /New version created: (\d+)/.exec(answer)?.[1];
  if (version === undefined) throw new Error(`HAProxy refused prepare map ${map}: ${answer.trim()}`);
  return Number(version);
}

/** `add map @<version>` with `key value` lines as the payload. */
export function addToMapVersion(api: RuntimeApi, map: string, version: number, payload: string): Promise<void> {
  return quiet(api, `add map @${version} ${map}`, payload);
}

/** `commit map @<version>`: new lookups use that version from now on; older versions are dropped. */
export function commitMapVersion(api: RuntimeApi, map: string, version: number): Promise<void> {
  return quiet(api, `commit map @${version} ${map}`);
}

/** A CLI argument: spaces, `;` and backslashes escaped (a map value such as `svc@1 (lane)` has a space). */
function argument(text: string): string {
  return text.replace(/[\\; \t]/g, (char) => `\\${char}`);
}

/**
 * One entry of the version in use, changed in place (each of these is atomic on its own): `set map` (the key must
 * be there: HAProxy refuses a key it does not have), `add map` (value given) or `del map` (none).
 */
export function changeMapEntry(
  api: RuntimeApi,
  map: string,
  change: { key: string; value: string | undefined; present: boolean },
): Promise<void> {
  const key = argument(change.key);
  if (change.value === undefined) return quiet(api, `del map ${map} ${key}`);
  return quiet(api, `${change.present ? 'set' : 'add'} map ${map} ${key} ${argument(change.value)}`);
}

/** `clear map @<version>`: drops a prepared version that will not be committed. */
export function clearMapVersion(api: RuntimeApi, map: string, version: number): Promise<void> {
  return quiet(api, `clear map @${version} ${map}`);
}

/** Opens an interactive session on `socket` (reopened on the next command when HAProxy closes it). */
export function haproxySession(socket: string): RuntimeApi & { close(): void } {
  let connection: Socket | undefined;
  let answer = '';
  let waiting: { resolve(text: string): void; reject(error: Error): void } | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const settle = (error: Error | undefined, text = '') => {
    const current = waiting;
    waiting = undefined;
    answer = '';
    if (error === undefined) current?.resolve(text);
    else current?.reject(error);
  };
  const exchange = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      connection?.write(text);
    });
  const open = async (): Promise<Socket> => {
    if (connection !== undefined && !connection.destroyed) return connection;
    const opened = connect({ path: socket });
    connection = opened;
    opened.setTimeout(TIMEOUT_MS, () => {
      opened.destroy(new Error(`HAProxy's runtime API at ${socket} did not answer in time`));
    });
    opened.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      if (answer.length > ANSWER_LIMIT) opened.destroy(new Error('HAProxy answered too long'));
      // Each answer ends with an empty line and the prompt; a payload's lines are acknowledged with `+ `.
      else if (answer.endsWith('\n> ')) settle(undefined, answer.slice(0, -3).replace(/^(?:\+ )+/, ''));
    });
    opened.on('error', (error) => {
      settle(error);
    });
    opened.on('close', () => {
      if (connection === opened) connection = undefined;
      settle(new Error(`HAProxy closed its runtime API session at ${socket}`));
    });
    await new Promise<void>((resolve, reject) => {
      opened.once('connect', resolve);
      opened.once('error', reject);
    });
    await exchange('prompt\n');
    return opened;
  };
  const send: RuntimeApi = (command, payload) => {
    if (/[\r\n]/.test(command)) return Promise.reject(new Error('a runtime API command is one line'));
    const run = queue.then(async () => {
      await open();
      return exchange(payload === undefined ? `${command}\n` : `${command} <<\n${payload}\n`);
    });
    queue = run.catch(() => undefined);
    return run;
  };
  return Object.assign(send, {
    close() {
      connection?.destroy();
      connection = undefined;
    },
  });
}

/** One connection per command. */
export function haproxyOneShot(socket: string): RuntimeApi {
  return (command, payload) => haproxyCommand(socket, command, payload);
}
