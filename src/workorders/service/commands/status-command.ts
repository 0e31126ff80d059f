/** `/status`: anyone may ask. */
import type { Command } from '../../types.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { getWorkOrderStatus } from '../status-summary.ts';
import type { CommandCall } from './command-input.ts';

type Status = Extract<Command, { name: 'status' }>;

export async function statusCommand(call: CommandCall<Status>): Promise<CommandResult> {
  const status = await getWorkOrderStatus(call.deps, call.input.order.id, call.context);
  if (status === undefined) return refused('status', 'not-found', `no work order ${call.input.order.id}`);
  return { ok: true, command: 'status', outcome: 'status', message: status.message, moved: [], status };
}
