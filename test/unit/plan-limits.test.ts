import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLongTimeout, MAX_TIMER_MS } from '../../src/lib/long-timeout.ts';
import { formatIssues } from '../../src/plan/format-issues.ts';
import { MAX_PLAN_BYTES, parsePlan } from '../../src/plan/parse-plan.ts';

const BASE = [
  'app: shop',
  'environment: production',
  'version: 1.0.0',
  'package:',
  '  url: https://artifacts.example.com/shop.tar.gz',
  `  sha256: ${'a'.repeat(64)}`,
];

/** The errors of a plan made of the base fields and `extra` lines, one string. */
function errorsOf(...extra: string[]): string {
  const parsed = parsePlan([...BASE, ...extra].join('\n'));
  return parsed.ok ? '' : formatIssues(parsed.issues);
}

describe('plan limits', () => {
  it('takes durations up to 24h', () => {
    const parsed = parsePlan(
      [...BASE, 'command_timeout: 24h', 'strategy: { mode: batches, batch_size: 1, pause: 23h59m }'].join('\n'),
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.commandTimeoutMs).toBe(24 * 3_600_000);
  });

  it('refuses every duration above 24h, naming the field and line', () => {
    expect(errorsOf('command_timeout: 24h1ms')).toBe(
      'line 7, column 1, command_timeout: expected a duration of at most 24h (got 24h1ms)',
    );
    expect(errorsOf('strategy: { mode: batches, batch_size: 1, pause: 600h }')).toMatch(
      /^line 7, column \d+, strategy\.pause: expected a duration of at most 24h \(got 600h\)$/,
    );
    expect(errorsOf('commands:', '  health: { command: "true", interval: 25h }')).toMatch(
      /commands\.health\.interval: expected a duration of at most 24h/,
    );
    expect(errorsOf('commands:', '  monitor: { command: "true", duration: 48h }')).toMatch(
      /commands\.monitor\.duration: expected a duration of at most 24h/,
    );
    expect(errorsOf('commands:', '  health: { command: "true", retries: 10000, interval: 1h }')).toMatch(
      /commands\.health\.retries: retries × interval may wait at most 24h in all \(10000 tries 1h apart wait 9999h\)/,
    );
    expect(errorsOf('commands:', '  health: { command: "true", retries: 25, interval: 1h }')).toBe('');
  });

  it('bounds the plan size, commands per stage, command length and host names', () => {
    expect(errorsOf(`#${'x'.repeat(MAX_PLAN_BYTES)}`)).toMatch(/^the plan is \d+ bytes long; at most 65536 are read$/);
    expect(errorsOf(`commands: { check: [${Array.from({ length: 101 }, () => '"true"').join(', ')}] }`)).toMatch(
      /commands\.check: expected at most 100 commands/,
    );
    expect(errorsOf(`commands: { check: ["${'x'.repeat(16 * 1024 + 1)}"] }`)).toMatch(
      /commands\.check\[0\]: expected a command of at most 16384 characters/,
    );
    expect(errorsOf(`hosts: [${Array.from({ length: 1001 }, (_, index) => `h${index}`).join(', ')}]`)).toMatch(
      /hosts: expected at most 1000 names/,
    );
  });
});

describe('setLongTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits past setTimeout’s limit by chaining timers, and can be cleared', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const cleared = vi.fn();
    setLongTimeout(fired, MAX_TIMER_MS + 10);
    const timer = setLongTimeout(cleared, MAX_TIMER_MS * 3);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10);
    expect(fired).toHaveBeenCalledOnce();
    timer.clear();
    vi.advanceTimersByTime(MAX_TIMER_MS * 3);
    expect(cleared).not.toHaveBeenCalled();
  });

  it('treats Infinity and NaN as never, and a negative delay as now', () => {
    vi.useFakeTimers();
    const never = vi.fn();
    const now = vi.fn();
    setLongTimeout(never, Number.POSITIVE_INFINITY);
    setLongTimeout(never, Number.NaN);
    setLongTimeout(now, -5);
    vi.advanceTimersByTime(MAX_TIMER_MS * 2);
    expect(never).not.toHaveBeenCalled();
    expect(now).toHaveBeenCalledOnce();
  });
});
