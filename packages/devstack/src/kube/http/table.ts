/**
 * meta.k8s.io/v1 Table responses for `kubectl get` (Accept: application/json;as=Table;g=meta.k8s.io;v=v1):
 * the printer columns of CNPG's published CRDs and the built-in printers of the core kinds tools look at.
 */
import { CNPG_CRDS } from '../admission/crd-schemas.js';
import type { ResourceType } from '../api/resources.js';
import { asRecord, getPath, type KubeObject } from '../types.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  description: string;
  value: (obj: KubeObject) => unknown;
}

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',')[0]!.includes('as=Table');
}

/** Kubernetes' HumanDuration, as `kubectl get` prints ages. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365}d`;
}

const path = (p: string) => (obj: KubeObject) => getPath(obj, p.split('.'));
const col = (name: string, type: Column['type'], p: string, description = ''): Column => ({
  name,
  type,
  description,
  value: path(p),
});
const age = col('Age', 'date', 'metadata.creationTimestamp', 'CreationTimestamp');
const COLUMNS: Record<string, Column[]> = {
  Pod: [
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      value: (o) => {
        const statuses = (asRecord(o.status).containerStatuses as { ready?: boolean }[] | undefined) ?? [];
        const total = ((asRecord(o.spec).containers as unknown[] | undefined) ?? []).length;
        return `${statuses.filter((c) => c.ready).length}/${total}`;
      },
    },
    col('Status', 'string', 'status.phase'),
    {
      name: 'Restarts',
      type: 'string',
      description: 'The number of times the containers in this pod have been restarted.',
      value: (o) =>
        ((asRecord(o.status).containerStatuses as { restartCount?: number }[] | undefined) ?? []).reduce(
          (n, c) => n + (c.restartCount ?? 0),
          0,
        ),
    },
    age,
  ],
  ConfigMap: [
    { name: 'Data', type: 'integer', description: '', value: (o) => Object.keys(asRecord(o.data)).length },
    age,
  ],
  Secret: [
    col('Type', 'string', 'type'),
    { name: 'Data', type: 'integer', description: '', value: (o) => Object.keys(asRecord(o.data)).length },
    age,
  ],
  Service: [
    col('Type', 'string', 'spec.type'),
    col('Cluster-IP', 'string', 'spec.clusterIP'),
    { name: 'External-IP', type: 'string', description: '', value: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      description: '',
      value: (o) =>
        ((asRecord(o.spec).ports as { port: number; protocol?: string }[] | undefined) ?? [])
          .map((p) => `${p.port}/${p.protocol ?? 'TCP'}`)
          .join(','),
    },
    age,
  ],
  Namespace: [col('Status', 'string', 'status.phase'), age],
  Event: [
    {
      name: 'Last Seen',
      type: 'date',
      description: '',
      value: (o) => o.lastTimestamp,
    },
    col('Type', 'string', 'type'),
    col('Reason', 'string', 'reason'),
    {
      name: 'Object',
      type: 'string',
      description: '',
      value: (o) => {
        const ref = asRecord(o.involvedObject);
        return `${String(ref.kind ?? '').toLowerCase()}/${String(ref.name ?? '')}`;
      },
    },
    col('Message', 'string', 'message'),
  ],
  Deployment: [
    {
      name: 'Ready',
      type: 'string',
      description: 'Number of the pod with ready state',
      value: (o) =>
        `${Number(asRecord(o.status).readyReplicas ?? 0)}/${Number(asRecord(o.spec).replicas ?? 0)}`,
    },
    col('Up-to-date', 'integer', 'status.updatedReplicas'),
    col('Available', 'integer', 'status.availableReplicas'),
    age,
  ],
  PersistentVolumeClaim: [
    col('Status', 'string', 'status.phase'),
    col('Volume', 'string', 'spec.volumeName'),
    col('Capacity', 'string', 'status.capacity.storage'),
    {
      name: 'Access Modes',
      type: 'string',
      description: '',
      value: (o) =>
        (asRecord(o.spec).accessModes as string[] | undefined)?.join(',') === 'ReadWriteOnce' ? 'RWO' : '',
    },
    col('StorageClass', 'string', 'spec.storageClassName'),
    age,
  ],
};

/** CNPG kinds print the additionalPrinterColumns of their published CRD. */
function crdColumns(kind: string): Column[] | undefined {
  const version = CNPG_CRDS[kind]?.spec.versions.find((v) => v.name === 'v1');
  return version?.additionalPrinterColumns?.map((c) => ({
    ...col(String(c.name), c.type as Column['type'], String(c.jsonPath).replace(/^\./, '')),
    description: typeof c.description === 'string' ? c.description : '',
  }));
}

function cell(column: Column, obj: KubeObject, now: number): unknown {
  const value = column.value(obj);
  if (column.type === 'date')
    return typeof value === 'string' ? humanDuration(now - Date.parse(value)) : '<unknown>';
  return value ?? (column.type === 'string' ? '' : null);
}

export function toTable(
  rt: ResourceType,
  objects: KubeObject[],
  resourceVersion: string,
  now: number,
): Record<string, unknown> {
  const columns = (rt.custom ? crdColumns(rt.kind) : COLUMNS[rt.kind]) ?? [age];
  // Like kube-apiserver's event printer, events are listed without their (generated) names.
  const withName = rt.kind !== 'Event';
  const nameColumn = {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name must be unique within a namespace.',
    priority: 0,
  };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      ...(withName ? [nameColumn] : []),
      ...columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: '',
        description: c.description,
        priority: 0,
      })),
    ],
    rows: objects.map((obj) => ({
      cells: [...(withName ? [obj.metadata.name] : []), ...columns.map((c) => cell(c, obj, now))],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { ...obj.metadata, managedFields: undefined },
      },
    })),
  };
}
