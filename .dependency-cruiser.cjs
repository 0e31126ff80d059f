/**
 * The import rules of src/, checked by `npm run lint:deps` (part of `npm test`). They are the layer rules of
 * docs/architecture.md ("Layers"); change both together. Test, bench and bin files may import anything.
 *
 * - no import cycles: none between folders, none between modules;
 * - a layer imports only the layers below it (a folder does not import its siblings in the same layer);
 * - another folder is reached through its index.ts or its types.ts, or through a public module named below.
 *
 * TypeScript is parsed with swc: the project's TypeScript 7.0 has no compiler API dependency-cruiser can use.
 * Type-only imports count like any other.
 */

/** Bottom first. A folder name stands for src/<name>/; `workorders` is the domain, without its service/. */
const LAYERS = [
  ['lib'],
  ['plan', 'http'],
  ['config'],
  ['executors', 'sandbox'],
  ['deploy'],
  ['db'],
  ['lanes'],
  ['policy'],
  ['workorders'],
  ['workorders/service'],
  ['dispatch'],
  ['github', 'notify'],
  ['runtime'],
  ['slack', 'web', 'metrics'],
  ['app.ts'],
  ['server'],
  ['main.ts', 'cli'],
];

/**
 * Modules other folders may import besides index.ts and types.ts. Every module of src/lib is public (small helpers
 * that import nothing of the project).
 */
const PUBLIC_MODULES = [
  '^src/lib/',
  // the closed word lists without drizzle: the domain takes its states from here
  '^src/db/vocabulary[.]ts$',
  // the one entrance of the dashboard (the server mounts it)
  '^src/web/start-dashboard[.]ts$',
  // loaded lazily by `yardmaster testdrive` only
  '^src/sandbox/sshd-fleet[.]ts$',
  // the Probot app function (server wires it)
  '^src/app[.]ts$',
];

