/**
 * The route table in a running HAProxy's two maps (haproxy-config.ts), through its runtime API: each change is
 * `prepare map` → `add map @<version>` (the whole new content, digest entry included) → `commit map @<version>`
 * for each map whose content changed since this plane last committed it (the lanes map first), so a change is in
 * force, whole, once its commits are done, and a map HAProxy refuses to take leaves the one in force. A change of
 * one entry of a map (a lane's member switched, added or removed: the common change) is made in place instead, by
 * `set`/`add`/`del map` of that entry, atomic on its own, then `set map` of the digest entry: HAProxy loads a whole
 * version of 10,000 entries in ~60 ms, one entry at once. `set map` refuses a key the map does not have, so a
 * restarted HAProxy (its maps as the files say, with no digest entry) refuses the digest's and the change fails
 * instead of hiding the restart. A prepared version is counted before its commit when a payload was longer than
 * any this HAProxy took whole before (HAProxy drops a command longer than its buffer without a word). Host names in
 * endpoints are resolved here, when a table is applied (HAProxy's `set-dst` needs an address). The digest entries
 * tell whether HAProxy still holds what was committed last: after a restart its maps are what the files say, and
 * the table is applied again.
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
  changeMapEntry,
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

/** The one entry that differs between `before` and `after` (sorted entries), 'none', or undefined when more do. */
export function onlyChange(
  before: ReadonlyMap<string, string>,
  after: readonly [string, string][],
): { key: string; value: string | undefined; present: boolean } | 'none' | undefined {
  let found: { key: string; value: string | undefined; present: boolean } | undefined;
  let both = 0;
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old !== undefined) both += 1;
    if (old === value) continue;
    if (found !== undefined) return undefined;
    found = { key, value, present: old !== undefined };
  }
  const removed = before.size - both;
  if (removed === 0) return found ?? 'none';
  if (removed > 1 || found !== undefined) return undefined;
  const kept = new Set(after.map(([key]) => key));
  for (const key of before.keys()) if (!kept.has(key)) return { key, value: undefined, present: true };
  return undefined;
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
  // What each map holds, as far as this plane knows (forgotten when HAProxy is found restarted): its digest and its
  // entries (without the digest entry).
  let inForce: { lanes?: string; baseline?: string } = {};
  let held: { lanes?: ReadonlyMap<string, string>; baseline?: ReadonlyMap<string, string> } = {};
  // The longest payload this HAProxy was seen to take whole: longer ones are counted after they are sent.
  let provenPayload = 0;

  const commit = async (table: RouteTable, maps: HaproxyMaps, digests: { lanes: string; baseline: string }) => {
    const changed = (
      [
        { name: 'lanes', file: files.lanes, entries: maps.lanes, digest: digests.lanes },
        { name: 'baseline', file: files.baseline, entries: maps.baseline, digest: digests.baseline },
      ] as const
    ).filter((map) => inForce[map.name] !== map.digest);
    type Step = { name: 'lanes' | 'baseline'; file: string; digest: string; entries: readonly [string, string][] };
    const steps: ((Step & { version: number }) | (Step & { change: NonNullable<ReturnType<typeof onlyChange>> }))[] =
      [];
    let committed = 0;
    try {
      for (const map of changed) {
        const before = held[map.name];
        const change = before === undefined ? undefined : onlyChange(before, map.entries);
        if (change !== undefined) {
          steps.push({ ...map, change });
          continue;
        }
        const version = await prepareMap(api, map.file);
        steps.push({ ...map, version });
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
      for (const step of steps) {
        if ('version' in step) await commitMapVersion(api, step.file, step.version);
        else {
          if (step.change !== 'none') await changeMapEntry(api, step.file, step.change);
          await changeMapEntry(api, step.file, { key: MARKER_KEY, value: step.digest, present: true });
        }
        inForce[step.name] = step.digest;
        held[step.name] = new Map(step.entries);
        committed += 1;
      }
    } catch (error) {
      // An entry changed in place without its digest: what HAProxy holds is not known entry by entry any more.
      held = {};
      for (const step of steps.slice(committed))
        if ('version' in step) await clearMapVersion(api, step.file, step.version).catch(() => undefined);
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
      held = {};
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
