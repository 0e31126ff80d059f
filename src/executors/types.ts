/** The executor plugin interface: how the release engine reaches one host. */
import type { Duplex, Readable } from 'node:stream';
import type { HostEntry } from '../config/types.ts';

export interface ExecOptions {
  /** Bytes for the command's standard input; closed when written (or at once when absent). */
  stdin?: string | Buffer | Readable;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Aborting interrupts the command (its whole process group) and resolves with `aborted: true`. */
  signal?: AbortSignal;
  /** Interrupts the command after this long and resolves with `timedOut: true`. */
  timeoutMs?: number;
}

export interface ExecResult {
  /** Exit status; null when the command died from a signal or never reported one. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
}

export interface PutFileOptions {
  method: 'sftp' | 'scp';
  mode?: number;
  signal?: AbortSignal;
}

/**
 * A live session with one host. `exec` runs a command line with the host's POSIX `sh`; quoting is the
 * caller's job (see executors/shell-quote.ts). One executor = one connection, reused for every stage.
 */
export interface Executor {
  readonly host: HostEntry;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  putFile(localPath: string, remotePath: string, options: PutFileOptions): Promise<void>;
  /** A TCP connection opened from the host (ssh direct-tcpip), e.g. for HTTP health checks of 127.0.0.1. */
  openTcp(address: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
}

/** Credentials and policy for opening executors. Private keys come from the controller, never from a repo. */
export interface ConnectOptions {
  privateKey?: Buffer;
  passphrase?: string;
  /** Path of an ssh-agent socket. */
  agent?: string;
  /** Login user when the host entry names none. */
  defaultUser: string;
  /** Accept a host with no pinned key (a mismatched pinned key is always refused). */
  acceptNewHostKeys: boolean;
  /** Called with the fingerprint of a host key accepted because of `acceptNewHostKeys`. */
  onNewHostKey?: (host: HostEntry, fingerprint: string) => void;
  readyTimeoutMs: number;
  signal?: AbortSignal;
}

export type ConnectFailure =
  | 'host-key-unknown'
  | 'host-key-mismatch'
  | 'auth-failed'
  | 'unreachable'
  | 'timeout'
  | 'aborted';

/** Thrown by `connect` with a closed reason and a message fit for a user. */
export class ConnectError extends Error {
  readonly reason: ConnectFailure;
  readonly hostName: string;
  constructor(reason: ConnectFailure, hostName: string, message: string) {
    super(message);
    this.name = 'ConnectError';
    this.reason = reason;
    this.hostName = hostName;
  }
}

export interface ExecutorPlugin {
  readonly kind: HostEntry['executor'];
  connect(host: HostEntry, options: ConnectOptions): Promise<Executor>;
}
