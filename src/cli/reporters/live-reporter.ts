/** On a terminal: one progress line per host with its current stage, redrawn in place. */
import { STAGES, type HostOutcome, type ReleaseEvent } from '../../deploy/types.ts';
import type { Output, Reporter } from './reporter.ts';

interface HostLine {
  /** What the host is doing (a stage) or what became of it. */
  label: string;
  done: number;
  status: 'waiting' | 'running' | HostOutcome | 'rolling back';
  started: number;
  note: string;
}

const REDRAW_MS = 100;
const MARK: Record<string, string> = {
  waiting: '·',
  running: '▸',
  released: '✔',
  unchanged: '=',
  failed: '✘',
  rolled_back: '↺',
  aborted: '■',
  untouched: '·',
  'rolling back': '↺',
};

export function liveReporter(out: Output, columns: () => number = () => 100): Reporter {
  const hosts = new Map<string, HostLine>();
  let drawnLines = 0;
  let header = '';
  let timer: NodeJS.Timeout | null = null;

  const render = (): void => {
    const width = Math.max(40, columns());
    const nameWidth = Math.min(24, Math.max(4, ...[...hosts.keys()].map((name) => name.length)));
    const lines = [header];
    for (const [name, host] of hosts) {
      const elapsed =
        host.status === 'running' || host.status === 'rolling back'
          ? ` ${((performance.now() - host.started) / 1000).toFixed(1)}s`
          : '';
      const bar = `${'█'.repeat(host.done)}${'░'.repeat(STAGES.length - host.done)}`;
      const text = `${MARK[host.status] ?? ' '} ${name.padEnd(nameWidth)} ${bar} ${host.label.padEnd(11)}${elapsed} ${host.note}`;
      lines.push(text.length > width ? `${text.slice(0, width - 1)}…` : text);
    }
    const up = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
    out.write(`${up}${lines.map((text) => `\r\x1b[2K${text}`).join('\n')}\n`);
    drawnLines = lines.length;
  };
  const schedule = (): void => {
    timer ??= setTimeout(() => {
      timer = null;
      render();
    }, REDRAW_MS);
  };
  const host = (name: string): HostLine => {
    let found = hosts.get(name);
    if (!found) {
      found = { label: 'waiting', done: 0, status: 'waiting', started: performance.now(), note: '' };
      hosts.set(name, found);
    }
    return found;
  };

  return {
    onEvent(event: ReleaseEvent) {
      switch (event.type) {
        case 'release.started':
          header = `${event.app} ${event.version} → ${event.environment} (${event.releaseId})`;
          for (const name of event.batches.flat()) host(name);
          break;
        case 'host.started':
          Object.assign(host(event.host), { status: 'running', started: performance.now() });
          break;
        case 'stage.started':
          host(event.host).label = event.stage;
          break;
        case 'stage.finished': {
          const line = host(event.host);
          line.done = STAGES.indexOf(event.stage) + 1;
          if (event.result === 'failed') line.note = event.message ?? '';
          break;
        }
        case 'output':
          host(event.host).note = event.line.trim();
          break;
        case 'rollback.started':
          Object.assign(host(event.host), {
            status: 'rolling back',
            label: 'rollback',
            started: performance.now(),
            note: `to ${event.to ?? 'nothing'}`,
          });
          break;
        case 'host.finished':
          Object.assign(host(event.host), {
            status: event.report.outcome,
            label: event.report.outcome.replace('_', ' '),
            note: event.report.failure?.message ?? '',
          });
          break;
        case 'rollback.finished': {
          const line = host(event.host);
          if (line.status === 'rolling back') line.status = event.ok ? 'rolled_back' : 'failed';
          line.label = event.ok ? `back on ${event.to ?? 'nothing'}` : 'rollback failed';
          if (!event.ok) line.note = event.message ?? '';
          break;
        }
        case 'batch.started':
        case 'release.finished':
          break;
      }
      schedule();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      render();
    },
  };
}
