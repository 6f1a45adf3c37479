import type { FieldError } from '../api/errors.js';
import type { KubeObject } from '../types.js';

export interface AdmissionContext {
  operation: 'CREATE' | 'UPDATE';
  old?: KubeObject;
  /** Reads other objects of the same namespace (e.g. a Pooler checks Cluster names). */
  lookup: (kind: string, namespace: string | undefined, name: string) => KubeObject | undefined;
}

export interface WebhookResult {
  errors: FieldError[];
  warnings: string[];
}

/** One CNPG admission webhook: mutating defaults and/or validating rules. */
export interface Webhook {
  /** Name in denial messages, e.g. vcluster.cnpg.io. */
  name: string;
  mutate?: (obj: KubeObject, ctx: AdmissionContext) => void;
  validate?: (obj: KubeObject, ctx: AdmissionContext) => WebhookResult;
  /** CNPG reports Cluster update errors under the group cluster.cnpg.io. */
  updateGroup?: string;
}
