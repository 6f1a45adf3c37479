import { z } from 'zod';

/** Field schemas shared by several tools. Limits live here so they show up in the published JSON Schema. */

export const namespaceField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .describe('Kubernetes namespace (DNS-1123 label). Defaults to the server default namespace.');

/** CNPG requires cluster names to be DNS-1035 labels of at most 50 characters. */
export const clusterNameField = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/)
  .describe('Cluster name (DNS-1035 label, at most 50 characters).');

export const instanceNameField = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?-[0-9]+$/)
  .describe('Instance (pod) name, e.g. "pg-main-2".');

/** A Kubernetes quantity for storage, limited to the binary and decimal suffixes people use for disks. */
export const storageSizeField = z
  .string()
  .max(20)
  .regex(/^[1-9][0-9]*(Mi|Gi|Ti|M|G|T)$/)
  .describe('Storage size as a Kubernetes quantity, e.g. "10Gi".');

export const storageClassField = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
  .describe('StorageClass name; the cluster default when omitted.');

export const imageField = z
  .string()
  .min(3)
  .max(512)
  .regex(/^[a-z0-9][a-z0-9._\-/:]*:[0-9][A-Za-z0-9._-]*$/)
  .describe(
    'Full PostgreSQL image with a version tag, e.g. "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie".',
  );

export const postgresMajorField = z.int().min(14).max(18).describe('PostgreSQL major version (14 to 18).');

export const imageCatalogField = z
  .strictObject({
    kind: z.enum(['ImageCatalog', 'ClusterImageCatalog']),
    name: z.string().min(1).max(253),
    major: postgresMajorField,
  })
  .describe('Use an image from an ImageCatalog or ClusterImageCatalog.');

export const dryRunField = z
  .boolean()
  .default(false)
  .describe('Validate on the server (dryRun=All) and return what would be written, without writing.');

export const confirmField = (what: string) =>
  z.string().min(1).max(63).describe(`Must equal the ${what}, to confirm this destructive action.`);

const cpuQuantity = z
  .string()
  .max(16)
  .regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/);
const memoryQuantity = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]*(Ki|Mi|Gi|Ti|k|M|G|T)?$/);

export const resourcesField = z
  .strictObject({
    requests: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
    limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
  })
  .describe(
    'CPU and memory requests and limits for each instance, e.g. {"requests":{"cpu":"500m","memory":"1Gi"}}.',
  );

export const parameterNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z][a-z0-9_.]*$/);

const labelKey = z
  .string()
  .min(1)
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/);

export const nodeSelectorField = z
  .record(labelKey, labelValue)
  .describe('Node labels the instances must run on.');

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
  .max(20)
  .describe('Pod tolerations.');

export const affinityField = z
  .strictObject({
    enablePodAntiAffinity: z.boolean().optional(),
    podAntiAffinityType: z.enum(['preferred', 'required']).optional(),
    topologyKey: labelKey.optional(),
  })
  .describe('How instances spread across nodes (CNPG affinity settings).');

/** A short structured Kubernetes object as returned by a tool (a manifest or what would be written). */
export const manifestField = z.record(z.string(), z.unknown());
