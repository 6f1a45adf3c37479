/**
 * The postgresql.cnpg.io/v1 CRD schemas (CNPG 1.30), reduced to what the emulator checks: the fields
 * a management tool sets are typed with their enums, bounds, defaults and CEL rules; large
 * Kubernetes-typed subtrees (pod templates, affinity, resources) are preserved unchecked.
 */
import { isPlainObject } from '../types.js';
import { immutable, type Schema, s } from './schema.js';

const clusterRef = s.obj(
  { name: s.str({ default: '' }) },
  { rules: [immutable('cluster reference is immutable after creation')] },
);

const secretKeySelector = s.obj({ name: s.str(), key: s.str() }, { required: ['key'] });

const storage = s.obj({
  size: s.str(),
  storageClass: s.str(),
  resizeInUseVolumes: s.bool({ default: true }),
  pvcTemplate: s.any(),
});

const roleFields: Record<string, Schema> = {
  name: s.str(),
  comment: s.str(),
  ensure: s.enum(['present', 'absent'], { default: 'present' }),
  login: s.bool(),
  superuser: s.bool(),
  createdb: s.bool(),
  createrole: s.bool(),
  inherit: s.bool({ default: true }),
  replication: s.bool(),
  bypassrls: s.bool(),
  connectionLimit: s.int({ default: -1 }),
  validUntil: s.str({ format: 'date-time' }),
  inRoles: s.arr(s.str()),
  passwordSecret: s.ref(),
  disablePassword: s.bool(),
};

const barmanObjectStore = s.any();
const plugin = s.obj(
  {
    name: s.str(),
    enabled: s.bool({ default: true }),
    isWALArchiver: s.bool({ default: false }),
    parameters: s.map(),
  },
  { required: ['name'] },
);

const onlineConfiguration = s.obj({
  waitForArchive: s.bool({ default: true }),
  immediateCheckpoint: s.bool(),
});

const recoveryTarget = s.obj({
  backupID: s.str(),
  targetTLI: s.str(),
  targetXID: s.str(),
  targetName: s.str(),
  targetLSN: s.str(),
  targetTime: s.str(),
  targetImmediate: s.bool(),
  exclusive: s.bool(),
});

const bootstrap = s.obj({
  initdb: s.obj({
    database: s.str(),
    owner: s.str(),
    secret: s.ref(),
    options: s.arr(s.str()),
    dataChecksums: s.bool(),
    encoding: s.str(),
    localeCollate: s.str(),
    localeCType: s.str(),
    locale: s.str(),
    localeProvider: s.str(),
    icuLocale: s.str(),
    icuRules: s.str(),
    builtinLocale: s.str(),
    walSegmentSize: s.int({ minimum: 1, maximum: 1024 }),
    postInitSQL: s.arr(s.str()),
    postInitApplicationSQL: s.arr(s.str()),
    postInitTemplateSQL: s.arr(s.str()),
    postInitSQLRefs: s.any(),
    postInitApplicationSQLRefs: s.any(),
    postInitTemplateSQLRefs: s.any(),
    import: s.any(),
  }),
  recovery: s.obj({
    backup: s.obj({ name: s.str(), endpointCA: secretKeySelector }, { required: ['name'] }),
    source: s.str(),
    volumeSnapshots: s.any(),
    recoveryTarget,
    database: s.str(),
    owner: s.str(),
    secret: s.ref(),
  }),
  pg_basebackup: s.obj(
    { source: s.str({ minLength: 1 }), database: s.str(), owner: s.str(), secret: s.ref() },
    { required: ['source'] },
  ),
});

const imageCatalogRef = s.obj(
  { apiGroup: s.str(), kind: s.str(), name: s.str(), major: s.int() },
  {
    required: ['kind', 'name', 'major'],
    rules: [
      {
        message: 'Only image catalogs are supported',
        field: 'kind',
        check: (self) =>
          isPlainObject(self) && (self.kind === 'ImageCatalog' || self.kind === 'ClusterImageCatalog'),
      },
      {
        message: 'Only image catalogs are supported',
        field: 'apiGroup',
        check: (self) => isPlainObject(self) && self.apiGroup === 'postgresql.cnpg.io',
      },
    ],
  },
);

