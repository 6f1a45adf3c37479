/** Builders for what the CNPG operator creates for a Cluster: secrets, services, PVCs, jobs, pods, PDBs. */
import { randomBytes, randomInt } from 'node:crypto';
import { DEFAULT_POSTGRES_IMAGE, imageMajor } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject, type OwnerReference } from '../../types.js';

export const OPERATOR_VERSION = '1.30.0';

export type BootstrapJobRole = 'initdb' | 'full-recovery' | 'snapshot-recovery' | 'pgbasebackup';

/** The job that creates the first instance, named after the bootstrap method (X-1-<role>). */
export function bootstrapJobRole(cluster: KubeObject): BootstrapJobRole {
  const bootstrap = asRecord(asRecord(cluster.spec).bootstrap);
  if (bootstrap.pg_basebackup !== undefined) return 'pgbasebackup';
  if (bootstrap.recovery !== undefined) {
    return asRecord(bootstrap.recovery).volumeSnapshots !== undefined ? 'snapshot-recovery' : 'full-recovery';
  }
  return 'initdb';
}

export function ownerRef(owner: KubeObject, blockOwnerDeletion = false): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    ...(blockOwnerDeletion ? { blockOwnerDeletion: true } : {}),
  };
}

export function clusterImage(cluster: KubeObject, resolvedFromCatalog?: string): string {
  const spec = asRecord(cluster.spec);
  return (
    resolvedFromCatalog ?? (typeof spec.imageName === 'string' ? spec.imageName : DEFAULT_POSTGRES_IMAGE)
  );
}

function inherited(cluster: KubeObject): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const meta = asRecord(asRecord(cluster.spec).inheritedMetadata);
  return {
    labels: asRecord(meta.labels) as Record<string, string>,
    annotations: asRecord(meta.annotations) as Record<string, string>,
  };
}

function commonLabels(cluster: KubeObject, image: string, component = 'database'): Record<string, string> {
  return {
    ...inherited(cluster).labels,
    'cnpg.io/cluster': cluster.metadata.name!,
    'app.kubernetes.io/name': 'postgresql',
    'app.kubernetes.io/instance': cluster.metadata.name!,
    'app.kubernetes.io/version': String(imageMajor(image) ?? 18),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'cloudnative-pg',
  };
}

function meta(
  cluster: KubeObject,
  name: string,
  labels: Record<string, string>,
  extra: Record<string, string> = {},
) {
  return {
    name,
    namespace: cluster.metadata.namespace!,
    labels,
    annotations: { ...inherited(cluster).annotations, 'cnpg.io/operatorVersion': OPERATOR_VERSION, ...extra },
    ownerReferences: [ownerRef(cluster)],
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function password(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 64; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A PEM-shaped placeholder: the emulator never speaks TLS to PostgreSQL. */
function pem(label: string): string {
  const body = randomBytes(96)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export function credentialSecret(
  cluster: KubeObject,
  image: string,
  kind: 'app' | 'superuser',
  database: string,
  username: string,
): KubeObject {
  const name = cluster.metadata.name!;
  const ns = cluster.metadata.namespace!;
  const pw = password();
  const host = `${name}-rw`;
  const dbname = kind === 'superuser' ? '*' : database;
  const uriDb = kind === 'superuser' ? '*' : database;
  const data: Record<string, string> = {
    username,
    user: username,
    password: pw,
    dbname,
    host,
    port: '5432',
    pgpass: `${host}:5432:${dbname}:${username}:${pw}\n`,
    uri: `postgresql://${username}:${pw}@${host}.${ns}:5432/${uriDb}`,
    'jdbc-uri': `jdbc:postgresql://${host}.${ns}:5432/${uriDb}?password=${pw}&user=${username}`,
    'fqdn-uri': `postgresql://${username}:${pw}@${host}.${ns}.svc.cluster.local:5432/${uriDb}`,
    'fqdn-jdbc-uri': `jdbc:postgresql://${host}.${ns}.svc.cluster.local:5432/${uriDb}?password=${pw}&user=${username}`,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(cluster, `${name}-${kind}`, {
      ...commonLabels(cluster, image),
      'cnpg.io/userType': kind,
      'cnpg.io/reload': 'true',
    }),
    type: 'kubernetes.io/basic-auth',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

export function certificateSecrets(cluster: KubeObject, image: string): KubeObject[] {
  const name = cluster.metadata.name!;
  const labels = { ...commonLabels(cluster, image), 'cnpg.io/reload': 'true' };
  const tls = (suffix: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(cluster, `${name}-${suffix}`, labels),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pem('CERTIFICATE')), 'tls.key': b64(pem('EC PRIVATE KEY')) },
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(cluster, `${name}-ca`, labels),
      type: 'Opaque',
      data: { 'ca.crt': b64(pem('CERTIFICATE')), 'ca.key': b64(pem('EC PRIVATE KEY')) },
    },
    tls('server'),
    tls('replication'),
  ];
}

/** X-pooler: the client certificate of role cnpg_pooler_pgbouncer, for Poolers the operator integrates. */
export function poolerSecret(cluster: KubeObject, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(cluster, `${cluster.metadata.name}-pooler`, {
      ...commonLabels(cluster, image),
      'cnpg.io/reload': 'true',
    }),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pem('CERTIFICATE')), 'tls.key': b64(pem('EC PRIVATE KEY')) },
  };
}

