import { confirmationQuestion } from '@cnpg-mcp/catalog';
import type { Access } from '../../policy.js';
import type { ToolModule } from '../context.js';
import type { Observed } from './references.js';

/** The person's answer to a confirmation: MCP elicitation's three actions, or no answer in time. */
export type ConfirmationAnswer = 'accept' | 'decline' | 'cancel' | 'timeout';

/** Asks the person a yes/no question through the client (MCP elicitation). */
export type AskPerson = (question: string) => Promise<ConfirmationAnswer>;

/** The person did not accept: the call stops before anything is written. */
export class NotConfirmed extends Error {
  constructor(
    readonly answer: Exclude<ConfirmationAnswer, 'accept'>,
    tool: string,
  ) {
    const why = {
      decline: 'the person declined',
      cancel: 'the person dismissed the question',
      timeout: 'the person did not answer in time',
    }[answer];
    super(`${tool} did not run: ${why}. Nothing was written.`);
    this.name = 'NotConfirmed';
  }
}

/** Whether this call (dry run or not) is one the person confirms. */
export function needsConfirmation(
  tool: ToolModule,
  args: Record<string, unknown>,
  context: { seen: Observed; access: Access },
): boolean {
  if (!tool.definition.confirmation) return false;
  return !tool.needsConfirmation || tool.needsConfirmation(args, context);
}

/**
 * The arguments a confirmed call runs with. Calls the catalogue marks as confirmed by the person
 * (dry runs excepted, and for some tools only the destructive ones) ask the person when the client
 * can be asked (`ask`), whatever `confirm` the model filled in, and run with `confirm` set to what
 * the person accepted. For clients that cannot be asked nothing changes: the tools that take
 * `confirm` check it in their plans (requireConfirmation).
 */
export async function confirmedArgs(
  tool: ToolModule,
  args: Record<string, unknown>,
  context: { namespace: string; seen: Observed; access: Access; ask: AskPerson | undefined },
): Promise<Record<string, unknown>> {
  const { confirmation, confirmField, name } = tool.definition;
  if (!confirmation || !context.ask || args.dry_run === true) return args;
  if (!needsConfirmation(tool, args, context)) return args;
  const answer = await context.ask(
    confirmationQuestion(confirmation.question, { ...args, namespace: context.namespace }),
  );
  if (answer !== 'accept') throw new NotConfirmed(answer, name);
  return confirmField ? { ...args, confirm: args[confirmField] } : args;
}
