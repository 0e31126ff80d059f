/** The session cookie: `ym_session=<token>.<signature>`, the token being the only secret the browser holds. */
import type { IncomingMessage } from 'node:http';
import { readCookie, serializeCookie } from './cookies.ts';
import type { SessionKeys } from './session-keys.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'ym_session';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The cookie value for a session token. */
export function sessionCookieValue(keys: SessionKeys, token: string): string {
  return `${token}.${keys.sign('session', token)}`;
}

/** The session token of a request whose cookie is present and correctly signed, else undefined. */
export function sessionTokenOf(keys: SessionKeys, request: IncomingMessage): string | undefined {
  const value = readCookie(request, SESSION_COOKIE);
  if (value === undefined) return undefined;
  const dot = value.indexOf('.');
  if (dot < 0) return undefined;
  const token = value.slice(0, dot);
  if (!TOKEN.test(token)) return undefined;
  return keys.verify('session', token, value.slice(dot + 1)) ? token : undefined;
}

/** `Set-Cookie` for a session (`maxAgeSeconds` 0 clears it). Path `/`: the cookie only ever names a session. */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return serializeCookie(SESSION_COOKIE, value, { path: '/', maxAgeSeconds, secure });
}