export function services(cluster: KubeObject, image: string): KubeObject[] {
  const name = cluster.metadata.name!;
  const disabled = new Set(
    (asRecord(asRecord(asRecord(cluster.spec).managed).services).disabledDefaultServices as
      | string[]
      | undefined) ?? [],
  );
  const svc = (suffix: string, selector: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(cluster, `${name}-${suffix}`, commonLabels(cluster, image)),
    spec: {
      type: 'ClusterIP',
      clusterIP: `10.96.${randomInt(1, 255)}.${randomInt(1, 255)}`,
      ports: [{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 5432 }],
      selector,
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  });
  const out = [svc('rw', { 'cnpg.io/cluster': name, 'cnpg.io/instanceRole': 'primary' })];
  if (!disabled.has('ro'))
    out.push(svc('ro', { 'cnpg.io/cluster': name, 'cnpg.io/instanceRole': 'replica' }));
  if (!disabled.has('r')) out.push(svc('r', { 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'instance' }));
  return out;
}

export function serviceAccount(cluster: KubeObject, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(cluster, cluster.metadata.name!, commonLabels(cluster, image)),
  };
}

export function podDisruptionBudgets(cluster: KubeObject, image: string, instances: number): KubeObject[] {
  const name = cluster.metadata.name!;
  const pdb = (pdbName: string, minAvailable: number, selector: Record<string, string>): KubeObject => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(cluster, pdbName, commonLabels(cluster, image)),
    spec: { minAvailable, selector: { matchLabels: selector } },
  });
  const out = [pdb(`${name}-primary`, 1, { 'cnpg.io/cluster': name, 'cnpg.io/instanceRole': 'primary' })];
  if (instances >= 3) {
    out.push(pdb(name, instances - 2, { 'cnpg.io/cluster': name, 'cnpg.io/instanceRole': 'replica' }));
  }
  return out;
}

export type PvcRole = 'PG_DATA' | 'PG_WAL';

/** The volume a storage section (spec.storage or spec.walStorage) asks for. */
function requestedStorage(section: unknown): { size: string; storageClass?: string } {
  const storage = asRecord(section);
  const template = asRecord(asRecord(asRecord(storage.pvcTemplate).resources).requests).storage;
  const size = typeof storage.size === 'string' && storage.size !== '' ? storage.size : template;
  return {
    size: typeof size === 'string' ? size : '1Gi',
    ...(typeof storage.storageClass === 'string' ? { storageClass: storage.storageClass } : {}),
  };
}

/** The PVC roles an instance has: PG_DATA, and PG_WAL with spec.walStorage. */
export function instancePvcRoles(cluster: KubeObject): PvcRole[] {
  return asRecord(cluster.spec).walStorage !== undefined ? ['PG_DATA', 'PG_WAL'] : ['PG_DATA'];
}

export function pvcName(instance: string, role: PvcRole): string {
  return role === 'PG_WAL' ? `${instance}-wal` : instance;
}

export function instancePvc(
  cluster: KubeObject,
  image: string,
  serial: number,
  status: 'initializing' | 'ready',
  role: 'primary' | 'replica',
  pvcRole: PvcRole = 'PG_DATA',
  dataSource?: Record<string, unknown>,
): KubeObject {
  const name = cluster.metadata.name!;
  const instance = `${name}-${serial}`;
  const spec = asRecord(cluster.spec);
  const { size, storageClass } = requestedStorage(pvcRole === 'PG_WAL' ? spec.walStorage : spec.storage);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(
      cluster,
      pvcName(instance, pvcRole),
      {
        ...commonLabels(cluster, image),
        'cnpg.io/instanceName': instance,
        'cnpg.io/pvcRole': pvcRole,
        'cnpg.io/instanceRole': role,
        role,
      },
      { 'cnpg.io/nodeSerial': String(serial), 'cnpg.io/pvcStatus': status },
    ),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName: storageClass ?? 'standard',
      volumeMode: 'Filesystem',
      ...(dataSource ? { dataSource, dataSourceRef: dataSource } : {}),
      volumeName: `pvc-${randomBytes(16)
        .toString('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}`,
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } },
  };
}

