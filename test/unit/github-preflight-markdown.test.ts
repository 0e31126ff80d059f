/** The pre-flight's Markdown: the check run's per-host table, and the plan reply's section and its replacement. */
import { describe, expect, it } from 'vitest';
import {
  PREFLIGHT_SECTION_MARK,
  preflightCheckRun,
  preflightReplySection,
  withPreflightSection,
} from '../../src/github/preflight-markdown.ts';
import type { PreflightView } from '../../src/workorders/service/index.ts';

const DIGEST = 'f'.repeat(64);

function view(overrides: Partial<PreflightView> = {}): PreflightView {
  return {
    workOrderId: 7,
    digest: DIGEST,
    attempt: 2,
    status: 'failed',
    hosts: [
      {
        host: 'web-1',
        ok: true,
        checks: {
          connect: { ok: true, detail: 'connected, key SHA256:abc' },
          deploy_to: { ok: true, detail: 'yes' },
          disk: { ok: true, detail: '100 MiB free, 1.0 MiB needed' },
          tools: { ok: true, detail: 'all present' },
          current: { ok: true, detail: '1.0.0' },
          lock: { ok: true, detail: 'none' },
        },
      },
      {
        host: 'web-2',
        ok: false,
        checks: {
          connect: { ok: true, detail: 'connected' },
          lock: { ok: false, detail: 'held by another release: {"actor":"@acme/ops <script>|x`"}' },
        },
      },
      { host: 'web-3', ok: false, checks: { connect: { ok: false, detail: 'connect ECONNREFUSED 10.0.0.3:22' } } },
    ],
    message: null,
    requestedBy: 'dave',
    requestedAt: new Date('2026-12-01T10:00:00Z'),
    finishedAt: new Date('2026-12-01T10:00:05Z'),
    replyCommentId: null,
    ...overrides,
  };
}

describe('the pre-flight check run', () => {
  it('is a failure naming the failing hosts, with a row per host and inert details', () => {
    const run = preflightCheckRun(view());
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      completed_at: '2026-12-01T10:00:05.000Z',
    });
    expect(run.output?.title).toBe('pre-flight failed on web-2, web-3');
    const lines = run.output?.summary.split('\n') ?? [];
    expect(lines[0]).toBe(
      'Pre-flight of digest `ffffffffffff` (run 2, requested by dave): the check stage, read-only, on every host. Nothing was changed on the hosts.',
    );
    expect(lines.slice(2)).toEqual([
      '| Host | connect / key | deploy_to writable | free disk vs needed | tools | current release | lock |',
      '|---|---|---|---|---|---|---|',
      '| web-1 | ✅ <code>connected, key SHA256:abc</code> | ✅ <code>yes</code> | ✅ <code>100 MiB free, 1.0 MiB needed</code> | ✅ <code>all present</code> | ✅ <code>1.0.0</code> | ✅ <code>none</code> |',
      // A lock owner is what the host's file says: no HTML, no table break, no code span, no live mention.
      '| web-2 | ✅ <code>connected</code> | – | – | – | – | ❌ <code>held by another release: {"actor":"@acme/ops &lt;script&gt;\\|x\'"}</code> |',
      '| web-3 | ❌ <code>connect ECONNREFUSED 10.0.0.3:22</code> | – | – | – | – | – |',
    ]);
  });

  it('is a success when every host passed, and says why no host was checked when none was', () => {
    const passed = view({ status: 'passed', hosts: view().hosts.slice(0, 1) });
    expect(preflightCheckRun(passed)).toMatchObject({
      conclusion: 'success',
      output: { title: 'pre-flight passed on 1 host' },
    });
    const unchecked = preflightCheckRun(view({ hosts: [], message: 'package not found: /srv/pkgs/app.tgz' }));
    expect(unchecked.output?.title).toBe('pre-flight failed: package not found: /srv/pkgs/app.tgz');
    expect(unchecked.output?.summary).toContain('No host was checked: package not found: /srv/pkgs/app.tgz');
  });
});

describe('the plan reply section', () => {
  it('is appended after the reply, then replaced in place when the result arrives', () => {
    const reply = 'Plan v1 checked: shop 1.0.0 to staging.';
    const pending = withPreflightSection(reply, preflightReplySection(undefined));
    expect(pending).toBe(
      `${reply}\n\n${PREFLIGHT_SECTION_MARK}\n**Pre-flight:** ⏳ pending — the result comes as the check run \`yardmaster / preflight\` and here.`,
    );
    const failed = withPreflightSection(pending, preflightReplySection(view()));
    expect(
      failed.startsWith(
        `${reply}\n\n${PREFLIGHT_SECTION_MARK}\n**Pre-flight:** ❌ failed on web-2, web-3.\n\n| Host |`,
      ),
    ).toBe(true);
    expect(failed).toContain('Fix the hosts, then run `/preflight` again.');
    expect(failed.split(PREFLIGHT_SECTION_MARK)).toHaveLength(2);
    const passed = withPreflightSection(failed, preflightReplySection(view({ status: 'passed' })));
    expect(passed).toBe(`${reply}\n\n${PREFLIGHT_SECTION_MARK}\n**Pre-flight:** ✅ passed on 3 hosts.`);
  });
});
