/**
 * Route changes under load, on every data plane installed (node always, nginx when Debian's nginx is there): real
 * lanes in the library on PostgreSQL (lane-store), real instances on loopback, the route watcher feeding the engine
 * from the database. 64 kept-alive clients send requests into the lanes without pause while a lane's member is
 * switched between two instances 50 times a second by the real path (a transaction re-tagging the member, its
 * NOTIFY). Holds: no 5xx and no failed request; every answer comes from an instance the database had named for that
 * lane and service by the time the answer came, and the engine says the route it took; slow requests in flight when
 * the engine switched finish at the instance they were sent to; the engine's process is not restarted; afterwards
 * every lane and service answers as the database's table says. No timing is asserted: figures are bench:lanes'.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/types.ts';
import type { DataPlane } from '../../src/lanes/data-plane.ts';
import { tagMember, upsertLane } from '../../src/lanes/lane-store.ts';
import { putInstance } from '../../src/lanes/library-store.ts';
import { loadRouteTable, type RouteTable, sameRoutes } from '../../src/lanes/route-table.ts';
import { type RouteWatcher, watchRoutes } from '../../src/lanes/route-watcher.ts';
import { startDataPlane } from '../../src/lanes/start-data-plane.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { dataPlaneEngines } from '../helpers/data-plane-engines.ts';
import { sendThrough } from '../helpers/lane-echo.ts';
import { getKeptAlive, startTimedInstance, type TimedAnswer } from '../helpers/lane-load.ts';
import type { LoopbackServer } from '../helpers/tcp-servers.ts';

const SERVICES = ['a', 'b'] as const;
/** Version 1 of each service is the baseline; lane members switch between versions 2 and 3. */
const VERSIONS = ['1', '2', '3'] as const;
const LANES = 8;
const CLIENTS = 64;
/** Clients whose requests the instance holds for SLOW_MS: in flight while the engine switches. */
const SLOW_CLIENTS = 8;
const SLOW_MS = 300;
const FLIP_EVERY_MS = 20;
/** At least this many switches (a few seconds), and more until enough slow requests spanned a switch. */
const MIN_FLIPS = 150;
const MAX_FLIPS = 3_000;
const SPANS_WANTED = 3;

interface Member {
  lane: string;
  laneId: number;
  service: string;
  /** The versions the database named, and from when (taken before the transaction that named them began). */
  history: { version: string; from: number }[];
}

interface Sent {
  member: Member;
  slow: boolean;
  sentAt: number;
  answeredAt: number;
  status: number;
  route: string | undefined;
  answer: TimedAnswer | undefined;
  resent: number;
}

function timedAnswer(body: string): TimedAnswer | undefined {
  try {
    return JSON.parse(body) as TimedAnswer;
  } catch {
    return undefined;
  }
}

/** What is wrong with one answer: not a 200, or from an instance the database had not named for its lane by then. */
function problemOf(sent: Sent): string | undefined {
  const { member } = sent;
  const what = `${member.lane}/${member.service} ${sent.slow ? 'slow ' : ''}request`;
  if (sent.status !== 200) return `${what}: ${sent.status}`;
  const instance = sent.answer?.instance;
  const version = instance?.startsWith(`${member.service}@`) === true ? instance.slice(member.service.length + 1) : '';
  if (!member.history.some((named) => named.version === version && named.from <= sent.answeredAt))
    return `${what}: answered by ${instance ?? '(no instance)'}, not named for the lane by then`;
  if (sent.route !== `${member.service}@${version} (lane)`)
    return `${what}: route header ${sent.route ?? '(none)'} for an answer from ${instance}`;
  return undefined;
}

/**
 * Slow requests that finished at the instance they were sent to although the engine had switched meanwhile: a
 * request sent after the slow one reached its instance was answered, by the other instance, before the slow one.
 */
function spansOf(sents: readonly Sent[]): Sent[] {
  return sents.filter(
    (slow) =>
      slow.slow &&
      slow.status === 200 &&
      slow.answer !== undefined &&
      sents.some(
        (later) =>
          later.member === slow.member &&
          later.status === 200 &&
          slow.answer !== undefined &&
          later.sentAt > slow.answer.receivedAt &&
          later.answeredAt < slow.answeredAt &&
          later.answer !== undefined &&
          later.answer.instance !== slow.answer.instance,
      ),
  );
}

/**
 * Asks the engine for every lane (and none) and every service, and lists where its answer differs from `table`
 * (member → that instance, `(lane)`; else strict → 503; else the baseline's instance).
 */
