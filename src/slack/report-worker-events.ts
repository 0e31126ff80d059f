/**
 * Worker events → Slack, for orders that have an approval message: the message follows the order's state, and the
 * release's progress goes to its thread (one reply per stage across hosts, updated at most once a second, and a
 * final reply with the outcome). Events of one order are handled in order; Slack failures are logged, never thrown
 * into the worker.
 */
import type { ReleaseEvent, StageName } from '../deploy/types.ts';
import type { WorkerEvent } from '../dispatch/index.ts';
import { createKeyedSerialRunner } from '../lib/keyed-serial-runner.ts';
import { orderUrl } from '../lib/order-url.ts';
import { currentPlanVersion } from '../workorders/service/index.ts';
import { outcomeReply, stageReplyText, type HostProgress } from './progress-blocks.ts';
import { approvalMessageOf, type ApprovalMessageSync } from './sync-approval-message.ts';
import type { SlackDeps } from './types.ts';

interface StageReply {
  ts: string | undefined;
  hosts: Map<string, HostProgress>;
  dirty: boolean;
  timer: NodeJS.Timeout | undefined;
  lastFlush: number;
}

interface OrderThread {
  thread: { channel: string; ts: string } | undefined;
  releaseId: string | undefined;
  stages: Map<StageName, StageReply>;
}

export interface SlackReporter {
  (event: WorkerEvent): void;
  idle(): Promise<void>;
}

export function createSlackReporter(
  deps: SlackDeps,
  sync: ApprovalMessageSync,
  flushIntervalMs = 1_000,
): SlackReporter {
  const orders = new Map<number, OrderThread>();
  // Events of one order in order; orders side by side. Each step logs its own failure, with the order.
  const runner = createKeyedSerialRunner(Number.MAX_SAFE_INTEGER, () => undefined);

  function enqueue(workOrderId: number, step: (order: OrderThread) => Promise<void>): void {
    let order = orders.get(workOrderId);
    if (order === undefined) {
      order = { thread: undefined, releaseId: undefined, stages: new Map() };
      orders.set(workOrderId, order);
    }
    const current = order;
    runner.add(String(workOrderId), () =>
      step(current).catch((error: unknown) => {
        deps.log.warn({ err: error, workOrderId }, 'Slack progress report failed');
      }),
    );
  }

  async function flush(order: OrderThread, stage: StageName, reply: StageReply): Promise<void> {
    if (reply.timer !== undefined) clearTimeout(reply.timer);
    reply.timer = undefined;
    if (!reply.dirty || order.thread === undefined) return;
    reply.dirty = false;
    reply.lastFlush = Date.now();
    const text = stageReplyText(stage, reply.hosts);
    if (reply.ts === undefined) {
      const posted = await deps.slack.chat.postMessage({
        channel: order.thread.channel,
        thread_ts: order.thread.ts,
        text,
      });
      reply.ts = posted.ts;
    } else {
      await deps.slack.chat.update({
        channel: order.thread.channel,
        ts: reply.ts,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      });
    }
  }

  function touch(
    workOrderId: number,
    order: OrderThread,
    stage: StageName,
    host: string,
    progress: HostProgress,
  ): void {
    let reply = order.stages.get(stage);
    if (reply === undefined) {
      reply = { ts: undefined, hosts: new Map(), dirty: false, timer: undefined, lastFlush: 0 };
      order.stages.set(stage, reply);
    }
    reply.hosts.set(host, progress);
    reply.dirty = true;
    if (reply.timer !== undefined) return;
    const current = reply;
    const wait = Math.max(0, current.lastFlush + flushIntervalMs - Date.now());
    current.timer = setTimeout(() => {
      enqueue(workOrderId, () => flush(order, stage, current));
    }, wait);
    current.timer.unref();
  }

  async function onRelease(workOrderId: number, order: OrderThread, event: ReleaseEvent): Promise<void> {
    if (event.type === 'release.started') {
      const version = await currentPlanVersion(deps.service.db, workOrderId);
      order.thread = version === undefined ? undefined : await approvalMessageOf(deps, workOrderId, version.digest);
      order.releaseId = event.releaseId;
      order.stages = new Map();
      if (order.thread !== undefined) {
        const batches = event.batches.map((batch) => batch.join(', ')).join(' → ');
        await deps.slack.chat.postMessage({
          channel: order.thread.channel,
          thread_ts: order.thread.ts,
          text: `🚀 Releasing ${event.version} to ${event.environment}: ${batches}`,
        });
      }
      return;
    }
    if (order.thread === undefined || event.releaseId !== order.releaseId) return;
    switch (event.type) {
      case 'stage.started':
        touch(workOrderId, order, event.stage, event.host, {
          result: 'running',
          durationMs: undefined,
          message: undefined,
        });
        return;
      case 'stage.finished':
        touch(workOrderId, order, event.stage, event.host, {
          result: event.result,
          durationMs: event.durationMs,
          message: event.message,
        });
        return;
      case 'release.finished': {
        for (const [stage, reply] of order.stages) await flush(order, stage, reply);
        const reply = outcomeReply(workOrderId, event.result, orderUrl(deps.publicUrl, workOrderId));
        await deps.slack.chat.postMessage({
          channel: order.thread.channel,
          thread_ts: order.thread.ts,
          text: reply.text,
          blocks: reply.blocks,
        });
        return;
      }
      default:
        return;
    }
  }

  const reporter = (event: WorkerEvent): void => {
    const workOrderId = event.workOrderId;
    if (workOrderId === null) return;
    if (event.type === 'transition' || event.type === 'preflight') sync(workOrderId);
    if (event.type === 'release') enqueue(workOrderId, (order) => onRelease(workOrderId, order, event.event));
  };
  reporter.idle = async (): Promise<void> => {
    await runner.idle();
    await sync.idle();
  };
  return reporter;
}
