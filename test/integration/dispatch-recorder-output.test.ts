/**
 * The release recorder keeps at most 1,000 lines and 1 MiB of output per host and stage, in order from the stage's
 * beginning; past either it stores one row saying so and, when the stage ends (or the release stops inside it), one
 * counting the lines and bytes dropped. Other hosts and stages keep their own allowance.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releases, stageOutput } from '../../src/db/schema.ts';
import { MAX_LINE_BYTES } from '../../src/deploy/output-lines.ts';
import type { ReleaseEvent } from '../../src/deploy/types.ts';
import { createReleaseRecorder, OUTPUT_BYTES_KEPT, OUTPUT_LINES_KEPT } from '../../src/dispatch/release-recorder.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

let test: TestDatabase;

beforeAll(async () => {
  test = await openTestDatabase('pglite');
});

afterAll(async () => {
  await test?.cleanup();
});

async function recorded(
  releaseId: string,
  emit: (sink: (event: ReleaseEvent) => void) => void,
): Promise<{ host: string; stage: string; line: string }[]> {
  await test.database.db.insert(releases).values({
    releaseId,
    repoFullName: 'acme/shop',
    app: 'shop',
    environment: 'production',
    version: '1.0.0',
    status: 'running',
  });
  const recorder = createReleaseRecorder(test.database.db, {
    releaseId,
    attempt: 1,
    forward: () => {
      /* only the stored output is checked */
    },
  });
  emit((event) => {
    recorder.sink(event);
  });
  await recorder.flush();
  const rows = await test.database.db
    .select()
    .from(stageOutput)
    .where(eq(stageOutput.releaseId, releaseId))
    .orderBy(asc(stageOutput.id));
  return rows.map((row) => ({ host: row.host, stage: row.stage, line: row.line }));
}

const output = (releaseId: string, host: string, stage: 'check' | 'post_deploy', line: string): ReleaseEvent => ({
  type: 'output',
  releaseId,
  host,
  stage,
  stream: 'stdout',
  line,
});

describe('release recorder: stored output', () => {
  it('stops at 1,000 lines per host and stage and counts the rest when the stage ends', async () => {
    const rows = await recorded('rel-lines', (sink) => {
      for (let index = 0; index < OUTPUT_LINES_KEPT + 250; index++)
        sink(output('rel-lines', 'web-1', 'check', `line ${index}`));
      sink({
        type: 'stage.finished',
        releaseId: 'rel-lines',
        host: 'web-1',
        stage: 'check',
        result: 'ok',
        durationMs: 5,
      });
      sink(output('rel-lines', 'web-2', 'check', 'other host'));
    });
    const web1 = rows.filter((row) => row.host === 'web-1').map((row) => row.line);
    expect(web1).toHaveLength(OUTPUT_LINES_KEPT + 2);
    expect(web1[OUTPUT_LINES_KEPT - 1]).toBe(`line ${OUTPUT_LINES_KEPT - 1}`);
    expect(web1[OUTPUT_LINES_KEPT]).toMatch(
      /^… more output of this stage is not kept \(only the first 1000 lines and 1048576 bytes are\)$/,
    );
    const dropped = Array.from({ length: 250 }, (_, index) =>
      Buffer.byteLength(`line ${OUTPUT_LINES_KEPT + index}`),
    ).reduce((a, b) => a + b, 0);
    expect(web1[OUTPUT_LINES_KEPT + 1]).toBe(`… 250 more lines (${dropped} bytes) of this stage were not kept`);
    expect(rows.filter((row) => row.host === 'web-2').map((row) => row.line)).toEqual(['other host']);
  });

  it('stops at 1 MiB, keeps nothing after the first line it drops, and counts at the end of a release stopped mid-stage', async () => {
    const big = 'b'.repeat(MAX_LINE_BYTES);
    const rows = await recorded('rel-bytes', (sink) => {
      for (let index = 0; index < 20; index++) sink(output('rel-bytes', 'web-1', 'post_deploy', big));
      sink(output('rel-bytes', 'web-1', 'post_deploy', 'short, but after the cut'));
      sink(output('rel-bytes', 'web-1', 'check', 'NUL \u0000 here'));
    });
    const post = rows.filter((row) => row.stage === 'post_deploy').map((row) => row.line);
    const kept = Math.floor(OUTPUT_BYTES_KEPT / MAX_LINE_BYTES);
    expect(post.slice(0, kept)).toEqual(Array.from({ length: kept }, () => big));
    expect(post.slice(kept)).toEqual([
      expect.stringMatching(/^… more output of this stage is not kept/),
      `… ${20 - kept + 1} more lines (${(20 - kept) * MAX_LINE_BYTES + Buffer.byteLength('short, but after the cut')} bytes) of this stage were not kept`,
    ]);
    expect(rows.filter((row) => row.stage === 'check').map((row) => row.line)).toEqual(['NUL \uFFFD here']);
  });
});
