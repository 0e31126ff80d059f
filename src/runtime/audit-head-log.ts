/**
 * Writes the audit chain's head (`<id>:<hash>`) to the process log at start and then periodically when it moved,
 * so a copy lives outside the database: `yardmaster audit verify --head <id>:<hash>` later tells whether that row is
 * still in the chain with that hash (rows cut off the end, or a rewritten tail, are caught).
 */
import { auditHead, formatAuditHead } from '../db/index.ts';
import type { DbExecutor } from '../db/types.ts';

/** How often the head is looked at (it is logged only when it moved). */
export const AUDIT_HEAD_LOG_INTERVAL_MS = 10 * 60_000;

export interface AuditHeadLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Starts logging; `stop()` ends the timer (it never keeps the process alive). */
export function startAuditHeadLog(
  db: DbExecutor,
  log: AuditHeadLog,
  intervalMs: number = AUDIT_HEAD_LOG_INTERVAL_MS,
): { stop(): void } {
  let last: string | undefined;
  let running = false;
  const record = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const head = await auditHead(db);
      const text = head === null ? 'empty' : formatAuditHead(head);
      if (text !== last) log.info({ auditHead: text }, 'audit head');
      last = text;
    } catch (error) {
      log.error({ err: error }, 'cannot read the audit head');
    } finally {
      running = false;
    }
  };
  void record();
  const timer = setInterval(() => void record(), intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
