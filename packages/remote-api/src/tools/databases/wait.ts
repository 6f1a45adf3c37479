import { appliedOf, listObjects, say } from '../common/objects.js';
import { waitApplied, waitSummary } from '../common/wait.js';
import { type ToolContext, ToolFailure } from '../context.js';

/**
 * The answer of database_create and database_update: at once (dry run, or without `wait`), or once
 * the instance manager reconciled the object's current generation (or the wait ran out).
 */
export async function answerOrWait(
  ctx: Pick<ToolContext, 'kube' | 'namespace' | 'signal' | 'config' | 'progress'>,
  args: { name: string; dry_run: boolean; wait: boolean; wait_timeout_seconds: number },
  objectName: string,
  base: Record<string, unknown>,
  message: string,
  hint: string,
) {
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, applied: null, waited: false },
      text: say(args.dry_run, hint ? `${message}. ${hint}` : message),
    };
  }
  const what = `database ${args.name}`;
  const result = await waitApplied(ctx, args.wait_timeout_seconds, what, async () => {
    const object = (await listObjects(ctx, 'databases', ctx.namespace)).find(
      (d) => d.metadata.name === objectName,
    );
    if (!object) throw new ToolFailure('not_found', `Database ${objectName} disappeared while waiting`);
    const current = (object.status?.observedGeneration ?? 0) === (object.metadata.generation ?? 0);
    return {
      applied: current ? appliedOf(object.status) : null,
      message: typeof object.status?.message === 'string' ? object.status.message : '',
    };
  });
  const summary = `${message}; ${waitSummary(what, result, args.wait_timeout_seconds)}`;
  return { structured: { ...base, message: summary, applied: result.applied, waited: true }, text: summary };
}
