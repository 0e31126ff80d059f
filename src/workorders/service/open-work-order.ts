/** Opening a work order: a `work-order` issue, or `/deploy <env>` on a pull request. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { appendAudit, workOrders } from '../../db/index.ts';
import type { Tx } from '../../db/types.ts';
import type { WorkOrderKind } from '../../db/vocabulary.ts';
import { authorize, type Action } from '../authorize.ts';
import type { WorkOrderState } from '../types.ts';
import { authorizationContextFor } from './order-policy.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import type { RepoContext, Refusal, ServiceDeps, WorkOrder } from './types.ts';

/** The fields of the issue form the bot reads (docs/examples/work-order.yml); all optional. */
export interface WorkOrderForm {
  requirement?: string;
  /** "Scheduled time": the start time asked for; a plan's own `schedule` wins. */
  scheduledAt?: Date;
  /**
   * Logins named in the form (or the `/deploy <env>` options): only they act at their step, among the holders of the
   * step's role (workorders/named-people.ts).
   */
  planAuthor?: string;
  deployer?: string;
  acceptor?: string;
}

export interface OpenWorkOrderInput {
  repoFullName: string;
  installationId: number;
  /** The issue or pull-request number. */
  number: number;
  kind: WorkOrderKind;
  title: string;
  /** Who opened it: the issue's author or labeller, or the commenter of `/deploy <env>`. */
  requester: string;
  form?: WorkOrderForm;
  /** PR head (PR deployments) or the default branch head that check runs go on. */
  headSha?: string;
  /** Required for a PR deployment: the environment of `/deploy <env>`. */
  environment?: string;
}

export type OpenWorkOrderResult =
  | {
      ok: true;
      /** False when the order existed already (a redelivered webhook, a second `/deploy <env>`): nothing changed. */
      created: boolean;
      order: WorkOrder;
      /** A finished PR deployment for the same environment that this new one replaces (closed now). */
      superseded: number | null;
      message: string;
    }
  | Refusal<'not-allowed' | 'missing-environment' | 'unknown-environment'>;

/** States in which a PR deployment is still underway: `/deploy <env>` again returns it instead of opening another. */
const UNDERWAY: ReadonlySet<WorkOrderState> = new Set(['requested', 'planned', 'approved', 'scheduled', 'running']);

function environmentKnown(context: RepoContext, environment: string): boolean {
  return Object.values(context.config.apps).some((app) => Object.hasOwn(app.environments, environment));
}

function knownEnvironments(context: RepoContext): string[] {
  return [...new Set(Object.values(context.config.apps).flatMap((app) => Object.keys(app.environments)))].sort();
}

function rowFor(input: OpenWorkOrderInput) {
  const form = input.form ?? {};
  return {
    repoFullName: input.repoFullName,
    installationId: input.installationId,
    kind: input.kind,
    number: input.number,
    title: input.title,
    requester: input.requester.replace(/^@/, ''),
    environment: input.environment ?? null,
    planAuthor: form.planAuthor?.replace(/^@/, '') ?? null,
    deployer: form.deployer?.replace(/^@/, '') ?? null,
    acceptor: form.acceptor?.replace(/^@/, '') ?? null,
    requirement: form.requirement ?? null,
    scheduledAt: form.scheduledAt ?? null,
    headSha: input.headSha ?? null,
  };
}

async function audited(tx: Tx, order: WorkOrder, input: OpenWorkOrderInput): Promise<void> {
  await appendAudit(tx, {
    actor: order.requester,
    action: AUDIT_ACTIONS.opened,
    workOrderId: order.id,
    toState: order.state,
    reason: order.title,
    data: {
      kind: order.kind,
      number: order.number,
      environment: order.environment,
      scheduledAt: input.form?.scheduledAt?.toISOString() ?? null,
      planAuthor: order.planAuthor,
      deployer: order.deployer,
      acceptor: order.acceptor,
    },
  });
}

async function openIssueOrder(tx: Tx, input: OpenWorkOrderInput): Promise<{ order: WorkOrder; created: boolean }> {
  const [inserted] = await tx.insert(workOrders).values(rowFor(input)).onConflictDoNothing().returning();
  if (inserted !== undefined) {
    await audited(tx, inserted, input);
    return { order: inserted, created: true };
  }
  const [existing] = await tx
    .select()
    .from(workOrders)
    .where(
      and(
        eq(workOrders.repoFullName, input.repoFullName),
        eq(workOrders.number, input.number),
        eq(workOrders.kind, 'issue'),
      ),
    )
    .limit(1);
  if (existing === undefined) throw new Error(`work order of ${input.repoFullName}#${input.number} vanished`);
  return { order: existing, created: false };
}

