/**
 * The lanes HTTP API (bearer token): the library, test tasks, hand-made instances, and the registry.
 *
 *   GET    /v1/library                          instances (with the lanes using them) and active lanes
 *   POST   /v1/lanes            (YAML or JSON)   resolve a task's spec → its resolution table
 *   DELETE /v1/lanes/<id>                       end a lane, reclaim what it leaves unused (any lane: an operator's
 *                                               `name`, or a repository's `owner/repo/name`, slashes plain or %2F)
 *   PUT    /v1/instances        { service, version, endpoint, baseline? }   add or replace an instance
 *   DELETE /v1/instances/<service>/<version>    remove an instance (stops it if Yardmaster started it); 409 while a
 *                                               lane is tagged with it
 *   PATCH  /v1/instances/<service>/<version>    { description?, owner?, labels?, baseline? }   edit its metadata
 *   POST   /v1/instances/<service>/<version>/replace   { digest, drainMs?, url? }   a new build, switched to without
 *                                               a gap (`url`: the new build's package for an ssh service whose
 *                                               catalog package is another build, checked by the operator's rule)
 *   POST   /v1/register         { service, version, endpoint, baseline?, lanes? }   an instance registers itself
 *   POST   /v1/heartbeat        { service, version }
 *   GET    /v1/catalog                          the catalog in force: each service's runtime, host and versions
 *   PUT    /v1/catalog/<service>/packages/<version>   { url, sha256 }   a new version of an ssh service, deployable
 *                                               at once by every server (the url checked by the operator's rule)
 *
 * The token is the operator's: the API may address every lane. Versions follow the plan's version rule everywhere.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readLimitedBody } from '../lib/read-limited-body.ts';
import { sameText } from '../lib/same-text.ts';
import { versionSchema, formatIssues } from '../plan/index.ts';
import { isLaneId } from './lane-id.ts';
import { metadataPatchSchema } from './instance-metadata.ts';
import { catalogView, replacementProblem, putCatalogPackage, type CatalogApi } from './catalog-api.ts';
import { endLane, removeVersion, resolveTask, type LaneDeps } from './lane-tasks.ts';
import { laneVersionProblem } from './lane-version.ts';
import { putInstance } from './library-store.ts';
import { libraryView } from './library-view.ts';
import { modifyInstance } from './modify-instance.ts';
import { MAX_DRAIN_MS, replaceInstance, type ReplaceFailure } from './replace-instance.ts';
import { heartbeat, register } from './registry-store.ts';
import { parseLaneSpec } from './task-spec.ts';

const MAX_BODY = 256 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const endpointSchema = z.url({ protocol: /^https?$/ });
const instanceSchema = z
  .object({
    service: z.string().regex(NAME),
    version: versionSchema,
    endpoint: endpointSchema,
    baseline: z.boolean().default(false),
  })
  .strict();
const laneIdSchema = z.string().refine(isLaneId, { error: 'expected a lane id: a name, or owner/repo/name' });
const registrationSchema = instanceSchema.extend({ lanes: z.array(laneIdSchema).default([]) }).strict();
const heartbeatSchema = z.object({ service: z.string().regex(NAME), version: versionSchema }).strict();
const replaceSchema = z
  .object({
    digest: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected the new package sha256 in hex (64 digits 0-9a-f)' }),
    drainMs: z.number().int().min(0).max(MAX_DRAIN_MS).optional(),
    url: z.string().min(1).max(2048).optional(),
  })
  .strict();

/** The answer's status for each way a replacement can fail. */
const REPLACE_STATUS: Readonly<Record<ReplaceFailure, number>> = {
  'not-found': 404,
  'not-up': 409,
  'same-build': 409,
  'not-ours': 409,
  'in-progress': 409,
  gone: 409,
  unhealthy: 502,
};
const packageSchema = z
  .object({
    url: z.string().min(1).max(2048),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256 in hex' }),
  })
  .strict();

function send(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(`${JSON.stringify(body)}\n`);
}

function authorized(request: IncomingMessage, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  return sameText(given, token);
}

/** The body parsed with `schema`, or `undefined` once a 400 saying what is wrong has been sent. */
function bodyOf<T>(response: ServerResponse, text: string, schema: z.ZodType<T>): T | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    send(response, 400, { error: 'expected a JSON body' });
    return undefined;
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  send(response, 400, {
    error: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '),
  });
  return undefined;
}

/**
 * `/v1/instances/<service>/<version>[/…]` of `length` parts: the instance it names; `no-route` when the path has
 * another shape; undefined once a 400 saying what is wrong has been sent.
 */
function instancePath(
  response: ServerResponse,
  parts: readonly string[],
  length: number,
): { service: string; version: string } | 'no-route' | undefined {
  const [service, version] = [parts[2], parts[3]];
  if (service === undefined || version === undefined || parts.length !== length) return 'no-route';
  if (!NAME.test(service)) {
    send(response, 400, {
      error: `service: expected 1 to 63 letters, digits, "_" or "-", not ${JSON.stringify(service)}`,
    });
    return undefined;
  }
  const problem = laneVersionProblem(version);
  if (problem !== undefined) {
    send(response, 400, { error: `version: ${problem}` });
    return undefined;
  }
  return { service, version };
}

