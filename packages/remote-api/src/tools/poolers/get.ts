import { poolerGet } from '@cnpg-mcp/catalog';
import { seenObject } from '../backups/model.js';
import { str } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { describePooler, namedPooler, readyPoolerPods, summarizePooler } from './model.js';

/** What pooler_get shows of a Pooler: its summary (with its Ready pods), Service, parameters and the operator's status. */
export function describePoolerGet(object: KubeObject, namespace: string, readyPods: number) {
  const pooler = summarizePooler(object, readyPods);
  const params = Object.entries(pooler.parameters).map(([k, v]) => `${k}=${v}`);
  return {
    structured: { pooler, phaseReason: str(object.status?.phaseReason), status: object.status ?? {} },
    text: [
      `Pooler ${describePooler(pooler)}`,
      `  service ${pooler.service}.${namespace}:5432`,
      params.length ? `  parameters ${params.join(', ')}` : '',
      object.status?.phaseReason ? `  reason: ${str(object.status.phaseReason)}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

export const poolerGetTool = defineTool({
  definition: poolerGet,
  references: { pooler: namedPooler('read', 'the pooler') },
  async run(args, ctx) {
    const ready = await readyPoolerPods(ctx.kube, ctx.namespace, args.name);
    return describePoolerGet(seenObject(ctx.seen, 'pooler'), ctx.namespace, ready.get(args.name) ?? 0);
  },
});
