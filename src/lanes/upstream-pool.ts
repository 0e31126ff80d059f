/**
 * The lane router's connections to instances: per endpoint, a last-in-first-out pool of kept-alive sockets with
 * one exchange at a time on each, and a small HTTP/1.1 response reader (status line, headers, then a body framed by
 * Content-Length, chunked encoding or the end of the connection). It replaces `http.request` and its Agent, whose
 * per-request objects and listeners cost the router more CPU than the proxying itself (see docs/lanes.md, bench).
 *
 * What a response may not be is refused (502 by the caller): a bad status line, a folded or malformed header,
 * conflicting Content-Length values, a head over 64 KiB, 101 Switching Protocols. Content-Length is dropped when
 * Transfer-Encoding is present (the body is passed on de-chunked). Interim 1xx answers are skipped. A socket that
 * the instance closed while it sat idle is not reused; a request without a body that fails on a reused socket before
 * any answer byte is sent once more on a fresh one (the instance may have closed it just then).
 */
import { connect, type Socket } from 'node:net';

/** Hop-by-hop headers: never passed on, in either direction. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
]);

const MAX_HEAD = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One request to an instance and what becomes of its answer. */
export interface Exchange {
  /** The request head: request line, headers, empty line. */
  head: string;
  /** HEAD: the answer has no body whatever its headers say. */
  headRequest: boolean;
  /** Sent once more on a fresh socket if a reused one fails before any answer byte (no body to resend). */
  retryable: boolean;
  /** A request body follows the head: `send` is called with the writer. */
  send?: (writer: BodyWriter) => void;
  /** The answer's status and headers (flat `[name, value, …]`, hop-by-hop ones left out). A throw fails the exchange. */
  onHead(status: number, headers: string[]): void;
  /** A piece of body; `last` when it ends the body. Returns false to pause until `resume()`. */
  onBody(chunk: Buffer, last: boolean): boolean;
  /** The answer ended without a last piece (no body, or a body that ended with the connection or a chunk marker). */
  onEnd(): void;
  onError(error: Error): void;
  /** Where it runs now (set by the pools). */
  connection?: Connection | undefined;
  /** The client went away (set by `UpstreamPools.abort`). */
  aborted?: boolean;
}

export interface BodyWriter {
  write(data: string | Buffer): boolean;
  onDrain(listener: () => void): void;
  /** The body is all written. */
  end(): void;
}

type BodyState = 'none' | 'length' | 'chunked' | 'close';
type ChunkState = 'size' | 'data' | 'data-end' | 'trailer';

class Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
  /** Answer bytes seen for the current exchange (a retry is safe only before any). */
  private seen = false;
  private reused = false;
  private pending: Buffer | undefined;
  private inBody = false;
  private body: BodyState = 'none';
  private remaining = 0;
  private chunk: ChunkState = 'size';
  private keepAlive = true;
  private requestDone = true;
  private gone = false;
  idleUntil = Number.POSITIVE_INFINITY;

  private readonly pool: UpstreamPool;

  constructor(pool: UpstreamPool, host: string, port: number) {
    this.pool = pool;
    this.socket = connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1_000 });
    this.socket.on('data', (data: Buffer) => {
      this.onData(data);
    });
    this.socket.on('end', () => {
      this.onClosed(new Error('the instance closed the connection'));
    });
    this.socket.on('error', (error) => {
      this.onClosed(error);
    });
    this.socket.on('close', () => {
      this.onClosed(new Error('the connection to the instance closed'));
    });
  }

  start(exchange: Exchange, reused: boolean): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.reused = reused;
    this.seen = false;
    this.inBody = false;
    this.keepAlive = true;
    this.pending = undefined;
    this.socket.ref();
    this.socket.write(exchange.head, 'latin1');
    if (exchange.send === undefined) {
      this.requestDone = true;
      return;
    }
    this.requestDone = false;
    const socket = this.socket;
    exchange.send({
      write: (data) => socket.write(data),
      onDrain: (listener) => socket.once('drain', listener),
      end: () => {
        this.requestDone = true;
      },
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.keepAlive = false;
    this.socket.destroy();
    exchange?.onError(error);
  }

  private onClosed(error: Error): void {
    if (this.body === 'close' && this.inBody && this.exchange !== undefined) {
      this.keepAlive = false;
      this.finish();
    }
    if (!this.gone) {
      this.gone = true;
      this.socket.destroy();
      this.pool.forget(this);
    }
    const exchange = this.exchange;
    if (exchange === undefined) return;
    this.exchange = undefined;
    if (exchange.aborted === true) return;
    if (!this.seen && this.reused && exchange.retryable) this.pool.dispatch(exchange, true);
    else exchange.onError(error);
  }

  private finish(): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.inBody = false;
    if (this.pending !== undefined && this.pending.length > 0) this.keepAlive = false;
    this.pending = undefined;
    if (!this.requestDone) this.keepAlive = false;
    if (this.keepAlive && !this.gone) this.pool.release(this);
    else this.socket.destroy();
    return exchange?.onEnd();
  }

  private onData(data: Buffer): void {
    if (this.exchange === undefined) {
      // Bytes nobody asked for: the connection is out of step.
      this.socket.destroy();
      return;
    }
    this.seen = true;
    let rest: Buffer | undefined = data;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- readBody/readHead end the exchange
    while (rest !== undefined && rest.length > 0 && this.exchange !== undefined)
      rest = this.inBody ? this.readBody(rest) : this.readHead(rest);
    if (rest !== undefined && rest.length > 0) this.pending = rest;
  }

  /** Reads the head; returns what follows it (undefined: wait for more, or failed). */
  private readHead(data: Buffer): Buffer | undefined {
    const buffer = this.pending === undefined ? data : Buffer.concat([this.pending, data]);
    this.pending = undefined;
    const end = buffer.indexOf(CRLF2);
    if (end < 0) {
      if (buffer.length > MAX_HEAD) this.fail(new Error('answer head too large'));
      else this.pending = buffer;
      return undefined;
    }
    if (end > MAX_HEAD) {
      this.fail(new Error('answer head too large'));
      return undefined;
    }
    const lines = buffer.toString('latin1', 0, end).split('\r\n');
    const status = STATUS_LINE.exec(lines[0] ?? '');
    if (status === null) {
      this.fail(new Error('malformed answer from the instance'));
      return undefined;
    }
    const code = Number(status[2]);
    const rest = buffer.subarray(end + 4);
    if (code < 200) {
      if (code === 101) this.fail(new Error('protocol upgrades are not passed on'));
      return rest; // 100 Continue, 103 Early Hints: the final answer follows.
    }
    const http10 = status[1] === '0';
    const headers: string[] = [];
    let length: string | undefined;
    let chunked = false;
    let coded = false;
    let connection = '';
    let keepAliveHint = '';
    for (let index = 1; index < lines.length; index++) {
      const line = lines[index] ?? '';
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!TOKEN.test(name)) {
        this.fail(new Error('malformed header in the answer from the instance'));
        return undefined;
      }
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== value)) {
          this.fail(new Error('bad content-length in the answer from the instance'));
          return undefined;
        }
        length = value;
        continue;
      }
      if (lower === 'transfer-encoding') {
        coded = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        continue;
      }
      if (lower === 'connection') connection += `,${value.toLowerCase()}`;
      else if (lower === 'keep-alive') keepAliveHint = value;
      if (HOP_BY_HOP.has(lower)) continue;
      headers.push(name, value);
    }
    if (connection !== '') {
      const listed = new Set(connection.split(',').map((token) => token.trim()));
      if (listed.has('close')) this.keepAlive = false;
      if (http10 && !listed.has('keep-alive')) this.keepAlive = false;
      for (let index = headers.length - 2; index >= 0; index -= 2)
        if (listed.has((headers[index] ?? '').toLowerCase())) headers.splice(index, 2);
    } else if (http10) this.keepAlive = false;
    const hint = /timeout=(\d+)/i.exec(keepAliveHint);
    this.idleUntil = hint === null ? Number.POSITIVE_INFINITY : Date.now() + Math.max(0, Number(hint[1]) * 1000 - 1000);

    const exchange = this.exchange;
    if (exchange === undefined) return undefined;
    if (exchange.headRequest || code === 204 || code === 304) this.body = 'none';
    else if (coded) this.body = chunked ? 'chunked' : 'close';
    else if (length !== undefined) this.body = 'length';
    else this.body = 'close';
    if (this.body === 'length' || (length !== undefined && this.body === 'none'))
      headers.push('content-length', length ?? '0');
    if (this.body === 'close') this.keepAlive = false;
    this.remaining = this.body === 'length' ? Number(length) : 0;
    this.chunk = 'size';
    try {
      exchange.onHead(code, headers);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
    if (this.body === 'none' || (this.body === 'length' && this.remaining === 0)) {
      this.pending = rest;
      this.finish();
      return undefined;
    }
    this.inBody = true;
    return rest;
  }

  private deliver(chunk: Buffer, last: boolean): void {
    const exchange = this.exchange;
    if (exchange === undefined) return;
    if (last) {
      this.exchange = undefined;
      this.inBody = false;
      if (!this.requestDone) this.keepAlive = false;
      if (this.keepAlive && !this.gone) this.pool.release(this);
      else this.socket.destroy();
      exchange.onBody(chunk, true);
      return;
    }
    if (!exchange.onBody(chunk, false)) this.socket.pause();
  }

  /** Reads body bytes; returns what is left after the body ended (undefined: all consumed or waiting). */
  private readBody(data: Buffer): Buffer | undefined {
    if (this.body === 'close') {
      this.deliver(data, false);
      return undefined;
    }
    if (this.body === 'length') {
      if (data.length < this.remaining) {
        this.remaining -= data.length;
        this.deliver(data, false);
        return undefined;
      }
      const piece = data.length === this.remaining ? data : data.subarray(0, this.remaining);
      if (data.length > this.remaining) this.keepAlive = false; // more than was announced: out of step
      this.remaining = 0;
      this.deliver(piece, true);
      return undefined;
    }
    return this.readChunked(data);
  }

  private readChunked(data: Buffer): Buffer | undefined {
    let buffer = this.pending === undefined ? data : Buffer.concat([this.pending, data]);
    this.pending = undefined;
    while (buffer.length > 0 && this.exchange !== undefined) {
      if (this.chunk === 'data') {
        if (buffer.length <= this.remaining) {
          this.remaining -= buffer.length;
          if (this.remaining === 0) this.chunk = 'data-end';
          this.deliver(buffer, false);
          return undefined;
        }
        const piece = buffer.subarray(0, this.remaining);
        buffer = buffer.subarray(this.remaining);
        this.remaining = 0;
        this.chunk = 'data-end';
        this.deliver(piece, false);
        continue;
      }
      const eol = buffer.indexOf('\r\n');
      if (eol < 0) {
        if (buffer.length > MAX_HEAD) this.fail(new Error('malformed chunked answer from the instance'));
        else this.pending = buffer;
        return undefined;
      }
      const line = buffer.toString('latin1', 0, eol);
      buffer = buffer.subarray(eol + 2);
      if (this.chunk === 'data-end') {
        if (line !== '') {
          this.fail(new Error('malformed chunked answer from the instance'));
          return undefined;
        }
        this.chunk = 'size';
      } else if (this.chunk === 'size') {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
        if (size?.[1] === undefined) {
          this.fail(new Error('malformed chunked answer from the instance'));
          return undefined;
        }
        this.remaining = Number.parseInt(size[1], 16);
        this.chunk = this.remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        // The end of the trailer section (trailers are not passed on): the answer is complete.
        this.pending = buffer;
        this.finish();
        return undefined;
      }
    }
    return undefined;
  }
}

