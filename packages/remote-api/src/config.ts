import { readFileSync } from 'node:fs';
import { parseToolsets, type ToolGroup, ToolsetError } from '@cnpg-mcp/catalog';
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

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/i;
const HOST_HEADER = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

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
    TOKEN_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    GROUPS_CLAIM: z.string().min(1).default('groups'),
    SCOPE_READ: z.string().min(1).default('mcp:read'),
    SCOPE_WRITE: z.string().min(1).default('mcp:write'),
    REQUIRED_SCOPES: z.string().default('').transform(csv),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    PUBLIC_URL: z
      .url({ message: 'expected the external URL, e.g. https://cnpg-mcp.example.com' })
      .refine((value) => /^https?:$/.test(new URL(value).protocol), 'expected an http(s) URL')
      .refine(
        (value) => new URL(value).pathname.replace(/\/+$/, '') === '' && !new URL(value).search,
        'expected an origin without a path, e.g. https://cnpg-mcp.example.com (the MCP endpoint is PUBLIC_URL/mcp)',
      )
      .optional(),
    ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform(csv)
      .pipe(z.array(z.string().regex(ORIGIN, 'expected origins such as https://claude.ai, comma-separated'))),
    ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform(csv)
      .pipe(
        z.array(z.string().regex(HOST_HEADER, 'expected host names (host or host:port), comma-separated')),
      ),
    OAUTH_MODE: z.enum(['pass-through', 'proxy']).default('pass-through'),
    DESKTOP_CLIENT_ID: z.string().min(1).optional(),
    OAUTH_PROXY_CLIENT_ID: z.string().min(1).optional(),
    OAUTH_PROXY_CLIENT_SECRET: z.string().min(1).optional(),
    OAUTH_PROXY_CLIENT_SECRET_FILE: z.string().min(1).optional(),
    OAUTH_PROXY_KEYS: z.string().min(1).optional(),
    OAUTH_PROXY_KEYS_FILE: z.string().min(1).optional(),
    OAUTH_PROXY_UPSTREAM_SCOPES: z.string().min(1).default('openid profile email offline_access'),
    OAUTH_PROXY_AUDIENCE_PARAMETER: z.enum(['audience', 'resource', 'both']).default('audience'),
    CLIENT_METADATA_DOCUMENTS: z.enum(['on', 'off']).default('on'),
    CLIENT_METADATA_ALLOW_PRIVATE_ADDRESSES: boolString.default(false),
    HEADERS_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(10),
    REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
    MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100000).default(1024),
    MAX_IN_FLIGHT_PER_CALLER: z.coerce.number().int().min(1).max(10000).default(16),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    METRICS_TOKEN_FILE: z.string().min(1).optional(),
    NODE_ENV: z.string().optional(),
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
    READ_CACHE: z.enum(['on', 'off']).default('on'),
    READ_CACHE_ACCESS_TTL_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
    TRUST_PROXY: boolString.default(false),
    TOOLSETS: z
      .string()
      .default('default')
      .transform((value, ctx) => {
        try {
          return parseToolsets(value);
        } catch (error) {
          if (!(error instanceof ToolsetError)) throw error;
          ctx.addIssue({ code: 'custom', message: error.message });
          return z.NEVER;
        }
      }),
    ELICITATION: z.enum(['on', 'off']).default('on'),
    CONFIRMATION_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  })
  .superRefine((env, ctx) => {
    if (env.OIDC_INTROSPECTION === 'on') {
      for (const key of ['OIDC_INTROSPECTION_CLIENT_ID', 'OIDC_INTROSPECTION_CLIENT_SECRET'] as const) {
        if (!env[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when OIDC_INTROSPECTION=on' });
      }
    }
    if (env.HEADERS_TIMEOUT_SECONDS > env.REQUEST_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HEADERS_TIMEOUT_SECONDS'],
        message: 'must not exceed REQUEST_TIMEOUT_SECONDS',
      });
    }
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL && !env.TRUST_PROXY) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message:
          'required in production (NODE_ENV=production): the external URL, e.g. https://cnpg-mcp.example.com; or TRUST_PROXY=true to take it from X-Forwarded-Proto/X-Forwarded-Host of a proxy you control',
      });
    }
    if (env.OAUTH_MODE === 'proxy') {
      if (!env.OAUTH_PROXY_CLIENT_ID)
        ctx.addIssue({
          code: 'custom',
          path: ['OAUTH_PROXY_CLIENT_ID'],
          message: "required when OAUTH_MODE=proxy: the remote's own client at the provider",
        });
      if (!env.OAUTH_PROXY_KEYS && !env.OAUTH_PROXY_KEYS_FILE)
        ctx.addIssue({
          code: 'custom',
          path: ['OAUTH_PROXY_KEYS'],
          message:
            'required when OAUTH_MODE=proxy (or OAUTH_PROXY_KEYS_FILE): one or more random keys of at least 32 bytes, base64url, comma- or newline-separated, the same on every replica',
        });
      if (env.TRUST_PROXY && !env.PUBLIC_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['PUBLIC_URL'],
          message: 'required when OAUTH_MODE=proxy: the provider redirects to PUBLIC_URL/oauth/callback',
        });
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
    /** Verified tokens kept (keyed by their SHA-256) until they expire; 0: every request verifies in full. */
    tokenCacheMaxEntries: number;
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
  /** PUBLIC_URL without a trailing slash; unset: the listening address, or the trusted proxy's headers. */
  publicUrl: string | undefined;
  /** NODE_ENV=production. */
  production: boolean;
  /** Browser-facing checks: Origin allow-list (besides PUBLIC_URL's) and extra Host names. */
  access: { allowedOrigins: string[]; allowedHosts: string[] };
  authorization: AuthorizationConfig;
  limits: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    maxConnections: number;
    maxInFlightPerCaller: number;
  };
  /** /metrics on its own port, or on the API port behind a bearer token; neither: not served. */
  metrics: { port: number | undefined; token: string | undefined };
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
  /**
   * Reads served from a watch cache of the objects the tools read (on), or every read sent to the
   * Kubernetes API (off). `accessTtlMs`: how long an impersonated caller's RBAC answer
   * (SelfSubjectAccessReview) is reused before reading from the cache for them again.
   */
  readCache: { enabled: boolean; accessTtlMs: number };
  trustProxy: boolean;
  /** The toolsets a connection gets when it chooses none (TOOLSETS: names, "default" or "all"). */
  toolsets: ToolGroup[];
  /**
   * Whether destructive calls of clients that declared elicitation are confirmed by asking the
   * person (on), or by the `confirm` argument as for every other client (off).
   */
  elicitation: boolean;
  /** How long a call waits for the person to answer its confirmation before giving up (nothing written). */
  confirmationTimeoutMs: number;
}