async function readBack(url: string, table: RouteTable, nameOf: ReadonlyMap<string, string>): Promise<string[]> {
  const services = new Set([
    ...table.baseline.keys(),
    ...[...table.lanes.values()].flatMap((l) => [...l.services.keys()]),
  ]);
  const differences: string[] = [];
  for (const lane of [undefined, ...table.lanes.keys()]) {
    const entry = lane === undefined ? undefined : table.lanes.get(lane);
    for (const service of services) {
      const member = entry?.services.get(service);
      const baseline = table.baseline.get(service);
      const expected =
        member !== undefined
          ? { status: 200, route: `${service}@${member.version} (lane)`, instance: nameOf.get(member.endpoint) }
          : entry?.mode === 'strict' || baseline === undefined
            ? { status: 503, route: undefined, instance: undefined }
            : {
                status: 200,
                route: `${service}@${baseline.version} (baseline)`,
                instance: nameOf.get(baseline.endpoint),
              };
      const answer = await sendThrough(url, `/${service}/read-back`, {
        headers: lane === undefined ? {} : { 'x-yardmaster-lane': lane },
      });
      const route = answer.headers['x-yardmaster-route'];
      const got = {
        status: answer.status,
        route: typeof route === 'string' ? route : undefined,
        instance: answer.status === 200 ? timedAnswer(answer.body)?.instance : undefined,
      };
      if (JSON.stringify(got) !== JSON.stringify(expected))
        differences.push(
          `${lane ?? '(no lane)'}/${service}: ${JSON.stringify(got)}, database: ${JSON.stringify(expected)}`,
        );
    }
  }
  return differences;
}

