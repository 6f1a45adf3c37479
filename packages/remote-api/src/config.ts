import { z } from 'zod';

const csv = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

const namespaceName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const boolString = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Every environment variable the remote API reads, with its default. */
const envSchema = z
  .object({
    OIDC_ISSUER: z.url({ message: 'expected the issuer URL, e.g. https://tenant.auth0.com/' }),
    OIDC_AUDIENCE: z.string().min(1, 'expected the API audience, e.g. https://cnpg-mcp.example.com/api'),
    OIDC_JWKS_URI: z.url().optional(),
    OIDC_ALGORITHMS: z
      .string()
      .default(ALLOWED_ALGORITHMS.join(','))
      .transform(csv)
      .pipe(
        z
          .array(
            z.enum(ALLOWED_ALGORITHMS, { message: `expected a list of ${ALLOWED_ALGORITHMS.join(', ')}` }),
          )
          .min(1),
      ),
    OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    OIDC_MAX_TOKEN_BYTES: z.coerce.number().int().min(512).max(65536).default(8192),
    OIDC_INTROSPECTION: z.enum(['off', 'on']).default('off'),
    OIDC_INTROSPECTION_ENDPOINT: z.url().optional(),
    OIDC_INTROSPECTION_CLIENT_ID: z.string().min(1).optional(),
    OIDC_INTROSPECTION_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_INTROSPECTION_CACHE_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
    OIDC_INTROSPECTION_REQUIRE_AUDIENCE: boolString.default(true),
    JWKS_COOLDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    JWKS_CACHE_MAX_AGE_SECONDS: z.coerce.number().min(1).max(86400).default(600),
    GROUPS_CLAIM: z.string().min(1).default('groups'),
    SCOPE_READ: z.string().min(1).default('mcp:read'),
    SCOPE_WRITE: z.string().min(1).default('mcp:write'),
    REQUIRED_SCOPES: z.string().default('').transform(csv),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    PUBLIC_URL: z.url().optional(),
    RESOURCE: z.url().optional(),
    ALLOWED_NAMESPACES: z
      .string()
      .default('*')
      .transform(csv)
      .pipe(
        z
          .array(z.union([z.literal('*'), z.string().regex(namespaceName, 'expected namespace names or *')]))
          .min(1, 'expected * or a comma-separated list of namespaces'),
      ),
    DEFAULT_NAMESPACE: z.string().regex(namespaceName, 'expected a namespace name').default('default'),
    /** Set from the downward API (metadata.namespace) in the Deployment: the remote's own namespace. */
    POD_NAMESPACE: z.string().regex(namespaceName, 'expected a namespace name').optional(),
    QUOTA_NAMESPACE: z.string().regex(namespaceName, 'expected a namespace name').optional(),
    QUOTA_RESERVATION_SECONDS: z.coerce.number().int().min(10).max(3600).default(120),
    POLICY_FILE: z.string().min(1).optional(),
    IMPERSONATION: z.enum(['off', 'user-id', 'email']).default('off'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    AUDIT_LOG: z.string().min(1).default('stdout'),
    KUBECONFIG: z.string().min(1).optional(),
    KUBE_CONTEXT: z.string().min(1).optional(),
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(25),
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    WAIT_POLL_MS: z.coerce.number().int().min(50).max(60000).default(2000),
    KUBE_REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(600).default(30),
    KUBE_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    TRUST_PROXY: boolString.default(false),
  })
  .superRefine((env, ctx) => {
    if (env.OIDC_INTROSPECTION !== 'on') return;
    for (const key of ['OIDC_INTROSPECTION_CLIENT_ID', 'OIDC_INTROSPECTION_CLIENT_SECRET'] as const) {
      if (!env[key])
        ctx.addIssue({ code: 'custom', path: [key], message: 'required when OIDC_INTROSPECTION=on' });
    }
  });

export type RemoteApiEnv = z.input<typeof envSchema>;

export interface RemoteApiConfig {
  oidc: {
    issuer: string;
    audience: string;
    jwksUri: string | undefined;
    algorithms: string[];
    clockToleranceSeconds: number;
    maxTokenBytes: number;
    jwksCooldownSeconds: number;
    jwksCacheMaxAgeSeconds: number;
    groupsClaim: string;
    /** RFC 7662 introspection of opaque tokens; undefined when off. */
    introspection:
      | {
          endpoint: string | undefined;
          clientId: string;
          clientSecret: string;
          cacheSeconds: number;
          requireAudience: boolean;
        }
      | undefined;
  };
  scopes: { read: string; write: string; required: string[] };
  host: string;
  port: number;
  publicUrl: string | undefined;
  resource: string;
  allowedNamespaces: string[];
  defaultNamespace: string;
  /** Where the quota ledger's ConfigMaps live (QUOTA_NAMESPACE, else POD_NAMESPACE, else DEFAULT_NAMESPACE). */
  quotaNamespace: string;
  /** How long a quota reservation holds when its object is never made (a crashed replica). */
  quotaReservationMs: number;
  policyFile: string | undefined;
  impersonation: 'off' | 'user-id' | 'email';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  auditLog: string;
  kubeconfig: string | undefined;
  kubeContext: string | undefined;
  shutdownTimeoutSeconds: number;
  maxBodyBytes: number;
  waitPollMs: number;
  /** Time limit and attempts of one Kubernetes call (retries only where safe: see kube/resilience). */
  kubeRequestTimeoutMs: number;
  kubeRetryAttempts: number;
  trustProxy: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid remote-api configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from environment variables; a bad one throws a ConfigError naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): RemoteApiConfig {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const given = relevant[variable];
        return `${variable}: ${issue.message}${given === undefined ? ' (not set)' : ''}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    oidc: {
      issuer: e.OIDC_ISSUER,
      audience: e.OIDC_AUDIENCE,
      jwksUri: e.OIDC_JWKS_URI,
      algorithms: e.OIDC_ALGORITHMS,
      clockToleranceSeconds: e.OIDC_CLOCK_TOLERANCE_SECONDS,
      maxTokenBytes: e.OIDC_MAX_TOKEN_BYTES,
      jwksCooldownSeconds: e.JWKS_COOLDOWN_SECONDS,
      jwksCacheMaxAgeSeconds: e.JWKS_CACHE_MAX_AGE_SECONDS,
      groupsClaim: e.GROUPS_CLAIM,
      introspection:
        e.OIDC_INTROSPECTION === 'on'
          ? {
              endpoint: e.OIDC_INTROSPECTION_ENDPOINT,
              clientId: e.OIDC_INTROSPECTION_CLIENT_ID ?? '',
              clientSecret: e.OIDC_INTROSPECTION_CLIENT_SECRET ?? '',
              cacheSeconds: e.OIDC_INTROSPECTION_CACHE_SECONDS,
              requireAudience: e.OIDC_INTROSPECTION_REQUIRE_AUDIENCE,
            }
          : undefined,
    },
    scopes: { read: e.SCOPE_READ, write: e.SCOPE_WRITE, required: e.REQUIRED_SCOPES },
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    resource: e.RESOURCE ?? e.OIDC_AUDIENCE,
    allowedNamespaces: e.ALLOWED_NAMESPACES.includes('*') ? ['*'] : e.ALLOWED_NAMESPACES,
    defaultNamespace: e.DEFAULT_NAMESPACE,
    quotaNamespace: e.QUOTA_NAMESPACE ?? e.POD_NAMESPACE ?? e.DEFAULT_NAMESPACE,
    quotaReservationMs: e.QUOTA_RESERVATION_SECONDS * 1000,
    policyFile: e.POLICY_FILE,
    impersonation: e.IMPERSONATION,
    logLevel: e.LOG_LEVEL,
    auditLog: e.AUDIT_LOG,
    kubeconfig: e.KUBECONFIG,
    kubeContext: e.KUBE_CONTEXT,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    waitPollMs: e.WAIT_POLL_MS,
    kubeRequestTimeoutMs: e.KUBE_REQUEST_TIMEOUT_SECONDS * 1000,
    kubeRetryAttempts: e.KUBE_RETRY_ATTEMPTS,
    trustProxy: e.TRUST_PROXY,
  };
}
