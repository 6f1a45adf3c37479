/**
 * The CNPG CustomResourceDefinitions (apiextensions.k8s.io/v1), generated from the schemas the
 * emulator enforces, so tools that feature-detect through CRDs find what a CNPG 1.30 install has.
 */
import { CNPG_SCHEMAS } from '../admission/cnpg-schemas.js';
import type { Schema } from '../admission/schema.js';
import { printerColumns } from '../http/table.js';
import type { KubeObject } from '../types.js';
import type { ResourceType } from './resources.js';

function toOpenApi(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (schema.intOrString) {
    out['x-kubernetes-int-or-string'] = true;
    return out;
  }
  if (schema.type) out.type = schema.type;
  if (schema.preserveUnknown) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toOpenApi(v)]));
  }
  if (schema.additionalProperties) out.additionalProperties = toOpenApi(schema.additionalProperties);
  if (schema.items) out.items = toOpenApi(schema.items);
  if (schema.required?.length) out.required = [...schema.required];
  if (schema.enum) out.enum = [...schema.enum];
  for (const key of [
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'pattern',
    'minItems',
    'maxItems',
    'default',
    'format',
  ] as const) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  if (schema.rules?.length) {
    out['x-kubernetes-validations'] = schema.rules.map((r) => ({
      message: r.message,
      rule: r.transition ? 'self == oldSelf' : 'emulated',
      ...(r.field ? { fieldPath: `.${r.field}` } : {}),
    }));
  }
  return out;
}

export function customResourceDefinition(rt: ResourceType): KubeObject {
  const names = { kind: rt.kind, listKind: `${rt.kind}List`, plural: rt.plural, singular: rt.singular };
  const subresources: Record<string, unknown> = {};
  if (rt.subresources.includes('status')) subresources.status = {};
  if (rt.scale) {
    subresources.scale = {
      specReplicasPath: `.${rt.scale.specReplicas.join('.')}`,
      statusReplicasPath: `.${rt.scale.statusReplicas.join('.')}`,
      ...(rt.scale.statusSelector ? { labelSelectorPath: `.${rt.scale.statusSelector.join('.')}` } : {}),
    };
  }
  const schema = CNPG_SCHEMAS[rt.kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${rt.plural}.${rt.group}`,
      annotations: { 'controller-gen.kubebuilder.io/version': 'v0.19.0' },
      labels: { 'app.kubernetes.io/name': 'cloudnative-pg', 'app.kubernetes.io/version': '1.30.0' },
    },
    spec: {
      group: rt.group,
      names,
      scope: rt.namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: rt.version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: schema
              ? toOpenApi(schema)
              : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
          ...(Object.keys(subresources).length > 0 ? { subresources } : {}),
          additionalPrinterColumns: printerColumns(rt.kind),
        },
      ],
    },
    status: {
      acceptedNames: names,
      storedVersions: [rt.version],
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
        },
      ],
    },
  };
}