async function openPullRequestOrder(
  tx: Tx,
  input: OpenWorkOrderInput,
  environment: string,
): Promise<{ order: WorkOrder; created: boolean; superseded: number | null }> {
  const openKey = and(
    eq(workOrders.repoFullName, input.repoFullName),
    eq(workOrders.number, input.number),
    eq(workOrders.kind, 'pull_request'),
    eq(workOrders.environment, environment),
    isNull(workOrders.closedAt),
  );
  const [open] = await tx.select().from(workOrders).where(openKey).for('update').limit(1);
  if (open !== undefined && UNDERWAY.has(open.state)) return { order: open, created: false, superseded: null };
  if (open !== undefined) {
    // Done with (succeeded, accepted, failed, aborted): it stays as history, closed, and a new deployment begins.
    await tx.update(workOrders).set({ closedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(workOrders.id, open.id));
    await appendAudit(tx, {
      actor: input.requester.replace(/^@/, ''),
      action: AUDIT_ACTIONS.superseded,
      workOrderId: open.id,
      fromState: open.state,
      reason: `a new /deploy ${environment} on #${input.number} replaces it`,
    });
  }
  const [inserted] = await tx
    .insert(workOrders)
    .values({ ...rowFor(input), environment })
    .onConflictDoNothing()
    .returning();
  if (inserted === undefined) {
    // Another delivery opened it in the meantime.
    const [existing] = await tx.select().from(workOrders).where(openKey).limit(1);
    if (existing === undefined) throw new Error(`PR deployment of ${input.repoFullName}#${input.number} vanished`);
    return { order: existing, created: false, superseded: null };
  }
  await audited(tx, inserted, input);
  return { order: inserted, created: true, superseded: open?.id ?? null };
}

/** Who posts the plan: the named plan author (mentioned), else any developer; and who else the order names. */
function nextStepSentence(order: WorkOrder): string {
  const next =
    order.planAuthor === null
      ? 'Next: a developer posts the deployment plan.'
      : `Next: @${order.planAuthor}, the plan author this work order names, posts the deployment plan.`;
  const named = [
    order.deployer === null ? undefined : `deployer @${order.deployer}`,
    order.acceptor === null ? undefined : `acceptor @${order.acceptor}`,
  ].filter((part) => part !== undefined);
  return named.length === 0 ? next : `${next} Named: ${named.join(', ')}.`;
}

/**
 * Opens a work order for an issue (once for its life) or a PR deployment (one open order per PR and environment),
 * if the requester is a project manager. Idempotent: asking again returns the existing order and changes nothing.
 */
export async function openWorkOrder(
  deps: Pick<ServiceDeps, 'db'>,
  input: OpenWorkOrderInput,
  context: RepoContext,
): Promise<OpenWorkOrderResult> {
  let action: Action = { name: 'open-order' };
  if (input.kind === 'pull_request') {
    const environment = input.environment;
    if (environment === undefined || environment === '') {
      return {
        ok: false,
        reason: 'missing-environment',
        message: 'a pull-request deployment needs an environment: /deploy <environment>',
      };
    }
    if (!environmentKnown(context, environment)) {
      const known = knownEnvironments(context);
      return {
        ok: false,
        reason: 'unknown-environment',
        message: `no app in .github/yardmaster.yml has an environment ${environment} (known: ${known.join(', ') || 'none'})`,
      };
    }
    action = { name: 'open-deployment', environment };
  }
  const allowed = await authorize(action, input.requester, authorizationContextFor(context, undefined));
  if (!allowed.ok) return { ok: false, reason: 'not-allowed', message: allowed.message };

  const opened = await deps.db.transaction(async (tx) => {
    if (input.kind === 'issue') return { ...(await openIssueOrder(tx, input)), superseded: null };
    return openPullRequestOrder(tx, input, input.environment ?? '');
  });
  const { order } = opened;
  const what = order.kind === 'issue' ? `#${order.number}` : `#${order.number} → ${order.environment ?? '?'}`;
  const message = opened.created
    ? `Work order ${what} opened (${order.state}). ${nextStepSentence(order)}`
    : `Work order ${what} already exists (${order.state}).`;
  return { ok: true, created: opened.created, order, superseded: opened.superseded, message };
}
