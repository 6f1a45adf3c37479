/**
 * The CNPG CustomResourceDefinitions (apiextensions.k8s.io/v1) as the release publishes them, with
 * the status an API server gives an accepted CRD, so tools that feature-detect through CRDs find
 * what a CNPG install has.
 */
import { CNPG_CRDS } from '../admission/crd-schemas.js';
import { deepClone, type KubeObject } from '../types.js';
import type { ResourceType } from './resources.js';

export function customResourceDefinition(rt: ResourceType): KubeObject {
  const published = CNPG_CRDS[rt.kind];
  if (!published) throw new Error(`no published CRD for ${rt.kind}`);
  const crd = deepClone(published);
  crd.metadata.labels = { 'app.kubernetes.io/name': 'cloudnative-pg' };
  crd.status = {
    acceptedNames: crd.spec.names,
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
  };
  return crd;
}