/** Kept-alive connections to one instance (`host:port`). */
class UpstreamPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Exchange[] = [];
  private open = 0;

  private readonly pools: UpstreamPools;
  readonly key: string;
  private readonly host: string;
  private readonly port: number;
  private readonly maxSockets: number;

  constructor(pools: UpstreamPools, key: string, host: string, port: number, maxSockets: number) {
    this.pools = pools;
    this.key = key;
    this.host = host;
    this.port = port;
    this.maxSockets = maxSockets;
  }

  dispatch(exchange: Exchange, fresh = false): void {
    if (!fresh) {
      const now = Date.now();
      for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
        if (connection.idleUntil <= now) {
          connection.destroy();
          continue;
        }
        connection.start(exchange, true);
        return;
      }
    }
    if (this.open >= this.maxSockets && !fresh) {
      this.waiting.push(exchange);
      return;
    }
    this.open++;
    new Connection(this, this.host, this.port).start(exchange, false);
  }

  private nextWaiting(): Exchange | undefined {
    for (let next = this.waiting.shift(); next !== undefined; next = this.waiting.shift())
      if (next.aborted !== true) return next;
    return undefined;
  }

  release(connection: Connection): void {
    const next = this.nextWaiting();
    if (next !== undefined) {
      connection.start(next, true);
      return;
    }
    connection.socket.unref();
    this.idle.push(connection);
  }

  forget(connection: Connection): void {
    this.open--;
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    const next = this.nextWaiting();
    if (next !== undefined) this.dispatch(next, true);
    else if (this.open === 0) this.pools.drop(this);
  }

  destroy(): void {
    for (const connection of this.idle.splice(0)) connection.destroy();
    for (const exchange of this.waiting.splice(0)) exchange.onError(new Error('the lane router is closing'));
  }
}

/** The pools of all instances, by `host:port`. */
export class UpstreamPools {
  private readonly pools = new Map<string, UpstreamPool>();

  private readonly maxSockets: number;

  constructor(maxSockets = 256) {
    this.maxSockets = maxSockets;
  }

  dispatch(host: string, port: number, exchange: Exchange): void {
    const key = `${host}:${port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new UpstreamPool(this, key, host, port, this.maxSockets);
      this.pools.set(key, pool);
    }
    pool.dispatch(exchange);
  }

  /** Reads on after `onBody` asked for a pause. */
  resume(exchange: Exchange): void {
    const connection = exchange.connection;
    if (connection?.exchange === exchange) connection.socket.resume();
  }

  /** The client went away: a waiting exchange is not sent, a running one loses its socket (it is mid-answer). */
  abort(exchange: Exchange): void {
    exchange.aborted = true;
    const connection = exchange.connection;
    if (connection?.exchange === exchange) {
      connection.exchange = undefined;
      connection.destroy();
    }
  }

  drop(pool: UpstreamPool): void {
    if (this.pools.get(pool.key) === pool) this.pools.delete(pool.key);
  }

  destroy(): void {
    for (const pool of this.pools.values()) pool.destroy();
  }
}
