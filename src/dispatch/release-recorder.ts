/**
 * Persists a release's engine events while it runs: stage starts and results (stage_events), each host's run
 * (host_runs) and, before the engine touches a host, what that host ran until then (recorder-rows.ts); output lines
 * in batches, within limits (recorder-output.ts). Events arrive synchronously from the engine; writes are chained in
 * order (write-chain.ts) and awaited by `flush()` before the release is finished.
 */
import { stageOutput } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import type { ReleaseEvent } from '../deploy/types.ts';
import {
  countDropped,
  createOutputBuffer,
  keepOutput,
  type OutputBuffer,
  summarizeDropped,
  summarizeUnended,
  takeOutputBatch,
} from './recorder-output.ts';
import { observeHost, type RecordedAttempt, writeReleaseEvent } from './recorder-rows.ts';
import { createWriteChain, enqueueWrite, settleWrites, type WriteChain } from './write-chain.ts';

export { OUTPUT_BYTES_KEPT, OUTPUT_LINES_KEPT } from './recorder-output.ts';

export interface ReleaseRecorder {
  /** The engine's event sink: records, then forwards. */
  sink: (event: ReleaseEvent) => void;
  /**
   * Records what `host` ran before this attempt touched it (a host_runs row with outcome `untouched` until the engine
   * reports the host). Awaited before the engine gets the host's connection, so a worker killed at any later point
   * leaves the version to return to in the database.
   */
  observe: (host: string, previousVersion: string | null) => Promise<void>;
  /** Counts output left out before it reached the recorder (a journal's `dropped` line) as dropped. */
  countDropped: (host: string, stage: string, lines: number, bytes: number) => void;
  /** Waits for every write so far; rejects with the first failed write. */
  flush(): Promise<void>;
}

export interface RecorderOptions {
  releaseId: string;
  attempt: number;
  forward: (event: ReleaseEvent) => void;
}

/** One recorder's state: the attempt it records, its writes in order, and the output not written yet. */
interface RecorderState {
  readonly db: Db;
  readonly recorded: RecordedAttempt;
  readonly writes: WriteChain;
  readonly output: OutputBuffer;
}

/** Queues one insert of whatever output is buffered when the write runs (lines arriving meanwhile join it). */
function queueOutputWrite(state: RecorderState): void {
  enqueueWrite(state.writes, async () => {
    const batch = takeOutputBatch(state.output);
    if (batch.length > 0) await state.db.insert(stageOutput).values(batch);
  });
}

/** An engine event into the write chain: output into the buffer, an ended stage's dropped count before its row. */
function recordEvent(state: RecorderState, event: ReleaseEvent): void {
  if (event.type === 'output') {
    if (keepOutput(state.output, event)) queueOutputWrite(state);
    return;
  }
  if (event.type === 'stage.finished' && summarizeDropped(state.output, event.host, event.stage))
    queueOutputWrite(state);
  if (event.type === 'rollback.finished' && summarizeDropped(state.output, event.host, 'rollback'))
    queueOutputWrite(state);
  enqueueWrite(state.writes, () => writeReleaseEvent(state.db, state.recorded, event));
}

export function createReleaseRecorder(db: Db, options: RecorderOptions): ReleaseRecorder {
  const { releaseId, attempt } = options;
  const state: RecorderState = {
    db,
    recorded: { releaseId, attempt },
    writes: createWriteChain(),
    output: createOutputBuffer(releaseId),
  };
  return {
    sink(event) {
      recordEvent(state, event);
      options.forward(event);
    },
    countDropped(host, stage, lines, bytes) {
      countDropped(state.output, host, stage, lines, bytes);
    },
    async observe(host, previousVersion) {
      await observeHost(db, state.recorded, host, previousVersion);
    },
    async flush() {
      // Stages that never reported their end (the release stopped inside them) still say what was dropped.
      if (summarizeUnended(state.output)) queueOutputWrite(state);
      await settleWrites(state.writes);
    },
  };
}
