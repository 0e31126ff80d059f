/** `/metrics` over HTTP: worker events become release, stage and lock-wait series; queue depth is asked at scrape. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { metricsHandler } from '../../src/metrics/metrics-route.ts';
import { parseMetricsToken } from '../../src/metrics/metrics-token.ts';

describe('/metrics', () => {
  it('serves releases, stage durations, lock waits, webhook answers and queue depth in Prometheus format', async () => {
    let scrapes = 0;
    const metrics = createMetrics({
      queueDepth: () => {
        scrapes++;
        return Promise.resolve([{ queue: 'release.start', queued: 3, active: 1 }]);
      },
    });
    metrics.webhookAnswered('issue_comment', 'queued', 0.004);
    metrics.onWorkerEvent({
      type: 'waiting',
      workOrderId: 1,
      reason: 'held',
      message: 'x',
      position: 1,
      retryAt: new Date(),
    });
    metrics.onWorkerEvent({
      type: 'release',
      workOrderId: 1,
      event: {
        type: 'stage.finished',
        releaseId: 'r',
        host: 'web-1',
        stage: 'fetch',
        result: 'ok',
        durationMs: 1500,
        exitCode: 0,
      },
    });
    metrics.onWorkerEvent({
      type: 'release',
      workOrderId: 1,
      event: {
        type: 'release.finished',
        releaseId: 'r',
        result: {
          releaseId: 'r',
          app: 'shop',
          environment: 'production',
          version: '1',
          status: 'succeeded',
          hosts: [],
          durationMs: 10,
        },
      },
    });
    const server = createServer((request, response) => void metricsHandler(metrics)(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('yardmaster_releases_total{environment="production",status="succeeded"} 1');
      expect(text).toContain('yardmaster_stage_duration_seconds_bucket{le="2.5",stage="fetch",result="ok"} 1');
      expect(text).toContain('yardmaster_lock_waits_total{reason="held"} 1');
      expect(text).toContain('yardmaster_webhook_answer_seconds_count{event="issue_comment",outcome="queued"} 1');
      expect(text).toContain('yardmaster_queue_jobs{queue="release.start",state="queued"} 3');
      expect(text).toContain('yardmaster_queue_jobs{queue="release.start",state="active"} 1');
      expect(text).toContain('yardmaster_process_cpu_user_seconds_total');
      expect(scrapes).toBe(1);
      const post = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, {
        method: 'POST',
      });
      expect(post.status).toBe(405);
    } finally {
      server.close();
    }
  });

  it('asks for the bearer token when one is set, compared whole (no prefix, no other scheme)', async () => {
    const token = 'scrape-token-0123456789';
    const server = createServer(
      (request, response) => void metricsHandler(createMetrics(), { token })(request, response),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const status = async (authorization?: string): Promise<number> =>
      (await fetch(url, authorization === undefined ? {} : { headers: { authorization } })).status;
    try {
      expect(await status()).toBe(401);
      expect(await status(`Bearer ${token.slice(0, -1)}`)).toBe(401);
      expect(await status(`Bearer ${token}x`)).toBe(401);
      expect(await status(`Token ${token}`)).toBe(401);
      expect(await status('Bearer ')).toBe(401);
      expect(await status(`Bearer ${token}`)).toBe(200);
      expect(await status(`bearer ${token}`)).toBe(200);
    } finally {
      server.close();
    }
    expect(parseMetricsToken({})).toEqual({ ok: true, token: undefined });
    expect(parseMetricsToken({ YARDMASTER_METRICS_TOKEN: '' })).toEqual({ ok: true, token: undefined });

    expect(parseMetricsToken({ YARDMASTER_METRICS_TOKEN: 'short' })).toMatchObject({
      ok: false,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      problem: expect.stringMatching(/at least 16/),
    });
    expect(parseMetricsToken({ YARDMASTER_METRICS_TOKEN: 'has a space in it, sixteen+' })).toMatchObject({ ok: false });
  });
});
