/**
 * Which failures of a delivery's handling are worth another attempt: real errors where they are cheap to make (a
 * refused socket, a refused PostgreSQL login, drizzle's wrapper), and errors shaped as Octokit's RequestError and
 * postgres.js's PostgresError carry them (status; code and severity).
 */
import { createServer } from 'node:net';
import { DrizzleQueryError } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deliveryErrorKind } from '../../src/github/delivery-error-kind.ts';

function httpError(status: number, message = `HTTP ${status}`, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { name: 'HttpError', status, response: { status, headers } });
}

function postgresError(code: string, severity = 'ERROR'): Error {
  return Object.assign(new Error(`postgres ${code}`), { name: 'PostgresError', code, severity });
}

/** A TCP port nobody listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('transient failures', () => {
  it.each([500, 502, 503, 504, 408, 429])('GitHub answering %i', (status) => {
    expect(deliveryErrorKind(httpError(status))).toBe('transient');
  });

  it("GitHub's secondary rate limit (403 saying so, or with retry-after)", () => {
    expect(deliveryErrorKind(httpError(403, 'You have exceeded a secondary rate limit'))).toBe('transient');
    expect(deliveryErrorKind(httpError(403, 'Forbidden', { 'retry-after': '60' }))).toBe('transient');
    expect(deliveryErrorKind(httpError(403, 'Forbidden', { 'x-ratelimit-remaining': '0' }))).toBe('transient');
  });

  it('a refused connection (fetch wraps the socket error as its cause)', async () => {
    const port = await closedPort();
    const error: unknown = await fetch(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(deliveryErrorKind(error)).toBe('transient');
  });

  it('a database that refuses the login (FATAL) and a closed connection, also inside drizzle', async () => {
    const sql = postgres('postgres://postgres@127.0.0.1:5432/ym_no_such_database', {
      max: 1,
      onnotice: () => undefined,
      connect_timeout: 5,
    });
    const error: unknown = await sql`select 1`.catch((caught: unknown) => caught);
    await sql.end({ timeout: 1 });
    expect(z.object({ code: z.string(), severity: z.string() }).parse(error)).toMatchObject({
      code: '3D000',
      severity: 'FATAL',
    });
    expect(deliveryErrorKind(error)).toBe('transient');
    const closed = Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' });
    expect(deliveryErrorKind(closed)).toBe('transient');
    expect(deliveryErrorKind(new DrizzleQueryError('select 1', [], closed))).toBe('transient');
  });

  it.each(['57P01', '08006', '53300', '40001', '40P01', '55P03'])('database SQLSTATE %s', (code) => {
    expect(deliveryErrorKind(postgresError(code))).toBe('transient');
  });

  it('timeouts and aborts', () => {
    expect(deliveryErrorKind(new DOMException('timed out', 'TimeoutError'))).toBe('transient');
    expect(deliveryErrorKind(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('transient');
    expect(
      deliveryErrorKind(new AggregateError([new Error('x'), Object.assign(new Error('y'), { code: 'ECONNREFUSED' })])),
    ).toBe('transient');
  });
});

describe('permanent failures', () => {
  it.each([400, 401, 403, 404, 410, 422])('GitHub answering %i', (status) => {
    expect(deliveryErrorKind(httpError(status))).toBe('permanent');
  });

  it.each(['23505', '23503', '42P01', '22P02'])('database SQLSTATE %s (constraint, schema, data)', (code) => {
    expect(deliveryErrorKind(postgresError(code))).toBe('permanent');
    expect(deliveryErrorKind(new DrizzleQueryError('insert', [], postgresError(code)))).toBe('permanent');
  });

  it('validation errors, bugs and things that are not errors', () => {
    expect(deliveryErrorKind(z.object({ a: z.string() }).safeParse({}).error)).toBe('permanent');
    expect(deliveryErrorKind(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('permanent');
    expect(deliveryErrorKind('a string')).toBe('permanent');
    expect(deliveryErrorKind(undefined)).toBe('permanent');
    const loop: Error & { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    expect(deliveryErrorKind(loop)).toBe('permanent');
  });
});
