/**
 * A request body read with a size limit: reading stops (and the request is paused, not drained) as soon as the
 * declared Content-Length or the bytes streamed so far pass the limit, so whoever sends the body cannot make the
 * server hold more than the limit. Shared by the webhook and Slack routes and the lanes API.
 */
import type { IncomingMessage } from 'node:http';

/** The whole body, or why not: larger than the limit, or the client went away. */
export type LimitedBody = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** The declared Content-Length, or undefined when the body is chunked or the header is not a number. */
export function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/** Reads the body, stopping (without reading further) as soon as it is known to exceed `maxBytes`. */
export function readLimitedBody(request: IncomingMessage, maxBytes: number): Promise<LimitedBody> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > maxBytes) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: LimitedBody): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('aborted', onAborted);
      request.off('error', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        done({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done({ ok: true, body: Buffer.concat(chunks, size) });
    };
    const onAborted = (): void => {
      done({ ok: false, reason: 'aborted' });
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('aborted', onAborted);
    request.on('error', onAborted);
  });
}
