import { z } from 'zod';

/**
 * Field schemas shared by several tools. Limits live here so they show up in the published JSON
 * Schema. Rules every name follows are stated once, in the server instructions (instructions.ts),
 * not in each schema: NAME_RULES lists the patterns (and their lengths) the published schemas leave out.
 */

/** DNS-1123 label: namespaces and most Kubernetes object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1035 label: cluster names (they start with a letter). */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: storage classes, object stores. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** An unquoted PostgreSQL identifier as the tools accept it. */
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** Instance (pod) names: the cluster name, a dash and a number. */
export const INSTANCE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?-[0-9]+$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * Name rules the server instructions state, with the lengths they state (by pattern); the published
 * schemas leave them out, the server still checks them.
 */
export const NAME_RULES: ReadonlyMap<string, { minLength?: number; maxLength: number }> = new Map([
  [DNS_LABEL.source, { maxLength: 63 }],
  [DNS_1035_LABEL.source, { maxLength: 50 }],
  [DNS_SUBDOMAIN.source, { maxLength: 253 }],
  [PG_IDENTIFIER.source, { maxLength: 63 }],
  [INSTANCE_NAME.source, { minLength: 3, maxLength: 63 }],
  [LABEL_KEY.source, { maxLength: 253 }],
  [LABEL_VALUE.source, { maxLength: 63 }],
]);

export const namespaceField = z.string().min(1).max(63).regex(DNS_LABEL);

/** CNPG requires cluster names to be DNS-1035 labels of at most 50 characters. */
export const clusterNameField = z.string().min(1).max(50).regex(DNS_1035_LABEL);

export const instanceNameField = z.string().min(3).max(63).regex(INSTANCE_NAME);

/** A Kubernetes quantity for storage, limited to the binary and decimal suffixes people use for disks. */
export const storageSizeField = z
  .string()
  .max(20)
  .regex(/^[1-9][0-9]*(Mi|Gi|Ti|M|G|T)$/);

export const storageClassField = z.string().min(1).max(253).regex(DNS_SUBDOMAIN);

export const imageField = z
  .string()
  .min(3)
  .max(512)
  .regex(/^[a-z0-9][a-z0-9._\-/:]*:[0-9][A-Za-z0-9._-]*$/)
  .describe('e.g. ghcr.io/cloudnative-pg/postgresql:18.4');

export const postgresMajorField = z.int().min(14).max(18);

export const imageCatalogField = z
  .strictObject({
    kind: z.enum(['ImageCatalog', 'ClusterImageCatalog']),
    name: z.string().min(1).max(253),
    major: postgresMajorField,
  })
  .describe('An image from an ImageCatalog or ClusterImageCatalog.');

/** Server-side dry run (dryRun=All): validated, shown, not written. The instructions say so once. */
export const dryRunField = z.boolean().default(false);

/** For clients that cannot ask the person: the name of what the call removes, repeated. */
export const confirmField = (what: string) => z.string().min(1).max(63).describe(`Repeat the ${what}.`);

const cpuQuantity = z
  .string()
  .max(16)
  .regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/);
const memoryQuantity = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]*(Ki|Mi|Gi|Ti|k|M|G|T)?$/);

export const resourcesField = z.strictObject({
  requests: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
  limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
});

export const parameterNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z][a-z0-9_.]*$/);

const labelKey = z.string().min(1).max(253).regex(LABEL_KEY);
const labelValue = z.string().max(63).regex(LABEL_VALUE);

export const nodeSelectorField = z.record(labelKey, labelValue).describe('Node labels to run on.');

export const tolerationsField = z
  .array(
    z.strictObject({
      key: labelKey.optional(),
      operator: z.enum(['Exists', 'Equal']).optional(),
      value: labelValue.optional(),
      effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
      tolerationSeconds: z.int().min(0).max(86400).optional(),
    }),
  )
  .max(20);

/** How instances spread across nodes (CNPG affinity settings). */
export const affinityField = z.strictObject({
  enablePodAntiAffinity: z.boolean().optional(),
  podAntiAffinityType: z.enum(['preferred', 'required']).optional(),
  topologyKey: labelKey.optional(),
});

/**
 * Paging through a list that can be long (events, logs, backups): at most `limit` entries, then
 * `continue` from the result for the next ones. The instructions explain both once.
 */
export const pageFields = {
  limit: z.int().min(1).max(500).optional(),
  continue: z.string().max(200).optional(),
};

/** What a paged result adds: how many entries match in all, and where the next page starts. */
export const pageOutputs = {
  total: z.number().describe('Matching entries in all, before paging.'),
  continue: z.string().describe('Pass as `continue` for the next entries; "" when there are no more.'),
};

/** A short structured Kubernetes object as returned by a tool (a manifest or what would be written). */
export const manifestField = z.record(z.string(), z.unknown());
