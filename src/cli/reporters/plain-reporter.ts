/** Plain log lines, for pipes and CI logs. */
import type { ReleaseEvent } from '../../deploy/types.ts';
import type { Output, Reporter } from './reporter.ts';

function line(event: ReleaseEvent): string | null {
  switch (event.type) {
    case 'release.started':
      return `release ${event.releaseId}: ${event.app} ${event.version} to ${event.environment}, batches: ${event.batches.map((batch) => batch.join(' ')).join(' | ')}`;
    case 'batch.started':
      return `batch ${event.batch + 1}: ${event.hosts.join(', ')}`;
    case 'host.started':
      return null;
    case 'stage.started':
      return null;
    case 'output':
      return `[${event.host}] ${event.stage} | ${event.line}`;
    case 'stage.finished':
      if (event.result === 'skipped') return null;
      return `[${event.host}] ${event.stage} ${event.result} (${event.durationMs} ms)${event.message ? `: ${event.message}` : ''}`;
    case 'host.finished':
      return `[${event.host}] ${event.report.outcome} (${event.report.durationMs} ms)`;
    case 'rollback.started':
      return `[${event.host}] rolling back to ${event.to ?? 'nothing (no previous release)'}`;
    case 'rollback.finished':
      return `[${event.host}] rollback ${event.ok ? 'done' : 'FAILED'}${event.message ? `: ${event.message}` : ''}`;
    case 'release.finished':
      return null;
  }
}

export function plainReporter(out: Output): Reporter {
  // The engine finishes a failed host again after rolling it back (its report gains the rollback); the rollback
  // has its own line, so a host's outcome is printed again only when it changed.
  const outcomes = new Map<string, string>();
  return {
    onEvent: (event) => {
      if (event.type === 'host.finished') {
        if (outcomes.get(event.host) === event.report.outcome) return;
        outcomes.set(event.host, event.report.outcome);
      }
      const text = line(event);
      if (text !== null) out.write(`${text}\n`);
    },
    close: () => {
      /* every line is written as it comes: nothing to flush */
    },
  };
}
