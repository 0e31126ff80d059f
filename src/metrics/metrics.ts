/**
 * The process's Prometheus metrics (`/metrics`): webhook answers, releases by result, stage durations, environment
 * lock waits (from worker events), and queue depth (asked of pg-boss at each scrape). Counts only: no names of
 * people, repositories' contents or secrets.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerEvent } from '../dispatch/index.ts';

export interface Metrics {
  registry: Registry;
  /** Time to store a webhook delivery and answer, by event and what became of it. */
  webhookAnswered(event: string, outcome: string, seconds: number): void;
  /** A worker event sink: releases, stages, lock waits. */
  onWorkerEvent(event: WorkerEvent): void;
}

export function createMetrics(
  options: { queueDepth?: () => Promise<{ queue: string; queued: number; active: number }[]> } = {},
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'yardmaster_' });
  const webhook = new Histogram({
    name: 'yardmaster_webhook_answer_seconds',
    help: 'Time from a webhook delivery arriving to its answer (signature, parse, stored in the inbox)',
    labelNames: ['event', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const releases = new Counter({
    name: 'yardmaster_releases_total',
    help: 'Releases finished, by environment and result',
    labelNames: ['environment', 'status'],
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'yardmaster_stage_duration_seconds',
    help: 'Duration of a stage on one host, by stage and result',
    labelNames: ['stage', 'result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const lockWaits = new Counter({
    name: 'yardmaster_lock_waits_total',
    help: 'Starts that had to wait for an environment, by why',
    labelNames: ['reason'],
    registers: [registry],
  });
  const depth = options.queueDepth;
  if (depth !== undefined) {
    new Gauge({
      name: 'yardmaster_queue_jobs',
      help: 'Jobs in the queues, by queue and state (queued, active)',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        for (const entry of await depth()) {
          this.set({ queue: entry.queue, state: 'queued' }, entry.queued);
          this.set({ queue: entry.queue, state: 'active' }, entry.active);
        }
      },
    });
  }
  return {
    registry,
    webhookAnswered(event, outcome, seconds) {
      webhook.observe({ event, outcome }, seconds);
    },
    onWorkerEvent(event) {
      if (event.type === 'waiting') lockWaits.inc({ reason: event.reason });
      if (event.type !== 'release') return;
      const inner = event.event;
      if (inner.type === 'stage.finished')
        stages.observe({ stage: inner.stage, result: inner.result }, inner.durationMs / 1000);
      if (inner.type === 'release.finished')
        releases.inc({ environment: inner.result.environment, status: inner.result.status });
    },
  };
}
