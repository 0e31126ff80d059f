/**
 * Whether a delivery's handling failed for a reason that goes away by itself (the database or GitHub unreachable or
 * overloaded, a timeout, a rate limit): then the inbox tries again later. Anything else (a refused request, an invalid
 * payload, a bug) fails the same way every time, so it is reported instead of retried.
 */

/** `transient`: worth another attempt later; `permanent`: retrying cannot fix it. */
export type DeliveryErrorKind = 'transient' | 'permanent';

/** Socket and DNS failures (Node, undici) and postgres.js's lost connections. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * PostgreSQL SQLSTATEs that a later attempt may not meet: 08 connection exceptions, 53 insufficient resources,
 * 57P01-57P05 shutdowns and restarts, serialization failures and deadlocks, a lock not available.
 */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    /^57P0[1-5]$/.test(code) ||
    code === '40001' ||
    code === '40P01' ||
    code === '55P03'
  );
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const TRANSIENT_NAMES = new Set(['TimeoutError', 'AbortError']);
/** GitHub's answers to try again later; 403 only when it says it is a rate limit. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);

function fieldOf(error: object, name: string): unknown {
  const value: unknown = Reflect.get(error, name);
  return value;
}

function isRateLimit(error: object): boolean {
  const message = error instanceof Error ? error.message : '';
  if (/rate limit/i.test(message)) return true;
  const response = fieldOf(error, 'response');
  if (typeof response !== 'object' || response === null) return false;
  const headers = fieldOf(response, 'headers');
  if (typeof headers !== 'object' || headers === null) return false;
  return fieldOf(headers, 'retry-after') !== undefined || fieldOf(headers, 'x-ratelimit-remaining') === '0';
}

/** The kind of one error, not looking at its causes. */
function kindOfOne(error: object): DeliveryErrorKind | undefined {
  const status = fieldOf(error, 'status');
  // An HTTP answer (Octokit's RequestError): what the status says. Octokit reports a request that got no answer
  // (network, timeout) as status 500, which counts as transient like any 5xx.
  if (typeof status === 'number' && status >= 400) {
    if (status >= 500 || TRANSIENT_STATUSES.has(status)) return 'transient';
    return status === 403 && isRateLimit(error) ? 'transient' : 'permanent';
  }
  const code = fieldOf(error, 'code');
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code)) return 'transient';
    if (SQLSTATE.test(code)) {
      // A FATAL error ends the session: the server refused or dropped the connection (shutting down, not accepting
      // connections), whatever the code.
      const severity = fieldOf(error, 'severity');
      return isTransientSqlState(code) || severity === 'FATAL' || severity === 'PANIC' ? 'transient' : 'permanent';
    }
  }
  if (error instanceof Error && TRANSIENT_NAMES.has(error.name)) return 'transient';
  return undefined;
}

/**
 * Transient when the error, or one of its causes (drizzle wraps the driver's error, fetch wraps the socket's), is a
 * lost or refused connection, a timeout, a database shutting down or overloaded, a GitHub 5xx, 408, 429 or rate
 * limit; permanent otherwise (other 4xx, constraint and syntax errors, validation, bugs).
 */
export function deliveryErrorKind(error: unknown): DeliveryErrorKind {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const kind = kindOfOne(current);
    if (kind !== undefined) return kind;
    if (current instanceof AggregateError && current.errors.some((inner) => deliveryErrorKind(inner) === 'transient'))
      return 'transient';
    current = fieldOf(current, 'cause');
  }
  return 'permanent';
}
