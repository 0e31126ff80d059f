/**
 * A minimal, fast stand-in for api.github.com on 127.0.0.1 for `bench:webhooks` (the test fake validates every
 * request against the OpenAPI description, which would make the fake the bottleneck). Answers the routes a plan
 * comment needs: installation tokens, the repository, `.github/yardmaster.yml` (from BENCH_REPO_CONFIG, base64),
 * comments and reactions; 404 for the rest. `GET /__stats` returns request counts per route.
 *
 * Run as a process: prints `{"port":N}` on stdout, stops on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { serveAnnounced } from './serve-announced.ts';

const config = Buffer.from(process.env.BENCH_REPO_CONFIG ?? '', 'base64').toString('utf8');
const counts = new Map<string, number>();
let nextId = 1;

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

function route(method: string, path: string): { key: string; status: number; body: unknown } {
  if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
    return {
      key: 'token',
      status: 201,
      body: { token: 'ghs_bench', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} },
    };
  }
  const repo = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
  if (repo === null) return { key: 'other', status: 404, body: { message: 'Not Found' } };
  const rest = repo[3] ?? '';
  if (method === 'GET' && rest === '')
    return {
      key: 'repo',
      status: 200,
      body: { id: 1, name: repo[2], full_name: `${repo[1]}/${repo[2]}`, default_branch: 'master' },
    };
  if (method === 'GET' && decodeURIComponent(rest) === '/contents/.github/yardmaster.yml') {
    return {
      key: 'config',
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        content: Buffer.from(config).toString('base64'),
        path: '.github/yardmaster.yml',
      },
    };
  }
  if (method === 'POST' && /^\/issues\/\d+\/comments$/.test(rest))
    return { key: 'comment', status: 201, body: { id: nextId++ } };
  if (method === 'POST' && /^\/issues\/comments\/\d+\/reactions$/.test(rest))
    return { key: 'reaction', status: 201, body: { id: nextId++ } };
  if (method === 'POST' && /^\/issues\/\d+\/labels$/.test(rest)) return { key: 'labels', status: 200, body: [] };
  return { key: `other ${method} ${rest.split('/')[1] ?? ''}`, status: 404, body: { message: 'Not Found' } };
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.on('end', () => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/__stats') {
      send(response, 200, Object.fromEntries(counts));
      return;
    }
    const answer = route(request.method ?? 'GET', path);
    counts.set(answer.key, (counts.get(answer.key) ?? 0) + 1);
    send(response, answer.status, answer.body);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
serveAnnounced(server);
