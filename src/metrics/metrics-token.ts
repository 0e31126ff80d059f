/**
 * `/metrics` behind a bearer token: with `YARDMASTER_METRICS_TOKEN` set, a scrape must send
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: <token> }`), else it gets 401.
 * Without the variable `/metrics` stays open, as before, and the server says so at start.
 */
import type { IncomingMessage } from 'node:http';
import { sameText } from '../lib/same-text.ts';

export const METRICS_TOKEN_VARIABLE = 'YARDMASTER_METRICS_TOKEN';
const MIN_TOKEN_LENGTH = 16;
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

export type MetricsTokenResult = { ok: true; token: string | undefined } | { ok: false; problem: string };

/** The token from the environment (unset and empty mean open), refused when too short to resist guessing. */
export function parseMetricsToken(env: Readonly<Record<string, string | undefined>>): MetricsTokenResult {
  const token = env[METRICS_TOKEN_VARIABLE];
  if (token === undefined || token === '') return { ok: true, token: undefined };
  if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    return {
      ok: false,
      problem: `${METRICS_TOKEN_VARIABLE}: must be at least ${MIN_TOKEN_LENGTH} printable characters without spaces (e.g. openssl rand -hex 24)`,
    };
  }
  return { ok: true, token };
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time, whatever the lengths). */
export function hasMetricsToken(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization;
  const given = header === undefined ? undefined : BEARER.exec(header)?.[1];
  return sameText(given ?? '', token) && given !== undefined;
}