const clusterSpec = s.obj(
  {
    description: s.str(),
    inheritedMetadata: s.obj({ labels: s.map(), annotations: s.map() }),
    imageName: s.str(),
    imageCatalogRef,
    imagePullPolicy: s.enum(['Always', 'Never', 'IfNotPresent']),
    schedulerName: s.str(),
    postgresUID: s.int({ default: 26 }),
    postgresGID: s.int({ default: 26 }),
    instances: s.int({ minimum: 1, default: 1 }),
    minSyncReplicas: s.int({ minimum: 0, default: 0 }),
    maxSyncReplicas: s.int({ minimum: 0, default: 0 }),
    postgresql: s.obj({
      parameters: s.map(),
      synchronous: s.obj(
        {
          method: s.enum(['any', 'first']),
          number: s.int({ minimum: 1 }),
          dataDurability: s.enum(['required', 'preferred']),
          maxStandbyNamesFromCluster: s.int(),
          standbyNamesPre: s.arr(s.str()),
          standbyNamesPost: s.arr(s.str()),
          failoverQuorum: s.bool(),
        },
        { required: ['method', 'number'] },
      ),
      pg_hba: s.arr(s.str()),
      pg_ident: s.arr(s.str()),
      syncReplicaElectionConstraint: s.any(),
      shared_preload_libraries: s.arr(s.str()),
      ldap: s.any(),
      promotionTimeout: s.int(),
      enableAlterSystem: s.bool(),
      extensions: s.arr(s.any()),
    }),
    replicationSlots: s.any(),
    bootstrap,
    replica: s.obj({
      self: s.str(),
      primary: s.str(),
      source: s.str({ minLength: 1 }),
      enabled: s.bool(),
      promotionToken: s.str(),
      minApplyDelay: s.str(),
    }),
    superuserSecret: s.ref(),
    enableSuperuserAccess: s.bool({ default: false }),
    certificates: s.any(),
    imagePullSecrets: s.arr(s.ref()),
    storage,
    serviceAccountTemplate: s.any(),
    walStorage: storage,
    ephemeralVolumeSource: s.any(),
    startDelay: s.int({ default: 3600 }),
    stopDelay: s.int({ default: 1800 }),
    smartShutdownTimeout: s.int({ default: 180 }),
    switchoverDelay: s.int({ default: 3600 }),
    failoverDelay: s.int({ default: 0 }),
    livenessProbeTimeout: s.int(),
    affinity: s.any(),
    topologySpreadConstraints: s.arr(s.any()),
    resources: s.any(),
    ephemeralVolumesSizeLimit: s.any(),
    priorityClassName: s.str(),
    primaryUpdateStrategy: s.enum(['unsupervised', 'supervised'], { default: 'unsupervised' }),
    primaryUpdateMethod: s.enum(['switchover', 'restart'], { default: 'restart' }),
    backup: s.obj({
      barmanObjectStore,
      retentionPolicy: s.str({ pattern: '^[1-9][0-9]*[dwm]$' }),
      target: s.enum(['primary', 'prefer-standby'], { default: 'prefer-standby' }),
      volumeSnapshot: s.obj({
        labels: s.map(),
        annotations: s.map(),
        className: s.str(),
        walClassName: s.str(),
        tablespaceClassName: s.map(),
        snapshotOwnerReference: s.enum(['none', 'cluster', 'backup'], { default: 'none' }),
        online: s.bool({ default: true }),
        onlineConfiguration,
      }),
    }),
    nodeMaintenanceWindow: s.obj({
      inProgress: s.bool({ default: false }),
      reusePVC: s.bool({ default: true }),
    }),
    monitoring: s.any(),
    externalClusters: s.arr(
      s.obj(
        {
          name: s.str(),
          connectionParameters: s.map(),
          sslCert: secretKeySelector,
          sslKey: secretKeySelector,
          sslRootCert: secretKeySelector,
          password: secretKeySelector,
          barmanObjectStore,
          plugin,
        },
        { required: ['name'] },
      ),
    ),
    logLevel: s.enum(['error', 'warning', 'info', 'debug', 'trace'], { default: 'info' }),
    projectedVolumeTemplate: s.any(),
    env: s.arr(s.any()),
    envFrom: s.arr(s.any()),
    managed: s.obj({
      roles: s.arr(s.obj(roleFields, { required: ['name'] })),
      services: s.obj({
        disabledDefaultServices: s.arr(s.enum(['rw', 'r', 'ro'])),
        additional: s.arr(
          s.obj(
            {
              selectorType: s.enum(['rw', 'r', 'ro']),
              updateStrategy: s.enum(['patch', 'replace'], { default: 'patch' }),
              serviceTemplate: s.any(),
            },
            { required: ['selectorType', 'serviceTemplate'] },
          ),
        ),
      }),
    }),
    seccompProfile: s.any(),
    podSecurityContext: s.any(),
    securityContext: s.any(),
    tablespaces: s.arr(
      s.obj(
        { name: s.str(), storage, owner: s.obj({ name: s.str() }), temporary: s.bool({ default: false }) },
        { required: ['name', 'storage'] },
      ),
    ),
    enablePDB: s.bool({ default: true }),
    plugins: s.arr(plugin),
    probes: s.any(),
    primaryLease: s.any(),
    serviceAccountName: s.str({
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      rules: [immutable('serviceAccountName is immutable')],
    }),
  },
  {
    rules: [
      {
        message: 'imageName and imageCatalogRef are mutually exclusive',
        check: (self) =>
          !(isPlainObject(self) && self.imageCatalogRef !== undefined && self.imageName !== undefined),
      },
    ],
  },
);

