/**
 * The route table in a running HAProxy's two maps (haproxy-config.ts), through its runtime API: each change is
 * `prepare map` → `add map @<version>` (the whole new content, digest entry included) → `commit map @<version>`
 * for each map whose content changed since this plane last committed it (the lanes map first), so a change is in
 * force, whole, once its commits are done, and a map HAProxy refuses to take leaves the one in force. A prepared
 * version is counted before its commit when a payload was longer than any this HAProxy took whole before (HAProxy
 * drops a command longer than its buffer without a word). Host names in endpoints are resolved here, when
 * a table is applied (HAProxy's `set-dst` needs an address). The digest entries tell whether HAProxy still holds
 * what was committed last: after a restart its maps are what the files say, and the table is applied again.
 */
import { lookup } from 'node:dns/promises';
import type { RouteTable } from './route-table.ts';
import {
  endpointHostNames,
  haproxyMaps,
  type HaproxyMaps,
  MARKER_KEY,
  mapPayloads,
  mapsDigest,
  tableOfMaps,
} from './haproxy-config.ts';
import {
  addToMapVersion,
  clearMapVersion,
  commitMapVersion,
  haproxyMapEntries,
  haproxyMapValue,
  prepareMap,
  type RuntimeApi,
} from './haproxy-runtime-api.ts';

const LOOKUP_MS = 2_000;

/** Each name's address (IPv4 first, as most instances listen on it), or undefined when it does not resolve in time. */
export async function resolveHostNames(names: readonly string[]): Promise<Map<string, string | undefined>> {
  const resolved = await Promise.all(
    names.map(async (name) => {
      const timeout = new Promise<undefined>((resolve) =>
        setTimeout(() => {
          resolve(undefined);
        }, LOOKUP_MS).unref(),
      );
      const found = await Promise.race([lookup(name, { all: true }).catch(() => undefined), timeout]);
      const address = found?.find((entry) => entry.family === 4) ?? found?.[0];
      return [name, address?.address] as const;
    }),
  );
  return new Map(resolved);
}

export interface RouteMapFiles {
  lanes: string;
  baseline: string;
}

export interface HaproxyRouteMaps {
  /** Puts `table` in force (resolves once HAProxy's lookups use it); rejects, keeping the table in force, if refused. */
  apply(table: RouteTable): Promise<void>;
  /** Whether HAProxy still holds what was committed last (true before anything was). */
  intact(): Promise<boolean>;
  /** Applies the last table again, whole (after a restart). */
  restore(): Promise<void>;
  /** The route table HAProxy's maps hold now (`show map`). */
  read(): Promise<RouteTable>;
}

export function haproxyRouteMaps(
  /** The session route changes and checks go through (one command at a time). */
  api: RuntimeApi,
  /** For reading the maps back (apart from the changes). */
  reader: RuntimeApi,
  files: RouteMapFiles,
  onSkipped: (problems: readonly string[]) => void,
): HaproxyRouteMaps {
  let last: RouteTable | undefined;
  // What each map holds, as far as this plane knows (forgotten when HAProxy is found restarted).
  let inForce: { lanes?: string; baseline?: string } = {};
  // The longest payload this HAProxy was seen to take whole: longer ones are counted after they are sent.
  let provenPayload = 0;

  const commit = async (table: RouteTable, maps: HaproxyMaps, digests: { lanes: string; baseline: string }) => {
    const changed = (
      [
        { name: 'lanes', file: files.lanes, entries: maps.lanes, digest: digests.lanes },
        { name: 'baseline', file: files.baseline, entries: maps.baseline, digest: digests.baseline },
      ] as const
    ).filter((map) => inForce[map.name] !== map.digest);
    const prepared: { name: 'lanes' | 'baseline'; file: string; version: number; digest: string }[] = [];
    let committed = 0;
    try {
      for (const map of changed) {
        const version = await prepareMap(api, map.file);
        prepared.push({ name: map.name, file: map.file, version, digest: map.digest });
        const entries: [string, string][] = [...map.entries, [MARKER_KEY, map.digest]];
        const payloads = mapPayloads(entries);
        for (const payload of payloads) await addToMapVersion(api, map.file, version, payload);
        // HAProxy drops a command longer than its buffer (tune.bufsize) without a word: count what it took.
        const longest = Math.max(...payloads.map((payload) => payload.length));
        if (longest > provenPayload) {
          const taken = (await haproxyMapEntries(api, map.file, version)).length;
          if (taken !== entries.length)
            throw new Error(
              `HAProxy took ${taken} of ${entries.length} entries into ${map.file} (is its tune.bufsize below 16384?)`,
            );
          provenPayload = longest;
        }
      }
      for (const { name, file, version, digest } of prepared) {
        await commitMapVersion(api, file, version);
        inForce[name] = digest;
        committed += 1;
      }
    } catch (error) {
      for (const { file, version } of prepared.slice(committed))
        await clearMapVersion(api, file, version).catch(() => undefined);
      // Half a change committed: put the table that was in force back, whole.
      if (committed > 0 && last !== undefined) await put(last).catch(() => undefined);
      throw error;
    }
    last = table;
  };

  const put = async (table: RouteTable): Promise<void> => {
    const maps = haproxyMaps(table, await resolveHostNames(endpointHostNames(table)));
    if (maps.skipped.length > 0) onSkipped(maps.skipped);
    const digests = {
      lanes: mapsDigest({ lanes: maps.lanes, baseline: [] }),
      baseline: mapsDigest({ lanes: [], baseline: maps.baseline }),
    };
    await commit(table, maps, digests);
  };

  return {
    apply: put,
    async intact() {
      if (last === undefined) return true;
      const lanes = await haproxyMapValue(api, files.lanes, MARKER_KEY);
      const baseline = await haproxyMapValue(api, files.baseline, MARKER_KEY);
      return lanes === inForce.lanes && baseline === inForce.baseline;
    },
    async restore() {
      inForce = {};
      provenPayload = 0;
      if (last !== undefined) await put(last);
    },
    async read() {
      const [lanes, baseline] = await Promise.all([
        haproxyMapEntries(reader, files.lanes),
        haproxyMapEntries(reader, files.baseline),
      ]);
      return tableOfMaps(lanes, baseline);
    },
  };
}
