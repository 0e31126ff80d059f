/**
 * One delivery attempt of a key event to a subscriber's webhook: a signed JSON POST. Retrying is the queue's job, so
 * every failure (refused URL, network error, timeout, non-2xx answer) is thrown. Messages name the status and the
 * target's origin only: the secret never appears, and neither does the URL's path or query, which for many hook
 * services is itself the credential.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { eventJson } from './event-text.ts';
import type { KeyEvent } from './types.ts';

/** Where an event is posted and the key its body is signed with. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookOptions {
  /** How long the whole attempt (connect, request, response headers) may take; 10 s unless given. */
  timeoutMs?: number;
  /** Stand-in for the global `fetch` (tests, or a dispatcher with other network settings). */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The signature header value of a body: `sha256=` and the hex HMAC-SHA256 of the exact bytes sent, keyed with the
 * secret (the scheme of GitHub's `X-Hub-Signature-256`).
 */
export function webhookSignature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Whether a received `x-yardmaster-signature-256` header is the signature of `body` under `secret`. Compares in
 * constant time so a receiver does not leak how much of a forged signature was right. A missing or repeated header
 * is not valid.
 */
export function verifyWebhookSignature(
  secret: string,
  body: string | Uint8Array,
  header: string | readonly string[] | null | undefined,
): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(webhookSignature(secret, body));
  const received = Buffer.from(header);
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** The URL to post to, refused unless plain http(s) without credentials (fetch would echo those in its error). */
function targetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('webhook URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`webhook URL must be http: or https:, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`webhook URL for ${url.origin} must not contain credentials; receivers check the signature`);
  }
  return url;
}

/**
 * Posts `event` to `target.url` once, signed with `target.secret`, and resolves when the receiver answers 2xx.
 * Redirects are not followed (a 3xx is a failure), as GitHub does for its webhooks, so a signed delivery only goes
 * where it was configured to. Throws on a refused URL, an empty secret, a network error, the timeout, or any
 * other status, with the status in the message.
 */
export function sendWebhook(target: WebhookTarget, event: KeyEvent, options: WebhookOptions = {}): Promise<void> {
  return postSignedJson(target, { id: event.id, kind: event.kind, json: eventJson(event) }, options);
}

/** What a webhook receives: the delivery id and event name (headers) and the JSON body. */
export interface WebhookMessage {
  id: number;
  kind: string;
  json: object;
}

/** {@link sendWebhook} for a message worded by the caller (notices that are not about a work order). */
export async function postSignedJson(
  target: WebhookTarget,
  message: WebhookMessage,
  options: WebhookOptions = {},
): Promise<void> {
  const url = targetUrl(target.url);
  if (target.secret === '') throw new Error(`webhook for ${url.origin} has an empty secret`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const send = options.fetch ?? fetch;
  const body = JSON.stringify(message.json);
  const what = `webhook delivery ${message.id} (${message.kind}) to ${url.origin}`;
  let response: Response;
  try {
    response = await send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Yardmaster',
        'x-yardmaster-event': message.kind,
        'x-yardmaster-delivery': String(message.id),
        'x-yardmaster-signature-256': webhookSignature(target.secret, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError')
      throw new Error(`${what} timed out after ${timeoutMs} ms`);
    throw new Error(`${what} failed: ${networkReason(error)}`);
  }
  // The answer's body is not read; cancelling it lets the connection be reused or closed now rather than at GC.
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) throw new Error(`${what} was answered with HTTP ${response.status}`);
}

/** Undici reports "fetch failed" and puts the reason (ECONNREFUSED, a DNS error) in `cause`. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code: unknown = 'code' in cause ? cause.code : undefined;
    return typeof code === 'string' ? `${error.message} (${code})` : `${error.message} (${cause.message})`;
  }
  return error.message;
}
