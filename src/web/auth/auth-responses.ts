/** What the sign-in routes answer: redirects and small stand-alone pages (no viewer yet, so no dashboard layout). */
import type { ServerResponse } from 'node:http';
import { html } from '../html.ts';

/** A redirect that no cache keeps, setting the given cookies. */
export function redirect(
  response: ServerResponse,
  status: 302 | 303,
  location: string,
  cookies: readonly string[] = [],
): void {
  response.writeHead(status, {
    location,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    ...(cookies.length > 0 ? { 'set-cookie': [...cookies] } : {}),
  });
  response.end();
}

/** A page saying what happened, with a link onward; `message` is escaped. */
export function sendAuthPage(
  response: ServerResponse,
  options: {
    status: number;
    title: string;
    message: string;
    link?: { href: string; label: string };
    cookies?: readonly string[];
    headers?: Record<string, string>;
  },
): void {
  const link = options.link === undefined ? '' : html`<p><a href="${options.link.href}">${options.link.label}</a></p>`;
  const page = html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${options.title} · Yardmaster</title></head>
<body style="font: 15px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1 style="font-size: 1.4rem">${options.title}</h1>
<p data-testid="auth-message">${options.message}</p>
${link}
</body>
</html>
`;
  response.writeHead(options.status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    ...options.headers,
    ...(options.cookies !== undefined && options.cookies.length > 0 ? { 'set-cookie': [...options.cookies] } : {}),
  });
  response.end(page.text);
}