// TEMPORARY issue-12 merge: known violations inside or into src/workorders and src/dispatch, which the lifecycle
// branch restructures (the service's lifecycle facade; dispatch imports only the service's index.ts). Each entry
// is [from, to]; the lead empties this section after merging that branch.
const TEMPORARY_KNOWN = {
  'no-circular': [
    ['src/dispatch/environment-lock.ts', 'src/dispatch/lock-waiters.ts'],
    ['src/dispatch/lock-waiters.ts', 'src/dispatch/environment-lock.ts'],
  ],
  'no-folder-cycles': [
    ['src/dispatch', 'src/workorders'],
    ['src/dispatch', 'src/workorders/service'],
    ['src/workorders', 'src/dispatch'],
    ['src/workorders/service', 'src/dispatch'],
    ['src/workorders/service', 'src/workorders'],
  ],
  layers: [
    ['src/workorders/service/commands/abort-command.ts', 'src/dispatch/abort-requests.ts'],
    ['src/workorders/service/commands/deploy-command.ts', 'src/dispatch/release-queues.ts'],
    ['src/workorders/service/commands/lock-commands.ts', 'src/dispatch/environment-lock.ts'],
    ['src/workorders/service/commands/rollback-command.ts', 'src/dispatch/abort-requests.ts'],
    ['src/workorders/service/commands/rollback-command.ts', 'src/dispatch/release-queues.ts'],
    ['src/workorders/service/start-jobs.ts', 'src/dispatch/lock-waiters.ts'],
    ['src/workorders/service/start-jobs.ts', 'src/dispatch/release-queues.ts'],
    ['src/workorders/service/status-summary.ts', 'src/dispatch/abort-requests.ts'],
    ['src/workorders/service/status-summary.ts', 'src/dispatch/environment-lock.ts'],
    ['src/workorders/service/status-summary.ts', 'src/dispatch/lock-waiters.ts'],
    ['src/workorders/service/types.ts', 'src/dispatch/release-queues.ts'],
  ],
  'through-index': [
    ['src/dispatch/abort-requests.ts', 'src/db/audit-log.ts'],
    ['src/dispatch/abort-requests.ts', 'src/workorders/service/audit-actions.ts'],
    ['src/dispatch/abort-requests.ts', 'src/workorders/service/audit-queries.ts'],
    ['src/dispatch/approved-hooks.ts', 'src/db/schema.ts'],
    ['src/dispatch/approved-hooks.ts', 'src/deploy/rollback-environment.ts'],
    ['src/dispatch/approved-hooks.ts', 'src/workorders/service/plan-store.ts'],
    ['src/dispatch/approved-settings.ts', 'src/config/release-settings.ts'],
    ['src/dispatch/approved-settings.ts', 'src/workorders/service/plan-store.ts'],
    ['src/dispatch/environment-lock.ts', 'src/db/schema.ts'],
    ['src/dispatch/execute-release.ts', 'src/deploy/retry-release.ts'],
    ['src/dispatch/execute-release.ts', 'src/deploy/run-release.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/db/schema.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/deploy/rollback-environment.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/workorders/service/apply-transition.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/workorders/service/audit-queries.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/workorders/service/order-store.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/workorders/service/plan-store.ts'],
    ['src/dispatch/execute-rollback.ts', 'src/workorders/service/release-store.ts'],
    ['src/dispatch/finish-run.ts', 'src/workorders/service/apply-transition.ts'],
    ['src/dispatch/finish-run.ts', 'src/workorders/service/audit-actions.ts'],
    ['src/dispatch/finish-run.ts', 'src/workorders/service/order-store.ts'],
    ['src/dispatch/job-db.ts', 'src/db/raw-rows.ts'],
    ['src/dispatch/lock-waiters.ts', 'src/db/raw-rows.ts'],
    ['src/dispatch/lock-waiters.ts', 'src/db/schema.ts'],
    ['src/dispatch/prepare-run.ts', 'src/config/release-settings.ts'],
    ['src/dispatch/prepare-run.ts', 'src/config/resolve-hosts.ts'],
    ['src/dispatch/prepare-run.ts', 'src/workorders/service/plan-store.ts'],
    ['src/dispatch/recording-connect.ts', 'src/deploy/release-layout.ts'],
    ['src/dispatch/recording-connect.ts', 'src/executors/shell-quote.ts'],
    ['src/dispatch/recover-hosts.ts', 'src/db/schema.ts'],
    ['src/dispatch/recover-hosts.ts', 'src/deploy/rollback-environment.ts'],
    ['src/dispatch/recover-hosts.ts', 'src/executors/shell-quote.ts'],
    ['src/dispatch/recover-hosts.ts', 'src/workorders/service/release-store.ts'],
    ['src/dispatch/release-recorder.ts', 'src/db/schema.ts'],
    ['src/dispatch/release-recorder.ts', 'src/workorders/service/plan-store.ts'],
    ['src/dispatch/resume-order.ts', 'src/db/audit-log.ts'],
    ['src/dispatch/resume-order.ts', 'src/workorders/service/audit-actions.ts'],
    ['src/dispatch/resume-order.ts', 'src/workorders/service/audit-queries.ts'],
    ['src/dispatch/resume-order.ts', 'src/workorders/service/order-store.ts'],
    ['src/dispatch/resume-order.ts', 'src/workorders/service/release-store.ts'],
    ['src/dispatch/rollback-job.ts', 'src/workorders/service/apply-transition.ts'],
    ['src/dispatch/rollback-job.ts', 'src/workorders/service/audit-queries.ts'],
    ['src/dispatch/rollback-job.ts', 'src/workorders/service/order-store.ts'],
    ['src/dispatch/rollback-request.ts', 'src/deploy/rollback-environment.ts'],
    ['src/dispatch/start-job.ts', 'src/deploy/run-release.ts'],
    ['src/dispatch/start-job.ts', 'src/workorders/service/apply-transition.ts'],
    ['src/dispatch/start-job.ts', 'src/workorders/service/order-policy.ts'],
    ['src/dispatch/start-job.ts', 'src/workorders/service/order-store.ts'],
    ['src/dispatch/start-job.ts', 'src/workorders/service/release-store.ts'],
    ['src/dispatch/start-job.ts', 'src/workorders/service/start-jobs.ts'],
    ['src/dispatch/stored-release.ts', 'src/db/schema.ts'],
    ['src/dispatch/stored-release.ts', 'src/deploy/retry-release.ts'],
    ['src/dispatch/stored-release.ts', 'src/workorders/service/plan-store.ts'],
    ['src/dispatch/stored-release.ts', 'src/workorders/service/release-store.ts'],
    ['src/dispatch/worker-events.ts', 'src/deploy/rollback-environment.ts'],
    ['src/github/handle-comment.ts', 'src/workorders/parse-command.ts'],
    ['src/github/handle-lane-comment.ts', 'src/workorders/roles.ts'],
    ['src/github/handle-review.ts', 'src/workorders/review-verdict.ts'],
    ['src/github/handle-review.ts', 'src/workorders/service/plan-store.ts'],
    ['src/github/repo-config.ts', 'src/dispatch/worker-context.ts'],
    ['src/github/report-worker-events.ts', 'src/dispatch/worker-events.ts'],
    ['src/github/team-membership.ts', 'src/workorders/roles.ts'],
    ['src/github/work-order-replies.ts', 'src/workorders/service/plan-summary.ts'],
    ['src/metrics/metrics.ts', 'src/dispatch/worker-events.ts'],
    ['src/notify/notify-dispatcher.ts', 'src/dispatch/worker-context.ts'],
    ['src/notify/start-notifications.ts', 'src/dispatch/worker-context.ts'],
    ['src/runtime/open-runtime.ts', 'src/dispatch/queue.ts'],
    ['src/runtime/runtime-queues.ts', 'src/dispatch/release-queues.ts'],
    ['src/runtime/start-process-workers.ts', 'src/dispatch/worker-events.ts'],
    ['src/runtime/start-workers.ts', 'src/dispatch/release-worker.ts'],
    ['src/runtime/start-workers.ts', 'src/dispatch/worker-events.ts'],
    ['src/runtime/with-event-sink.ts', 'src/dispatch/worker-events.ts'],
    ['src/runtime/worker-event-log.ts', 'src/dispatch/worker-events.ts'],
    ['src/slack/approval-blocks.ts', 'src/workorders/service/plan-summary.ts'],
    ['src/slack/plan-command-blocks.ts', 'src/workorders/service/plan-summary.ts'],
    ['src/slack/report-worker-events.ts', 'src/dispatch/worker-events.ts'],
    ['src/slack/report-worker-events.ts', 'src/workorders/service/plan-store.ts'],
    ['src/slack/status-scope.ts', 'src/dispatch/worker-context.ts'],
    ['src/slack/types.ts', 'src/dispatch/worker-context.ts'],
    ['src/workorders/freeze-window.ts', 'src/plan/closest-match.ts'],
    ['src/workorders/parse-command.ts', 'src/plan/closest-match.ts'],
    ['src/workorders/parse-command.ts', 'src/plan/field-schemas.ts'],
    ['src/workorders/service/apply-transition.ts', 'src/db/audit-log.ts'],
    ['src/workorders/service/apply-transition.ts', 'src/db/schema.ts'],
    ['src/workorders/service/approval-snapshot.ts', 'src/config/resolve-hosts.ts'],
    ['src/workorders/service/approvals-store.ts', 'src/db/schema.ts'],
    ['src/workorders/service/audit-queries.ts', 'src/db/schema.ts'],
    ['src/workorders/service/commands/abort-command.ts', 'src/dispatch/abort-requests.ts'],
    ['src/workorders/service/commands/deploy-command.ts', 'src/db/audit-log.ts'],
    ['src/workorders/service/commands/deploy-command.ts', 'src/dispatch/release-queues.ts'],
    ['src/workorders/service/commands/lock-commands.ts', 'src/db/audit-log.ts'],
    ['src/workorders/service/commands/lock-commands.ts', 'src/dispatch/environment-lock.ts'],
    ['src/workorders/service/commands/rollback-command.ts', 'src/dispatch/abort-requests.ts'],
    ['src/workorders/service/commands/rollback-command.ts', 'src/dispatch/release-queues.ts'],
    ['src/workorders/service/fleet-status.ts', 'src/db/schema.ts'],
    ['src/workorders/service/open-work-order.ts', 'src/db/audit-log.ts'],
    ['src/workorders/service/open-work-order.ts', 'src/db/schema.ts'],
    ['src/workorders/service/order-policy.ts', 'src/config/find-environment.ts'],
    ['src/workorders/service/order-store.ts', 'src/db/schema.ts'],
    ['src/workorders/service/plan-store.ts', 'src/db/schema.ts'],
    ['src/workorders/service/plan-store.ts', 'src/plan/digest.ts'],
    ['src/workorders/service/plan-store.ts', 'src/plan/parse-plan.ts'],
    ['src/workorders/service/plan-summary.ts', 'src/deploy/rollout-plan.ts'],
    ['src/workorders/service/record-verdict.ts', 'src/db/audit-log.ts'],
    ['src/workorders/service/release-store.ts', 'src/db/schema.ts'],
    ['src/workorders/service/start-approved-order.ts', 'src/db/schema.ts'],
    ['src/workorders/service/start-jobs.ts', 'src/db/schema.ts'],
    ['src/workorders/service/start-jobs.ts', 'src/dispatch/lock-waiters.ts'],
    ['src/workorders/service/start-jobs.ts', 'src/dispatch/release-queues.ts'],
    ['src/workorders/service/status-summary.ts', 'src/dispatch/abort-requests.ts'],
    ['src/workorders/service/status-summary.ts', 'src/dispatch/environment-lock.ts'],
    ['src/workorders/service/status-summary.ts', 'src/dispatch/lock-waiters.ts'],
    ['src/workorders/service/submit-plan.ts', 'src/config/release-settings.ts'],
    ['src/workorders/service/submit-plan.ts', 'src/config/resolve-hosts.ts'],
    ['src/workorders/service/submit-plan.ts', 'src/db/audit-log.ts'],
    ['src/workorders/service/submit-plan.ts', 'src/db/schema.ts'],
    ['src/workorders/service/submit-plan.ts', 'src/plan/digest.ts'],
    ['src/workorders/service/submit-plan.ts', 'src/plan/parse-plan-from-comment.ts'],
    ['src/workorders/service/types.ts', 'src/db/schema.ts'],
    ['src/workorders/service/types.ts', 'src/dispatch/release-queues.ts'],
  ],
};
// end of TEMPORARY issue-12 merge

