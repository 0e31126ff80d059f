/**
 * Request bodies read with a size limit, before the handler that needs them whole (Probot's webhook middleware, Bolt's
 * receiver) sees them: those libraries buffer the entire body before they check its signature, so without a limit
 * anyone who can reach the port makes the server hold as much as they send. A body is refused with 413 as soon as its
 * Content-Length says it is too large, or as soon as the bytes streamed so far pass the limit (chunked bodies); what
 * the client still sends is discarded, never kept, until it stops or for at most 2 s, then the connection is closed.
 */
import type { ServerResponse } from 'node:http';
import { declaredLength, readLimitedBody } from '../lib/read-limited-body.ts';
import type { RouteHandler } from './http-server.ts';

/** GitHub does not send webhook payloads above 25 MB; a larger delivery is not from GitHub. */
export const WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;
/** Slack's interaction payloads (an approval message's blocks, URL-encoded) stay far below this. */
export const SLACK_MAX_BYTES = 1024 * 1024;

/** How long a refused client may go on sending, discarded, after its 413 before the connection is closed. */
const LINGER_MS = 2_000;

/**
 * Ends `response` once the client has stopped sending (its request ended or it closed), or after LINGER_MS. What it
 * sends meanwhile is discarded, never kept: closing a socket with unread bytes makes the kernel send a TCP reset, and
 * a reset can make the client's kernel drop the 413 before the client has read it (a lingering close, as web
 * servers do). The client stops once it reads the 413; the time bound holds for one that does not.
 */
function endAfterLinger(response: ServerResponse): void {
  const request = response.req;
  const end = (): void => {
    clearTimeout(timer);
    request.off('end', end);
    request.off('close', end);
    response.off('close', end);
    if (!response.writableEnded) response.end();
  };
  const timer = setTimeout(end, LINGER_MS);
  request.on('end', end);
  request.on('close', end);
  response.on('close', end);
  request.on('data', () => undefined);
  request.resume();
}

/** 413, and the connection closed once the client stops sending: the rest of the body is discarded, not kept. */
export function refuseTooLarge(response: ServerResponse, maxBytes: number): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.shouldKeepAlive = false;
  const text = `request body too large: at most ${maxBytes} bytes are accepted\n`;
  response.writeHead(413, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  });
  response.write(text);
  endAfterLinger(response);
}

/**
 * `handler` behind a body limit: the body is read here (at most `maxBytes`) and handed on already read, as
 * `request.rawBody` and `request.body` (a Buffer), which is how Probot's and Bolt's readers take a body read before
 * them (serverless platforms do the same). Requests without a body go straight through.
 */
export function withBodyLimit(handler: RouteHandler, maxBytes: number): RouteHandler {
  return async (request, response) => {
    const hasBody = request.headers['transfer-encoding'] !== undefined || (declaredLength(request) ?? 0) > 0;
    if (!hasBody) {
      await handler(request, response);
      return;
    }
    const read = await readLimitedBody(request, maxBytes);
    if (!read.ok) {
      if (read.reason === 'too-large') refuseTooLarge(response, maxBytes);
      else response.destroy();
      return;
    }
    await handler(Object.assign(request, { rawBody: read.body, body: read.body }), response);
  };
}
