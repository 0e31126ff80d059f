/** Reading the Cookie header and writing Set-Cookie values for the dashboard's own cookies. */
import type { IncomingMessage } from 'node:http';

/** The value of cookie `name` in the request, or undefined (first one wins, as browsers send the most specific path first). */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() !== name) continue;
    const value = part.slice(equals + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** How a cookie is set. Values written here are base64url and dots only, so they need no encoding. */
export interface CookieOptions {
  path: string;
  /** Seconds; 0 clears the cookie. */
  maxAgeSeconds: number;
  secure: boolean;
}

/** A `Set-Cookie` value: always HttpOnly and SameSite=Lax (the OAuth callback is a top-level GET from GitHub). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (options.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
