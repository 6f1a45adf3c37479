/**
 * CloudNativePG's published CustomResourceDefinitions (data/cnpg-crds.json, derived from the
 * release's config/crd/bases by scripts/generate-cnpg-crds.mjs) and the structural schemas the
 * emulator enforces from them, CEL rules included.
 */
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../types.js';
import { fromOpenApi, type Schema } from './schema.js';

interface CrdFile {
  _source: string;
  version: string;
  crds: Record<string, KubeObject & { spec: CrdSpec }>;
}

export interface CrdVersion {
  name: string;
  schema: { openAPIV3Schema: Record<string, unknown> };
  subresources?: Record<string, unknown>;
  additionalPrinterColumns?: Record<string, unknown>[];
}

export interface CrdSpec {
  group: string;
  names: { kind: string; listKind: string; plural: string; singular: string };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

// src/kube/admission and dist/kube/admission are both three levels below the package root.
const file = JSON.parse(
  readFileSync(new URL('../../../data/cnpg-crds.json', import.meta.url), 'utf8'),
) as CrdFile;

/** The CNPG release the CRDs come from, e.g. 1.30.0. */
export const CNPG_CRD_VERSION = file.version;

/** The published CRDs by kind (descriptions removed). */
export const CNPG_CRDS: Readonly<Record<string, KubeObject & { spec: CrdSpec }>> = file.crds;

/** The v1 OpenAPI schema of a kind, as published. */
export function openApiSchemaOf(kind: string): Record<string, unknown> | undefined {
  return CNPG_CRDS[kind]?.spec.versions.find((v) => v.name === 'v1')?.schema.openAPIV3Schema;
}

/**
 * The enforced schema of a kind. The API server validates metadata as ObjectMeta rather than by the
 * CRD's `metadata: {type: object}`, and admission of the main endpoint never looks at status.
 */
function enforced(kind: string): Schema {
  const root = fromOpenApi(openApiSchemaOf(kind)!);
  root.properties = {
    ...root.properties,
    metadata: { type: 'object', preserveUnknown: true },
    status: { preserveUnknown: true },
  };
  return root;
}

export const CNPG_SCHEMAS: Readonly<Record<string, Schema>> = Object.fromEntries(
  Object.keys(CNPG_CRDS).map((kind) => [kind, enforced(kind)]),
);
