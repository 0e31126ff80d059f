/** The lines `yardmaster hosts scan` prints: one per host, aligned, and a summary. */

/** One host's outcome: its key against the config's pin, or why it was not learned. */
export type ScannedHost = {
  name: string;
  address: string;
  port: number;
  /** The pin in the config, if any. */
  pinned?: string;
} & (
  | { status: 'new' | 'same' | 'different'; fingerprint: string }
  | { status: 'unreachable'; reason: string }
  | { status: 'local' }
);

function statusText(host: ScannedHost): string {
  switch (host.status) {
    case 'new':
      return 'new';
    case 'same':
      return 'same';
    case 'different':
      return `DIFFERENT (pinned ${host.pinned ?? '?'})`;
    case 'unreachable':
      return `unreachable: ${host.reason}`;
    case 'local':
      return 'skipped: local executor';
  }
}

export function formatHostScan(hosts: readonly ScannedHost[]): string {
  const rows = hosts.map((host) => [
    host.name,
    `${host.address}:${host.port}`,
    'fingerprint' in host ? host.fingerprint : '-',
    statusText(host),
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const lines = rows.map((row) =>
    row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  '),
  );
  const count = (status: ScannedHost['status']): number => hosts.filter((host) => host.status === status).length;
  const parts = [
    `${count('same')} same`,
    `${count('new')} new`,
    `${count('different')} DIFFERENT`,
    `${count('unreachable')} unreachable`,
  ];
  if (count('local') > 0) parts.push(`${count('local')} skipped`);
  lines.push(`${hosts.length} host(s): ${parts.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
