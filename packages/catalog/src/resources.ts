/** MCP resources as data: stable URIs for clusters and their status. The remote API reads them. */

export const RESOURCE_SCHEME = 'cnpg';

export interface ResourceDefinition {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

export interface ResourceTemplateDefinition {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

export const clustersResource: ResourceDefinition = {
  uri: 'cnpg://clusters',
  name: 'clusters',
  title: 'PostgreSQL clusters',
  description: 'Every cluster you may see, in every namespace you may use, with phase and readiness (JSON).',
  mimeType: 'application/json',
};

export const clusterStatusTemplate: ResourceTemplateDefinition = {
  uriTemplate: 'cnpg://clusters/{namespace}/{name}',
  name: 'cluster-status',
  title: 'Cluster status',
  description:
    'Status of one cluster: phase, instances, primary, conditions, certificates, last backup (JSON).',
  mimeType: 'application/json',
};

export const clusterBackupsTemplate: ResourceTemplateDefinition = {
  uriTemplate: 'cnpg://clusters/{namespace}/{name}/backups',
  name: 'cluster-backups',
  title: 'Cluster backups',
  description: 'Backups of one cluster, newest first (JSON).',
  mimeType: 'application/json',
};

export const resources: readonly ResourceDefinition[] = [clustersResource];
export const resourceTemplates: readonly ResourceTemplateDefinition[] = [
  clusterStatusTemplate,
  clusterBackupsTemplate,
];

export type ParsedResourceUri =
  | { kind: 'clusters' }
  | { kind: 'cluster'; namespace: string; name: string }
  | { kind: 'backups'; namespace: string; name: string };

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const CLUSTER_URI = new RegExp(`^cnpg://clusters/(${DNS_LABEL})/([a-z]([-a-z0-9]*[a-z0-9])?)(/backups)?$`);

/** Parses a cnpg:// URI; undefined when it names no resource. */
export function parseResourceUri(uri: string): ParsedResourceUri | undefined {
  if (uri === clustersResource.uri) return { kind: 'clusters' };
  const match = CLUSTER_URI.exec(uri);
  if (!match?.[1] || !match[3] || match[1].length > 63 || match[3].length > 50) return undefined;
  return match[5]
    ? { kind: 'backups', namespace: match[1], name: match[3] }
    : { kind: 'cluster', namespace: match[1], name: match[3] };
}

export const clusterUri = (namespace: string, name: string) => `cnpg://clusters/${namespace}/${name}`;