for (const { engine, skip } of dataPlaneEngines()) {
  describe.skipIf(skip !== undefined)(
    `route changes under load on the ${engine} data plane${skip === undefined ? '' : ` (skipped: ${skip})`}`,
    () => {
      let test: TestDatabase;
      let database: Database;
      const servers: LoopbackServer[] = [];
      /** endpoint → `service@version`, and `service@version` → the instance's id in the library. */
      const nameOf = new Map<string, string>();
      const idOf = new Map<string, number>();
      const members: Member[] = [];
      let plane: DataPlane | undefined;
      let watcher: RouteWatcher | undefined;
      let applied: RouteTable | undefined;
      let applies = 0;
      const watcherErrors: unknown[] = [];
      const engineWarnings: string[] = [];

      beforeAll(async () => {
        test = await openTestDatabase('postgres');
        database = test.database;
        for (const service of SERVICES)
          for (const version of VERSIONS) {
            const name = `${service}@${version}`;
            const server = await startTimedInstance(name);
            servers.push(server);
            const endpoint = `http://127.0.0.1:${server.port}`;
            nameOf.set(endpoint, name);
            const row = await database.db.transaction((tx) =>
              putInstance(tx, { service, version, endpoint, baseline: version === '1', runtime: 'test' }, 'test'),
            );
            idOf.set(name, row.id);
          }
        for (let index = 0; index < LANES; index++) {
          const lane = `flip-${index}`;
          // The last lane is strict and has no member for b (503 there, seen by the read-back).
          const strict = index === LANES - 1;
          const services = strict ? ['a'] : [...SERVICES];
          await database.db.transaction(async (tx) => {
            const opened = await upsertLane(
              tx,
              {
                lane,
                services: Object.fromEntries(services.map((service) => [service, '2'])),
                calls: [],
                mode: strict ? 'strict' : 'fallback',
                ttlMs: 3_600_000,
              },
              'test',
            );
            if (!opened.ok) throw new Error(opened.message);
            for (const service of services) {
              const instanceId = idOf.get(`${service}@2`) ?? 0;
              if (!(await tagMember(tx, opened.row.id, { service, instanceId, deployed: false })))
                throw new Error(`${service}@2 is not up`);
              members.push({
                lane,
                laneId: opened.row.id,
                service,
                history: [{ version: '2', from: Number.NEGATIVE_INFINITY }],
              });
            }
          });
        }
        const started = await startDataPlane(engine, {
          port: 0,
          log: { warn: (_fields, message) => engineWarnings.push(message) },
        });
        plane = started;
        watcher = await watchRoutes(database, {
          safetyReloadMs: 60_000,
          onError: (error) => watcherErrors.push(error),
          apply: async (table) => {
            await started.apply(table);
            applied = table;
            applies++;
          },
        });
      }, 60_000);

      afterAll(async () => {
        await watcher?.close();
        await plane?.close();
        await Promise.all(servers.map((server) => server.close()));
        await test.cleanup();
      });

      it('answers every request, from where the database routed it, while lanes switch 50 times a second; afterwards the engine routes as the database says', async () => {
        if (plane === undefined || watcher === undefined) throw new Error('not started');
        const url = plane.url;
        const enginePid = plane.pids?.()[0];
        const sents: Sent[] = [];
        const failures: string[] = [];
        let stopped = false;

        const clients = Array.from({ length: CLIENTS }, async (_unused, index) => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          const member = members[index % members.length];
          if (member === undefined) return;
          const slow = index < SLOW_CLIENTS;
          const path = `${url}/${member.service}/x${slow ? `?delay=${SLOW_MS}` : ''}`;
          try {
            while (!stopped) {
              const sentAt = performance.now();
              try {
                const answer = await getKeptAlive(agent, path, { 'x-yardmaster-lane': member.lane });
                sents.push({
                  member,
                  slow,
                  sentAt,
                  answeredAt: performance.now(),
                  status: answer.status,
                  route: answer.route,
                  answer: answer.status === 200 ? timedAnswer(answer.body) : undefined,
                  resent: answer.resent,
                });
              } catch (error) {
                failures.push(`${member.lane}/${member.service}: ${String(error)}`);
                await sleep(5);
              }
            }
          } finally {
            agent.destroy();
          }
        });

        // A switch goes out every FLIP_EVERY_MS whether or not the one before has committed (one at a time per member).
        const flipping = new Map<Member, Promise<void>>();
        const flip = async (member: Member): Promise<void> => {
          const next = member.history.at(-1)?.version === '2' ? '3' : '2';
          member.history.push({ version: next, from: performance.now() });
          const instanceId = idOf.get(`${member.service}@${next}`) ?? 0;
          const tagged = await database.db.transaction((tx) =>
            tagMember(tx, member.laneId, { service: member.service, instanceId, deployed: false }),
          );
          if (!tagged) failures.push(`${member.lane}/${member.service}: ${member.service}@${next} not up`);
        };
        const start = performance.now();
        let flips = 0;
        for (; flips < MAX_FLIPS; flips++) {
          if (flips >= MIN_FLIPS && flips % 50 === 0 && spansOf(sents).length >= SPANS_WANTED) break;
          const due = start + flips * FLIP_EVERY_MS - performance.now();
          if (due >= 1) await sleep(due);
          const member = members[flips % members.length];
          if (member === undefined) break;
          flipping.set(
            member,
            (flipping.get(member) ?? Promise.resolve()).then(() => flip(member)),
          );
        }
        await Promise.all(flipping.values());
        const flipSeconds = (performance.now() - start) / 1000;
        // Slow requests sent before the last switch come back too.
        stopped = true;
        await Promise.all(clients);

        expect(failures.slice(0, 10)).toEqual([]);
        expect(sents.filter((sent) => sent.status >= 500)).toHaveLength(0);
        const problems = sents.flatMap((sent) => problemOf(sent) ?? []);
        expect(problems.slice(0, 10)).toEqual([]);
        // Slow requests held while the engine switched finished where they were sent.
        expect(spansOf(sents).length).toBeGreaterThanOrEqual(SPANS_WANTED);
        expect(flips).toBeGreaterThanOrEqual(MIN_FLIPS);
        if (enginePid !== undefined) expect(plane.pids?.()[0]).toBe(enginePid);

        // Afterwards: the table last handed to the engine is the database's, and the engine answers by it.
        await watcher.reload();
        const table = await loadRouteTable(database.db);
        expect(applied !== undefined && sameRoutes(applied, table)).toBe(true);
        for (const member of members)
          expect(table.lanes.get(member.lane)?.services.get(member.service)?.version).toBe(
            member.history.at(-1)?.version,
          );
        expect(await readBack(url, table, nameOf)).toEqual([]);
        // A reload that finds nothing changed hands the engine nothing (nginx would reload its workers).
        const appliesBefore = applies;
        await watcher.reload();
        await watcher.reload();
        expect(applies).toBe(appliesBefore);
        expect(watcherErrors).toEqual([]);
        expect(engineWarnings).toEqual([]);
        const resent = sents.reduce((sum, sent) => sum + sent.resent, 0);
        console.log(
          `${engine}: ${flips} switches in ${flipSeconds.toFixed(1)} s, ${sents.length} answers (${sents.filter((sent) => sent.slow).length} slow, ${spansOf(sents).length} across a switch), ${applies} tables applied, ${resent} sends repeated on a closed kept-alive connection`,
        );
      }, 180_000);
    },
  );
}
