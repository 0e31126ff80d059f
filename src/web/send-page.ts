/** Answers for dashboard pages: HTML with security headers, and the few plain errors. */
import type { ServerResponse } from 'node:http';
import type { Html } from './html.ts';

/**
 * No inline script (the one script is a file of ours), styles inline, nothing framed, no referrer outside. Pages
 * are per viewer: never cached.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function sendPage(response: ServerResponse, page: Html, status = 200): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS }).end(page.text);
}

export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  response
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers })
    .end(`${text}\n`);
}