/** The handler; `token` is required on every request (Authorization: Bearer …). */
export function lanesApi(
  deps: LaneDeps,
  token: string,
  /** The catalog routes (absent: 404 there). */
  catalog?: CatalogApi,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    if (!authorized(request, token)) {
      response.setHeader('www-authenticate', 'Bearer');
      send(response, 401, { error: 'a valid bearer token is required' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
    const method = request.method ?? 'GET';
    const read =
      method === 'GET' || method === 'DELETE'
        ? { ok: true as const, body: Buffer.alloc(0) }
        : await readLimitedBody(request, MAX_BODY);
    if (!read.ok) {
      if (read.reason === 'aborted') {
        response.destroy();
        return;
      }
      // The rest of the body is not read: the answer closes the connection.
      response.shouldKeepAlive = false;
      send(response, 413, { error: `bodies are limited to ${MAX_BODY} bytes` });
      return;
    }
    const text = read.body.toString('utf8');
    const route = `${method} /${parts.slice(0, 2).join('/')}`;
    switch (route) {
      case 'GET /v1/library':
        send(response, 200, await libraryView(deps.db));
        return;
      case 'POST /v1/lanes': {
        const spec = parseLaneSpec(text);
        if (!spec.ok) {
          send(response, 400, { error: 'invalid lane spec', issues: spec.issues, text: formatIssues(spec.issues) });
          return;
        }
        const resolution = await resolveTask(deps, spec.value);
        send(response, resolution.ok ? 200 : 502, resolution);
        return;
      }
      case 'DELETE /v1/lanes': {
        const name = parts.slice(2).join('/');
        if (!isLaneId(name)) break;
        const ended = await endLane(deps, name, 'ended through the API');
        send(response, ended.ended ? 200 : 404, ended.ended ? ended : { error: `no active lane ${name}` });
        return;
      }
      case 'PUT /v1/instances': {
        const body = bodyOf(response, text, instanceSchema);
        if (body === undefined) return;
        const stored = await deps.db.transaction((tx) =>
          putInstance(tx, { ...body, runtime: 'registered' }, deps.actor),
        );
        send(response, 200, {
          service: stored.service,
          version: stored.version,
          endpoint: stored.endpoint,
          baseline: stored.baseline,
        });
        return;
      }
      case 'DELETE /v1/instances': {
        const target = instancePath(response, parts, 4);
        if (target === 'no-route') break;
        if (target === undefined) return;
        const { service, version } = target;
        const removed = await removeVersion(deps, service, version, 'removed through the API');
        if (removed.ok) send(response, 200, { removed: `${service}@${version}` });
        else if (removed.reason === 'not-found') send(response, 404, { error: `no instance ${service}@${version}` });
        else
          send(response, 409, {
            error: `${service}@${version} is in use by lanes ${removed.lanes.join(', ')}: end them first`,
            lanes: removed.lanes,
          });
        return;
      }
      case 'PATCH /v1/instances': {
        const target = instancePath(response, parts, 4);
        if (target === 'no-route') break;
        if (target === undefined) return;
        const body = bodyOf(response, text, metadataPatchSchema);
        if (body === undefined) return;
        const modified = await deps.db.transaction((tx) =>
          modifyInstance(tx, target.service, target.version, body, deps.actor),
        );
        if (modified.ok) {
          const { instance } = modified;
          send(response, 200, {
            service: instance.service,
            version: instance.version,
            build: instance.packageDigest,
            baseline: instance.baseline,
            description: instance.description,
            owner: instance.owner,
            labels: instance.labels,
            changed: modified.changed,
          });
        } else send(response, modified.reason === 'not-found' ? 404 : 409, { error: modified.message });
        return;
      }
      case 'POST /v1/instances': {
        if (parts[4] !== 'replace') break;
        const target = instancePath(response, parts, 5);
        if (target === 'no-route') break;
        if (target === undefined) return;
        const body = bodyOf(response, text, replaceSchema);
        if (body === undefined) return;
        const refused = await replacementProblem(catalog, { ...target, digest: body.digest, url: body.url });
        if (refused !== undefined) {
          send(response, refused.status, { error: refused.error });
          return;
        }
        const replaced = await replaceInstance(deps, target.service, target.version, {
          digest: body.digest,
          ...(body.drainMs === undefined ? {} : { drainMs: body.drainMs }),
          ...(body.url === undefined ? {} : { url: body.url }),
        });
        send(response, replaced.ok ? 200 : REPLACE_STATUS[replaced.reason], replaced);
        return;
      }
      case 'POST /v1/register': {
        const body = bodyOf(response, text, registrationSchema);
        if (body === undefined) return;
        const registered = await register(deps.db, body, deps.actor);
        send(response, 200, { registered: `${body.service}@${body.version}`, unknownLanes: registered.unknownLanes });
        return;
      }
      case 'POST /v1/heartbeat': {
        const body = bodyOf(response, text, heartbeatSchema);
        if (body === undefined) return;
        const known = await heartbeat(deps.db, body.service, body.version);
        send(response, known ? 200 : 404, known ? { ok: true } : { error: 'not registered: register again' });
        return;
      }
      case 'GET /v1/catalog':
        if (catalog === undefined || parts.length !== 2) break;
        send(response, 200, catalogView(catalog.watcher.current()));
        return;
      case 'PUT /v1/catalog': {
        const [service, word, version] = [parts[2], parts[3], parts[4]];
        if (catalog === undefined || service === undefined || word !== 'packages' || version === undefined) break;
        if (parts.length !== 5) break;
        const body = bodyOf(response, text, packageSchema);
        if (body === undefined) return;
        const outcome = await putCatalogPackage(deps, catalog, { service, version, pkg: body });
        send(response, outcome.status, outcome.body);
        return;
      }
      default:
        break;
    }
    send(response, 404, { error: `no such route: ${method} ${url.pathname}` });
  };
}
