/** Runs a parsed comment command (see commands.ts for the syntax) against a work order. */
import { refused, type CommandResult } from './command-result.ts';
import { abortCommand } from './commands/abort-command.ts';
import { acceptCommand } from './commands/accept-command.ts';
import type { CommandCall, CommandInput } from './commands/command-input.ts';
import { deployCommand } from './commands/deploy-command.ts';
import { lockCommand, unlockCommand } from './commands/lock-commands.ts';
import { preflightCommand } from './commands/preflight-command.ts';
import { retryCommand } from './commands/retry-command.ts';
import { rollbackCommand } from './commands/rollback-command.ts';
import { statusCommand } from './commands/status-command.ts';
import { approveCommand, rejectCommand } from './commands/verdict-commands.ts';
import type { RepoContext, ServiceDeps } from './types.ts';

export type { CommandInput } from './commands/command-input.ts';

/**
 * Checks the actor's role for the command, then does it; every refusal comes back as `{ ok: false, reason, message }`
 * for the adapter to post. `/deploy <env>` is not an order command: the adapter opens the PR deployment with
 * `openWorkOrder`.
 */
export async function handleCommand(
  deps: ServiceDeps,
  input: CommandInput,
  context: RepoContext,
): Promise<CommandResult> {
  const { command } = input;
  const call = <C extends typeof command>(narrowed: C): CommandCall<C> => ({
    deps,
    input: { ...input, command: narrowed },
    context,
  });
  switch (command.name) {
    case 'approve':
      return approveCommand(call(command));
    case 'reject':
      return rejectCommand(call(command));
    case 'deploy':
      return deployCommand(call(command));
    case 'abort':
      return abortCommand(call(command));
    case 'rollback':
      return rollbackCommand(call(command));
    case 'retry-failed':
      return retryCommand(call(command));
    case 'accept':
      return acceptCommand(call(command));
    case 'lock':
      return lockCommand(call(command));
    case 'unlock':
      return unlockCommand(call(command));
    case 'preflight':
      return preflightCommand(call(command));
    case 'status':
      return statusCommand(call(command));
    case 'open-deployment':
      return refused(
        'open-deployment',
        'not-an-order-command',
        `/deploy ${command.environment} opens a deployment: call openWorkOrder`,
      );
  }
}