function unitPath(unit) {
  if (unit.endsWith('.ts')) return `^src/${unit.replace('.', '[.]')}$`;
  if (unit === 'workorders') return '^src/workorders/(?!service/)';
  return `^src/${unit}/`;
}

function exactPath(path) {
  const [, top, rest] = /^src\/([^/]+)\/(.*)$/.exec(path) ?? [];
  const escaped = (text) => text.replace(/[.]/g, '[.]');
  return top === undefined ? `^${escaped(path)}$` : `^src/(${top})/${escaped(rest)}$`;
}

/** `rule`, except for the pairs in `known`: one rule for the other sources, one per known source. */
function exceptKnown(rule, known) {
  const fromPaths = [rule.from.path ?? []].flat().map((path) => new RegExp(path));
  const applies = (source) => fromPaths.length === 0 || fromPaths.some((path) => path.test(source));
  const targetsBySource = new Map();
  for (const [from, to] of known.filter(([from]) => applies(from))) {
    targetsBySource.set(from, [...(targetsBySource.get(from) ?? []), to]);
  }
  const sources = [...targetsBySource.keys()];
  const pathNot = (part, extra) => [...[part.pathNot ?? []].flat(), ...extra];
  return [
    { ...rule, from: { ...rule.from, pathNot: pathNot(rule.from, sources.map(exactPath)) } },
    ...sources.map((source) => ({
      ...rule,
      from: { ...rule.from, path: exactPath(source) },
      to: { ...rule.to, pathNot: pathNot(rule.to, targetsBySource.get(source).map(exactPath)) },
    })),
  ];
}