export function instanceJob(
  cluster: KubeObject,
  image: string,
  serial: number,
  role: BootstrapJobRole | 'join' | 'major-upgrade',
): KubeObject {
  const instance = `${cluster.metadata.name}-${serial}`;
  const labels = {
    ...commonLabels(cluster, image),
    'cnpg.io/instanceName': instance,
    'cnpg.io/jobRole': role,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...meta(cluster, `${instance}-${role}`, labels) },
    spec: {
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: role, image, command: ['/controller/manager', 'instance', role] }],
        },
      },
    },
    status: { active: 1, startTime: undefined },
  };
}

let nextIp = 10;

export function instancePod(
  cluster: KubeObject,
  image: string,
  serial: number,
  role: 'primary' | 'replica',
  startedAt: string,
  ready: boolean,
): KubeObject {
  const name = cluster.metadata.name!;
  const instance = `${name}-${serial}`;
  const restartedAt = cluster.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
  const spec = asRecord(cluster.spec);
  nextIp = nextIp >= 250 ? 10 : nextIp + 1;
  const podIP = `10.244.0.${nextIp}`;
  const env = [
    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    { name: 'POD_NAME', value: instance },
    { name: 'NAMESPACE', value: cluster.metadata.namespace! },
    { name: 'CLUSTER_NAME', value: name },
    { name: 'PGPORT', value: '5432' },
    { name: 'PGHOST', value: '/controller/run' },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta(
        cluster,
        instance,
        {
          ...commonLabels(cluster, image),
          'cnpg.io/instanceName': instance,
          'cnpg.io/podRole': 'instance',
          'cnpg.io/instanceRole': role,
          role,
        },
        {
          'cnpg.io/nodeSerial': String(serial),
          'cnpg.io/podEnvHash': randomBytes(5).toString('hex'),
          ...(restartedAt ? { 'kubectl.kubernetes.io/restartedAt': restartedAt } : {}),
        },
      ),
      ownerReferences: [ownerRef(cluster, true)],
    },
    spec: {
      hostname: instance,
      subdomain: `${name}-any`,
      serviceAccountName: name,
      nodeName: 'emulated-node-1',
      restartPolicy: 'Always',
      schedulerName: typeof spec.schedulerName === 'string' ? spec.schedulerName : 'default-scheduler',
      initContainers: [
        { name: 'bootstrap-controller', image: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0' },
      ],
      containers: [
        {
          name: 'postgres',
          image,
          env,
          ports: [
            { name: 'postgresql', containerPort: 5432, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9187, protocol: 'TCP' },
            { name: 'status', containerPort: 8000, protocol: 'TCP' },
          ],
          resources: asRecord(spec.resources),
        },
      ],
      volumes: [
        { name: 'pgdata', persistentVolumeClaim: { claimName: instance } },
        ...(spec.walStorage !== undefined
          ? [{ name: 'pg-wal', persistentVolumeClaim: { claimName: pvcName(instance, 'PG_WAL') } }]
          : []),
      ],
    },
    status: podStatus(image, podIP, startedAt, ready),
  };
}

export function podStatus(
  image: string,
  podIP: string,
  startedAt: string,
  ready: boolean,
): Record<string, unknown> {
  const condition = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: startedAt,
  });
  return {
    phase: 'Running',
    podIP,
    podIPs: [{ ip: podIP }],
    hostIP: '172.18.0.2',
    startTime: startedAt,
    qosClass: 'BestEffort',
    conditions: [
      condition('Initialized', true),
      condition('Ready', ready),
      condition('ContainersReady', ready),
      condition('PodScheduled', true),
    ],
    initContainerStatuses: [
      {
        name: 'bootstrap-controller',
        ready: true,
        restartCount: 0,
        image: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0',
        imageID: '',
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt } },
      },
    ],
    containerStatuses: [
      {
        name: 'postgres',
        ready,
        started: true,
        restartCount: 0,
        image,
        imageID: `${image.split(':')[0]}@sha256:${randomBytes(32).toString('hex')}`,
        containerID: `containerd://${randomBytes(32).toString('hex')}`,
        state: { running: { startedAt } },
      },
    ],
  };
}
