/** `check_run.requested_action`: the Abort and Rollback buttons of a stage's check run, honoured for deployers only. */
import { getWorkOrder, handleCommand } from '../workorders/service/index.ts';
import type { Command } from '../workorders/types.ts';
import { inlineCode } from './markdown.ts';
import type { Session } from './session.ts';
import { checkRunActionSchema, problemsOf } from './webhook-payloads.ts';
import { acceptedReply, refusalReply } from './work-order-replies.ts';

/** The check run's `external_id`: which order a check run reports on. */
export function checkRunExternalId(workOrderId: number): string {
  return `yardmaster-order-${workOrderId}`;
}

function orderIdOf(externalId: string | null | undefined): number | undefined {
  const match = /^yardmaster-order-(\d+)$/.exec(externalId ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const ACTIONS: Readonly<Record<string, Command>> = {
  abort: { name: 'abort', reason: 'Abort button on a check run' },
  rollback: { name: 'rollback' },
};

export async function handleCheckRunAction(session: Session, payload: unknown): Promise<void> {
  const parsed = checkRunActionSchema.safeParse(payload);
  if (!parsed.success) {
    session.log.warn({ problems: problemsOf(parsed.error) }, 'check_run event not understood');
    return;
  }
  const command = ACTIONS[parsed.data.requested_action.identifier];
  const orderId = orderIdOf(parsed.data.check_run.external_id);
  if (command === undefined || orderId === undefined) return;
  const order = await getWorkOrder(session.deps.service.db, orderId);
  if (order?.repoFullName !== session.repoFullName) return;
  const context = await session.repoContext(order.number);
  if (context === undefined) return;
  const result = await handleCommand(
    session.deps.service,
    {
      order,
      actor: session.sender,
      command: { ...command },
      source: 'github',
      sourceRef: `check_run:${parsed.data.check_run.id}:${session.deliveryId}`,
    },
    context,
  );
  const label = inlineCode(command.name === 'abort' ? 'Abort' : 'Rollback');
  await session.comment(
    order.number,
    result.ok
      ? acceptedReply(session.sender, `(${label} button) ${result.message}`)
      : refusalReply(session.sender, `The ${label} button`, result.message),
  );
}
