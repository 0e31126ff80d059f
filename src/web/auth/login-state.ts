/**
 * The OAuth `state` between `/dashboard/login` and the callback: a random value and the path to return to, in a
 * signed cookie that expires after ten minutes (checked inside the signed value too, not only by the browser).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { safeReturnPath } from './return-path.ts';
import type { SessionKeys } from './session-keys.ts';

/** The login-state cookie's name. */
export const LOGIN_STATE_COOKIE = 'ym_login';
/** How long a sign-in at GitHub may take. */
export const LOGIN_STATE_SECONDS = 600;

/** A pending sign-in. */
export interface LoginState {
  state: string;
  returnTo: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const stateSchema = z
  .object({ state: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/), returnTo: z.string(), expiresAt: z.number().int() })
  .strict();

/** A new pending sign-in for `returnTo`, from `now`. */
export function newLoginState(returnTo: string, now: Date): LoginState {
  return {
    state: randomBytes(24).toString('base64url'),
    returnTo: safeReturnPath(returnTo),
    expiresAt: now.getTime() + LOGIN_STATE_SECONDS * 1000,
  };
}

/** The cookie value: `<base64url JSON>.<signature>`. */
export function encodeLoginState(keys: SessionKeys, state: LoginState): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${keys.sign('login', payload)}`;
}

/** The pending sign-in in a cookie value, or undefined when it is missing, forged, malformed or expired. */
export function decodeLoginState(keys: SessionKeys, value: string | undefined, now: Date): LoginState | undefined {
  if (value === undefined) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const payload = value.slice(0, dot);
  if (!keys.verify('login', payload, value.slice(dot + 1))) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success || parsed.data.expiresAt <= now.getTime()) return undefined;
  return { ...parsed.data, returnTo: safeReturnPath(parsed.data.returnTo) };
}
