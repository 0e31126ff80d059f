/**
 * Knowing the process group of a remote command. OpenSSH delivers a channel `signal` request with killpg to
 * the session's leader pid, but only while that process lives: when the login shell dies on SIGTERM and
 * leaves children that ignore it, a later SIGKILL request is dropped and the children run on. So each command
 * first reports its shell's pid (= its process group and session id, as sshd setsid()s the session) on stderr
 * behind a marker; the marker line is removed from the output, and `kill -s KILL -- -<pgid>` over a second
 * channel reaches the group whatever happened to the leader. Needs a POSIX login shell (sh, bash, dash, zsh, ksh).
 */

const MARKER = '\u001eym-pgid:';
// eslint-disable-next-line no-control-regex -- the marker starts with a record separator that no shell noise prints
const MARKER_PATTERN = /\u001eym-pgid:(\d+)\n/;
/** Give up looking for the marker after this much stderr (shell start-up noise before our first command). */
const SEARCH_LIMIT = 64 * 1024;

/** `command` preceded by the report of its shell's pid on stderr. */
export function withLeaderReport(command: string): string {
  return `printf '${MARKER.replace('\u001e', '\\036')}%s\\n' "$$" >&2; ${command}`;
}

export interface LeaderReportFilter {
  /** Feed raw stderr bytes; everything except the marker line is passed on. */
  write(chunk: Buffer): void;
  /** Passes on whatever is still held back. */
  end(): void;
  /** The command's process group id, once reported. */
  pgid(): number | undefined;
}

/** Strips the leader report from a stderr byte stream and remembers the pid it carried. */
export function leaderReportFilter(forward: (chunk: Buffer) => void): LeaderReportFilter {
  let held: Buffer | undefined = Buffer.alloc(0);
  let pgid: number | undefined;
  const release = (): void => {
    if (held !== undefined && held.length > 0) forward(held);
    held = undefined;
  };
  return {
    write(chunk) {
      if (held === undefined) {
        forward(chunk);
        return;
      }
      held = Buffer.concat([held, chunk]);
      const text = held.toString('latin1');
      const match = MARKER_PATTERN.exec(text);
      if (match !== null) {
        pgid = Number(match[1]);
        const before = held.subarray(0, match.index);
        const after = held.subarray(match.index + match[0].length);
        held = undefined;
        if (before.length > 0) forward(before);
        if (after.length > 0) forward(after);
        return;
      }
      if (held.length > SEARCH_LIMIT) release();
    },
    end: release,
    pgid: () => pgid,
  };
}