export interface ProxyConfig {
  /** The remote's own (pre-registered) client at the provider. */
  clientId: string;
  clientSecret: string | undefined;
  /** Keys sealing registrations, pending authorizations, codes and refresh tokens; the first seals. */
  keys: Uint8Array[];
  upstreamScopes: string[];
  /** How the API audience is named on the provider leg: Auth0 `audience`, RFC 8707 `resource`, or both. */
  audienceParameter: 'audience' | 'resource' | 'both';
  clientMetadataDocuments: boolean;
  /** Tests only: fetch client metadata documents from loopback/private addresses. */
  allowPrivateAddresses: boolean;
}

export interface AuthorizationConfig {
  /** pass-through: clients go to the provider; proxy: the remote is their authorization server. */
  mode: 'pass-through' | 'proxy';
  /** The public native client the desktop uses (published in the metadata for discovery). */
  desktopClientId: string | undefined;
  proxy: ProxyConfig | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid remote-api configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A secret given directly or as a file (a mounted Kubernetes Secret); the file wins. */
function secret(value: string | undefined, file: string | undefined, name: string): string | undefined {
  if (file === undefined) return value;
  try {
    const content = readFileSync(file, 'utf8').trim();
    if (content === '') throw new Error('the file is empty');
    return content;
  } catch (error) {
    throw new ConfigError([`${name}_FILE: cannot read ${file}: ${(error as Error).message}`]);
  }
}

const MIN_KEY_BYTES = 32;

function proxyKeys(text: string): Uint8Array[] {
  const keys = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((encoded) => Buffer.from(encoded, 'base64url'));
  if (keys.length === 0 || keys.some((key) => key.length < MIN_KEY_BYTES)) {
    throw new ConfigError([
      `OAUTH_PROXY_KEYS: expected one or more base64url keys of at least ${MIN_KEY_BYTES} bytes (e.g. from \`openssl rand -base64 32 | tr '+/' '-_'\`), comma- or newline-separated; the first seals, all open`,
    ]);
  }
  return keys.map((key) => new Uint8Array(key));
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
      tokenCacheMaxEntries: e.TOKEN_CACHE_MAX_ENTRIES,
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
    production: e.NODE_ENV === 'production',
    access: { allowedOrigins: e.ALLOWED_ORIGINS, allowedHosts: e.ALLOWED_HOSTS },
    authorization: {
      mode: e.OAUTH_MODE,
      desktopClientId: e.DESKTOP_CLIENT_ID,
      proxy:
        e.OAUTH_MODE === 'proxy'
          ? {
              clientId: e.OAUTH_PROXY_CLIENT_ID ?? '',
              clientSecret: secret(
                e.OAUTH_PROXY_CLIENT_SECRET,
                e.OAUTH_PROXY_CLIENT_SECRET_FILE,
                'OAUTH_PROXY_CLIENT_SECRET',
              ),
              keys: proxyKeys(secret(e.OAUTH_PROXY_KEYS, e.OAUTH_PROXY_KEYS_FILE, 'OAUTH_PROXY_KEYS') ?? ''),
              upstreamScopes: e.OAUTH_PROXY_UPSTREAM_SCOPES.split(/\s+/).filter(Boolean),
              audienceParameter: e.OAUTH_PROXY_AUDIENCE_PARAMETER,
              clientMetadataDocuments: e.CLIENT_METADATA_DOCUMENTS === 'on',
              allowPrivateAddresses: e.CLIENT_METADATA_ALLOW_PRIVATE_ADDRESSES,
            }
          : undefined,
    },
    limits: {
      headersTimeoutMs: e.HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: e.REQUEST_TIMEOUT_SECONDS * 1000,
      maxConnections: e.MAX_CONNECTIONS,
      maxInFlightPerCaller: e.MAX_IN_FLIGHT_PER_CALLER,
    },
    metrics: {
      port: e.METRICS_PORT,
      token: secret(e.METRICS_TOKEN, e.METRICS_TOKEN_FILE, 'METRICS_TOKEN'),
    },
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
    readCache: { enabled: e.READ_CACHE === 'on', accessTtlMs: e.READ_CACHE_ACCESS_TTL_SECONDS * 1000 },
    trustProxy: e.TRUST_PROXY,
    toolsets: e.TOOLSETS,
    elicitation: e.ELICITATION === 'on',
    confirmationTimeoutMs: e.CONFIRMATION_TIMEOUT_SECONDS * 1000,
  };
}
