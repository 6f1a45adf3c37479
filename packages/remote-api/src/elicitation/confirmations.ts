import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, type CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Identity } from '../identity.js';
import type { Logger } from '../log.js';
import type { ConfirmationAnswer } from '../tools/framework/confirm.js';

/**
 * The person's confirmation of a destructive call, asked through MCP elicitation, in a stateless
 * remote with any number of replicas.
 *
 * The replica running the call sends `elicitation/create` on the call's own event stream and waits.
 * The client answers in a new POST, which may reach any replica. A replica that holds the question
 * takes the answer directly; any other finds the question in the Kubernetes API (a ConfigMap the
 * asking replica created, naming the person) and writes the answer there, where the asking replica
 * reads it. The answer counts only from the person who was asked.
 */

const ID_PREFIX = 'cnpg-mcp-confirm-';
const USER_ANNOTATION = 'cnpg-mcp.io/user-id';
const ANSWER_KEY = 'answer';
const ANSWERS: readonly ConfirmationAnswer[] = ['accept', 'decline', 'cancel'];

export const isConfirmationId = (id: unknown): id is string =>
  typeof id === 'string' && id.startsWith(ID_PREFIX) && /^[a-z0-9-]{1,253}$/.test(id);

/** The action of an elicitation result; anything else (an error response, a bad result) counts as cancel. */
function actionOf(message: { result?: unknown; error?: unknown }): ConfirmationAnswer {
  const action = (message.result as { action?: unknown } | undefined)?.action;
  return ANSWERS.includes(action as ConfirmationAnswer) ? (action as ConfirmationAnswer) : 'cancel';
}

const isStatus = (error: unknown, code: number) =>
  error instanceof ApiException && Number(error.code) === code;

interface Pending {
  userId: string;
  settle(answer: ConfirmationAnswer): void;
}

export type Delivery = 'delivered' | 'not_waiting';

export class Confirmations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly log: Logger,
    private readonly options: { timeoutMs: number; pollMs?: number },
  ) {}

  /**
   * Asks `question` (send writes the request on the call's stream) and waits for the person:
   * accept, decline, cancel, or timeout. A call cancelled meanwhile counts as cancel.
   */
  async ask(
    identity: Identity,
    question: string,
    send: (request: JSONRPCRequest) => Promise<void>,
    signal: AbortSignal,
  ): Promise<ConfirmationAnswer> {
    const id = `${ID_PREFIX}${randomBytes(12).toString('hex')}`;
    const stop = new AbortController();
    const settled = new Promise<ConfirmationAnswer>((resolve) => {
      this.pending.set(id, { userId: identity.userId, settle: resolve });
    });
    try {
      await this.core.createNamespacedConfigMap({
        namespace: this.namespace,
        body: {
          metadata: {
            name: id,
            labels: { 'app.kubernetes.io/managed-by': 'cnpg-mcp', 'cnpg-mcp.io/purpose': 'confirmation' },
            annotations: { [USER_ANNOTATION]: identity.userId },
          },
        },
      });
      await send({
        jsonrpc: '2.0',
        id,
        method: 'elicitation/create',
        params: { mode: 'form', message: question, requestedSchema: { type: 'object', properties: {} } },
      });
      const abort = AbortSignal.any([signal, stop.signal]);
      return await Promise.race([
        settled,
        this.answerFromElsewhere(id, abort),
        // Ends with the call too: a cancelled call is a cancelled question.
        sleep(this.options.timeoutMs, 'timeout' as const, { signal: abort }).catch(() => 'cancel' as const),
      ]);
    } finally {
      stop.abort();
      this.pending.delete(id);
      await this.core
        .deleteNamespacedConfigMap({ name: id, namespace: this.namespace })
        .catch((error: unknown) => {
          if (!isStatus(error, 404)) this.log.warn('confirmation record not removed', { name: id, error });
        });
    }
  }

  /** Polls the question's ConfigMap for an answer another replica took. */
  private async answerFromElsewhere(id: string, signal: AbortSignal): Promise<ConfirmationAnswer> {
    const pollMs = this.options.pollMs ?? 1000;
    while (!signal.aborted) {
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      const record = await this.read(id).catch((error: unknown) => {
        this.log.debug('confirmation record not read', { name: id, error });
        return undefined;
      });
      const answer = record?.data?.[ANSWER_KEY];
      if (ANSWERS.includes(answer as ConfirmationAnswer)) return answer as ConfirmationAnswer;
    }
    return new Promise<never>(() => {});
  }

  private async read(name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await this.core.readNamespacedConfigMap({ name, namespace: this.namespace });
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * An answer the client POSTed (a JSON-RPC response to one of our questions). Delivered when the
   * question is waiting for this person, here or on another replica; otherwise (answered, timed
   * out, or someone else's) not_waiting, which says nothing about whose it was.
   */
  async answer(
    identity: Identity,
    message: { id: string; result?: unknown; error?: unknown },
  ): Promise<Delivery> {
    const answer = actionOf(message);
    const local = this.pending.get(message.id);
    if (local) {
      if (local.userId !== identity.userId) return 'not_waiting';
      local.settle(answer);
      return 'delivered';
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const record = await this.read(message.id);
      if (!record || record.metadata?.annotations?.[USER_ANNOTATION] !== identity.userId)
        return 'not_waiting';
      if (record.data?.[ANSWER_KEY]) return 'not_waiting';
      try {
        // The record's resourceVersion makes this a compare-and-swap: one answer wins.
        await this.core.replaceNamespacedConfigMap({
          name: message.id,
          namespace: this.namespace,
          body: { ...record, data: { ...record.data, [ANSWER_KEY]: answer } },
        });
        return 'delivered';
      } catch (error) {
        if (isStatus(error, 404)) return 'not_waiting';
        if (!isStatus(error, 409)) throw error;
      }
    }
    return 'not_waiting';
  }
}