const backupMethod = s.enum(['barmanObjectStore', 'volumeSnapshot', 'plugin'], {
  default: 'barmanObjectStore',
});
const pluginConfiguration = s.obj({ name: s.str(), parameters: s.map() }, { required: ['name'] });

const backupSpec = s.obj(
  {
    cluster: s.obj({ name: s.str({ default: '' }) }),
    target: s.enum(['primary', 'prefer-standby']),
    method: backupMethod,
    pluginConfiguration,
    online: s.bool(),
    onlineConfiguration,
  },
  {
    required: ['cluster'],
    rules: [
      {
        transition: true,
        message: 'BackupSpec is immutable once set',
        check: (self, old) => JSON.stringify(self) === JSON.stringify(old),
      },
    ],
  },
);

const scheduledBackupSpec = s.obj(
  {
    suspend: s.bool(),
    immediate: s.bool(),
    schedule: s.str(),
    cluster: clusterRef,
    backupOwnerReference: s.enum(['none', 'self', 'cluster'], { default: 'none' }),
    target: s.enum(['primary', 'prefer-standby']),
    method: backupMethod,
    pluginConfiguration,
    online: s.bool(),
    onlineConfiguration,
  },
  { required: ['schedule', 'cluster'] },
);

const poolerSpec = s.obj(
  {
    cluster: clusterRef,
    type: s.enum(['rw', 'ro', 'r'], { default: 'rw' }),
    instances: s.int({ default: 1, minimum: 0 }),
    template: s.any(),
    pgbouncer: s.obj({
      poolMode: s.enum(['session', 'transaction'], { default: 'session' }),
      serverTLSSecret: s.ref(),
      serverCASecret: s.ref(),
      clientCASecret: s.ref(),
      clientTLSSecret: s.ref(),
      authQuerySecret: s.ref(),
      authQuery: s.str(),
      parameters: s.map(),
      pg_hba: s.arr(s.str()),
      paused: s.bool({ default: false }),
      image: s.str(),
      imageCatalogRef: s.any(),
    }),
    monitoring: s.any(),
    serviceTemplate: s.any(),
    deploymentStrategy: s.any(),
    serviceAccountName: s.str(),
  },
  { required: ['cluster', 'pgbouncer'] },
);

const databaseObject = (extra: Record<string, Schema>) =>
  s.arr(
    s.obj(
      { name: s.str(), ensure: s.enum(['present', 'absent'], { default: 'present' }), ...extra },
      { required: ['name'] },
    ),
  );

const databaseSpec = s.obj(
  {
    cluster: clusterRef,
    ensure: s.enum(['present', 'absent'], { default: 'present' }),
    name: s.str({
      rules: [
        immutable('name is immutable'),
        { message: 'the name postgres is reserved', check: (v) => v !== 'postgres' },
        { message: 'the name template0 is reserved', check: (v) => v !== 'template0' },
        { message: 'the name template1 is reserved', check: (v) => v !== 'template1' },
      ],
    }),
    owner: s.str(),
    template: s.str({ rules: [immutable('template is immutable')] }),
    encoding: s.str({ rules: [immutable('encoding is immutable')] }),
    locale: s.str({ rules: [immutable('locale is immutable')] }),
    localeProvider: s.str({ rules: [immutable('localeProvider is immutable')] }),
    localeCollate: s.str({ rules: [immutable('localeCollate is immutable')] }),
    localeCType: s.str({ rules: [immutable('localeCType is immutable')] }),
    icuLocale: s.str({ rules: [immutable('icuLocale is immutable')] }),
    icuRules: s.str({ rules: [immutable('icuRules is immutable')] }),
    builtinLocale: s.str({ rules: [immutable('builtinLocale is immutable')] }),
    collationVersion: s.str({ rules: [immutable('collationVersion is immutable')] }),
    isTemplate: s.bool(),
    allowConnections: s.bool(),
    connectionLimit: s.int(),
    tablespace: s.str(),
    databaseReclaimPolicy: s.enum(['delete', 'retain'], { default: 'retain' }),
    schemas: databaseObject({ owner: s.str() }),
    extensions: databaseObject({ version: s.str(), schema: s.str() }),
    fdws: databaseObject({
      handler: s.str(),
      validator: s.str(),
      owner: s.str(),
      options: s.arr(s.any()),
      usage: s.arr(s.any()),
    }),
    servers: databaseObject({ fdw: s.str(), options: s.arr(s.any()), usage: s.arr(s.any()) }),
  },
  {
    required: ['cluster', 'name', 'owner'],
    rules: [
      {
        message: 'builtinLocale is only available when localeProvider is set to `builtin`',
        check: (v) => !isPlainObject(v) || v.builtinLocale === undefined || v.localeProvider === 'builtin',
      },
      {
        message: 'icuLocale is only available when localeProvider is set to `icu`',
        check: (v) => !isPlainObject(v) || v.icuLocale === undefined || v.localeProvider === 'icu',
      },
      {
        message: 'icuRules is only available when localeProvider is set to `icu`',
        check: (v) => !isPlainObject(v) || v.icuRules === undefined || v.localeProvider === 'icu',
      },
    ],
  },
);