const layerRules = LAYERS.flatMap((layer, index) =>
  layer.map((unit) => ({
    name: 'layers',
    comment: `${unit} imports only the layers below it (docs/architecture.md, "Layers")`,
    severity: 'error',
    from: { path: unitPath(unit) },
    to: {
      path: [...LAYERS.slice(index + 1).flat(), ...layer.filter((other) => other !== unit)].map(unitPath),
    },
  })),
);

const INTERFACE_MODULES = ['^src/[^/]+/(index|types)[.]ts$', '^src/workorders/service/(index|types)[.]ts$'];

module.exports = {
  forbidden: [
    ...exceptKnown(
      {
        name: 'no-circular',
        comment: 'modules do not import each other, directly or through others',
        severity: 'error',
        from: {},
        to: { circular: true },
      },
      TEMPORARY_KNOWN['no-circular'],
    ),
    ...exceptKnown(
      {
        name: 'no-folder-cycles',
        comment: 'folders do not import each other, directly or through others',
        severity: 'error',
        scope: 'folder',
        from: {},
        to: { circular: true },
      },
      TEMPORARY_KNOWN['no-folder-cycles'],
    ),
    ...layerRules.flatMap((rule) => exceptKnown(rule, TEMPORARY_KNOWN.layers)),
    ...exceptKnown(
      {
        name: 'through-index',
        comment: "another folder is reached through its index.ts, its types.ts or a public module",
        severity: 'error',
        from: { path: '^src/([^/]+)/' },
        to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', ...INTERFACE_MODULES, ...PUBLIC_MODULES] },
      },
      TEMPORARY_KNOWN['through-index'],
    ),
    {
      name: 'through-index',
      comment: "the entry files (main.ts, app.ts) reach folders through their index.ts, types.ts or public modules",
      severity: 'error',
      from: { path: '^src/[^/]+[.]ts$' },
      to: { path: '^src/[^/]+/', pathNot: [...INTERFACE_MODULES, ...PUBLIC_MODULES] },
    },
    {
      name: 'not-own-index',
      comment: "a folder's modules import each other directly: its index.ts is for other folders (else: cycles)",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: ['^src/$1/index[.]ts$', '^src/$1/[^/]+/index[.]ts$'] },
    },
    {
      name: 'domain-without-adapters',
      comment: 'the domain (plan, workorders, deploy, lanes) never imports Probot, Bolt or ssh2',
      severity: 'error',
      from: { path: ['^src/plan/', '^src/workorders/', '^src/deploy/', '^src/lanes/'] },
      to: { path: 'node_modules/(probot|@slack/bolt|ssh2)/' },
    },
  ],
  options: {
    parser: 'swc',
    includeOnly: { path: ['^src/', 'node_modules/(probot|@slack/bolt|ssh2)/'] },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
