/** When each plan stage runs on a host, in words for the people who approve a plan (see docs/architecture.md). */
import type { StageName } from './types.ts';

const WHEN: Readonly<Partial<Record<StageName, string>>> = {
  check: 'before anything changes on the host',
  pre_deploy: 'in the new release directory, before the switch',
  post_deploy: 'after the switch (and again after a rollback)',
  health: 'until it passes; a failure rolls the host back',
  release: 'once health passes',
  monitor: 'any failure rolls the host back',
};

/** E.g. "before anything changes on the host"; empty for the built-in stages. */
export function whenStageRuns(stage: StageName): string {
  return WHEN[stage] ?? '';
}