const immutableStr = (what: string) => s.str({ rules: [immutable(`${what} is immutable`)] });

const publicationSpec = s.obj(
  {
    cluster: clusterRef,
    name: immutableStr('name'),
    dbname: immutableStr('dbname'),
    parameters: s.map(),
    target: s.obj({ allTables: s.bool(), objects: s.arr(s.any()) }),
    publicationReclaimPolicy: s.enum(['delete', 'retain'], { default: 'retain' }),
  },
  { required: ['cluster', 'name', 'dbname', 'target'] },
);

const subscriptionSpec = s.obj(
  {
    cluster: clusterRef,
    name: immutableStr('name'),
    dbname: immutableStr('dbname'),
    parameters: s.map(),
    publicationName: s.str(),
    publicationDBName: s.str(),
    externalClusterName: s.str(),
    subscriptionReclaimPolicy: s.enum(['delete', 'retain'], { default: 'retain' }),
  },
  { required: ['cluster', 'name', 'dbname', 'publicationName', 'externalClusterName'] },
);

const reservedRole = (name: unknown): boolean =>
  typeof name === 'string' &&
  name !== '' &&
  name !== 'postgres' &&
  name !== 'streaming_replica' &&
  !name.startsWith('pg_') &&
  !name.startsWith('cnpg_');

const databaseRoleSpec = s.obj(
  {
    ...roleFields,
    name: s.str({
      rules: [
        immutable('name is immutable'),
        { message: 'the role name is reserved or empty', check: reservedRole },
      ],
    }),
    ensure: s.enum(['present'], { default: 'present' }),
    cluster: clusterRef,
    databaseRoleReclaimPolicy: s.enum(['delete', 'retain'], { default: 'retain' }),
    clientCertificate: s.obj({ enabled: s.bool({ default: true }) }),
  },
  {
    required: ['cluster', 'name'],
    rules: [
      {
        message: 'passwordSecret and disablePassword are mutually exclusive',
        check: (v) => !isPlainObject(v) || !(v.passwordSecret !== undefined && v.disablePassword === true),
      },
      {
        message: 'clientCertificate requires login',
        check: (v) =>
          !isPlainObject(v) ||
          !isPlainObject(v.clientCertificate) ||
          v.clientCertificate.enabled === false ||
          v.login === true,
      },
    ],
  },
);

const imageCatalogSpec = s.obj(
  {
    images: s.arr(
      s.obj(
        { image: s.str(), major: s.int({ minimum: 10 }), extensions: s.arr(s.any()) },
        { required: ['image', 'major'] },
      ),
      {
        minItems: 1,
        maxItems: 8,
        rules: [
          {
            message: 'Images must have unique major versions',
            check: (v) => {
              const majors = Array.isArray(v) ? v.map((i) => (isPlainObject(i) ? i.major : undefined)) : [];
              return new Set(majors).size === majors.length;
            },
          },
        ],
      },
    ),
    componentImages: s.arr(
      s.obj(
        { key: s.str({ maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }), image: s.str() },
        { required: ['key', 'image'] },
      ),
      { maxItems: 32 },
    ),
  },
  { required: ['images'] },
);

function topLevel(spec: Schema): Schema {
  return s.obj(
    { apiVersion: s.str(), kind: s.str(), metadata: s.any(), spec, status: s.any() },
    { required: ['metadata', 'spec'] },
  );
}

/** Schemas by kind. */
export const CNPG_SCHEMAS: Record<string, Schema> = {
  Cluster: topLevel(clusterSpec),
  Backup: topLevel(backupSpec),
  ScheduledBackup: topLevel(scheduledBackupSpec),
  Pooler: topLevel(poolerSpec),
  Database: topLevel(databaseSpec),
  Publication: topLevel(publicationSpec),
  Subscription: topLevel(subscriptionSpec),
  DatabaseRole: topLevel(databaseRoleSpec),
  ImageCatalog: topLevel(imageCatalogSpec),
  ClusterImageCatalog: topLevel(imageCatalogSpec),
  FailoverQuorum: s.obj(
    { apiVersion: s.str(), kind: s.str(), metadata: s.any(), status: s.any() },
    { required: ['metadata'] },
  ),
};
