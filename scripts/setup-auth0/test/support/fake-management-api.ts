/**
 * A local stand-in for the Auth0 Management API v2 and /oauth/token: the endpoints setup-auth0
 * calls, with Auth0's documented request validation, response and error shapes, scopes per
 * endpoint, and injectable failures. It records every request so tests can count writes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The query string as sent (repeated parameters such as identifiers). */
  rawQuery: string;
  body: Json | undefined;
  authorization: string | undefined;
}

interface Fault {
  method: string;
  path: string;
  status: number;
  body: Json;
  headers: Record<string, string>;
  remaining: number;
}

const ALL_SCOPES = [
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'read:clients',
  'create:clients',
  'update:clients',
  'read:actions',
  'create:actions',
  'update:actions',
  'read:triggers',
  'update:triggers',
  'read:tenant_settings',
  'update:tenant_settings',
  'read:connections',
  'update:connections',
];
const TENANT_SETTINGS_FIELDS = new Set(['flags', 'resource_parameter_profile']);
const TENANT_FLAGS = new Set(['enable_dynamic_client_registration']);

const RESOURCE_SERVER_FIELDS = new Set([
  'name',
  'identifier',
  'scopes',
  'signing_alg',
  'signing_secret',
  'allow_offline_access',
  'token_lifetime',
  'token_lifetime_for_web',
  'skip_consent_for_verifiable_first_party_clients',
  'token_dialect',
  'enforce_policies',
]);
const CLIENT_FIELDS = new Set([
  'name',
  'description',
  'app_type',
  'token_endpoint_auth_method',
  'callbacks',
  'allowed_logout_urls',
  'grant_types',
  'oidc_conformant',
  'jwt_configuration',
  'refresh_token',
  'is_first_party',
]);
const REFRESH_FIELDS = new Set([
  'rotation_type',
  'expiration_type',
  'leeway',
  'token_lifetime',
  'infinite_token_lifetime',
  'idle_token_lifetime',
  'infinite_idle_token_lifetime',
]);
const KNOWN_GRANTS = new Set([
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'password',
  'urn:ietf:params:oauth:grant-type:device_code',
]);
const ACTION_CREATE_FIELDS = new Set([
  'name',
  'supported_triggers',
  'code',
  'dependencies',
  'runtime',
  'secrets',
]);
const ACTION_UPDATE_FIELDS = new Set([
  'name',
  'supported_triggers',
  'code',
  'dependencies',
  'runtime',
  'secrets',
]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

const auth0Error = (status: number, error: string, message: string, errorCode?: string) =>
  new HttpError(status, { statusCode: status, error, message, ...(errorCode ? { errorCode } : {}) });
const badRequest = (message: string) => auth0Error(400, 'Bad Request', message, 'invalid_body');

function rejectUnknown(body: Json, allowed: Set<string>): void {
  const extra = Object.keys(body).filter((k) => !allowed.has(k));
  if (extra.length)
    throw badRequest(`Payload validation error: 'Additional properties not allowed: ${extra.join(',')}'.`);
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface FakeAuth0Options {
  domain: string;
  /** Management tokens and the scopes each carries. */
  tokens?: Record<string, string[]>;
  /** Machine-to-machine clients allowed to use client_credentials, with their granted scopes. */
  m2mClients?: { clientId: string; clientSecret: string; scopes: string[] }[];
}

export class FakeAuth0 {
  readonly requests: RecordedRequest[] = [];
  readonly resourceServers = new Map<string, Json>();
  readonly clients = new Map<string, Json>();
  readonly actions = new Map<string, Json>();
  tenantSettings: Json = {
    flags: { enable_dynamic_client_registration: false },
    resource_parameter_profile: 'audience',
  };
  readonly connections = new Map<string, Json>([
    [
      'con_1',
      {
        id: 'con_1',
        name: 'Username-Password-Authentication',
        strategy: 'auth0',
        is_domain_connection: false,
      },
    ],
  ]);
  bindings: Json[] = [];
  private readonly tokens: Map<string, string[]>;
  private readonly faults: Fault[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(private readonly options: FakeAuth0Options) {
    this.tokens = new Map(Object.entries(options.tokens ?? {}));
  }

  static allScopes(): string[] {
    return [...ALL_SCOPES];
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` requests matching method and path prefix get this answer instead. */
  failNext(fault: {
    method: string;
    path: string;
    status: number;
    body: Json;
    headers?: Record<string, string>;
    times?: number;
  }): void {
    this.faults.push({ headers: {}, ...fault, remaining: fault.times ?? 1 });
  }

  /** Non-GET requests to the Management API: what a run changed. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v2/'));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      rawQuery: url.search,
      body: undefined,
      authorization: req.headers.authorization,
    };
    this.requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      if (raw) {
        if (!String(req.headers['content-type']).startsWith('application/json')) {
          throw badRequest('Invalid request content type: expected application/json');
        }
        try {
          record.body = JSON.parse(raw) as Json;
        } catch {
          throw badRequest('Invalid JSON payload');
        }
      }
      const fault = this.faults.find(
        (f) => f.remaining > 0 && f.method === record.method && record.path.startsWith(f.path),
      );
      if (fault) {
        fault.remaining--;
        send(fault.status, fault.body, fault.headers);
        return;
      }
      if (record.path === '/oauth/token' && record.method === 'POST') {
        send(200, this.issueToken(record.body ?? {}));
        return;
      }
      const scopes = this.authenticate(record.authorization);
      const [status, body] = this.route(record, scopes);
      send(status, body);
    } catch (error) {
      if (error instanceof HttpError) send(error.status, error.body);
      else send(500, { statusCode: 500, error: 'Internal Server Error', message: (error as Error).message });
    }
  }

  private issueToken(body: Json): Json {
    if (body.grant_type !== 'client_credentials') {
      throw new HttpError(400, {
        error: 'unsupported_grant_type',
        error_description: 'Unsupported grant type',
      });
    }
    const m2m = this.options.m2mClients?.find((c) => c.clientId === body.client_id);
    if (!m2m || m2m.clientSecret !== body.client_secret) {
      throw new HttpError(401, { error: 'access_denied', error_description: 'Unauthorized' });
    }
    const audience = `https://${this.options.domain}/api/v2/`;
    if (body.audience !== audience) {
      throw new HttpError(403, {
        error: 'access_denied',
        error_description: `Service not enabled within domain: ${String(body.audience)}`,
      });
    }
    const token = `m2m-${hex(16)}`;
    this.tokens.set(token, m2m.scopes);
    return { access_token: token, scope: m2m.scopes.join(' '), expires_in: 86400, token_type: 'Bearer' };
  }

  private authenticate(header: string | undefined): string[] {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    const scopes = token ? this.tokens.get(token) : undefined;
    if (!scopes) {
      throw new HttpError(401, {
        statusCode: 401,
        error: 'Unauthorized',
        message: token ? 'Invalid token' : 'Missing authentication',
        attributes: { error: token ? 'Invalid token' : 'Missing authentication' },
      });
    }
    return scopes;
  }

  private route(r: RecordedRequest, scopes: string[]): [number, unknown] {
    const need = (scope: string) => {
      if (!scopes.includes(scope)) {
        throw auth0Error(
          403,
          'Forbidden',
          `Insufficient scope, expected any of: ${scope}`,
          'insufficient_scope',
        );
      }
    };
    const body = r.body ?? {};
    const p = r.path;
    const rsMatch = /^\/api\/v2\/resource-servers\/([^/]+)$/.exec(p);
    const clientMatch = /^\/api\/v2\/clients\/([^/]+)$/.exec(p);
    const actionMatch = /^\/api\/v2\/actions\/actions\/([^/]+)(\/deploy)?$/.exec(p);
    if (p === '/api/v2/resource-servers' && r.method === 'GET') {
      need('read:resource_servers');
      const wanted = new URLSearchParams(r.rawQuery).getAll('identifiers');
      const all = [...this.resourceServers.values()].filter(
        (rs) => wanted.length === 0 || wanted.includes(String(rs.identifier)),
      );
      return [
        200,
        r.query.include_totals === 'true'
          ? { resource_servers: all, start: 0, limit: 50, total: all.length }
          : all,
      ];
    }
    if (p === '/api/v2/resource-servers' && r.method === 'POST') {
      need('create:resource_servers');
      return [201, this.createResourceServer(body)];
    }
    if (rsMatch) {
      const key = decodeURIComponent(rsMatch[1]!);
      const found = this.resourceServers.get(key);
      if (r.method === 'GET') need('read:resource_servers');
      else if (r.method === 'PATCH') need('update:resource_servers');
      if (!found)
        throw auth0Error(
          404,
          'Not Found',
          'The resource server does not exist',
          'inexistent_resource_server',
        );
      if (r.method === 'GET') return [200, found];
      if (r.method === 'PATCH') {
        if ('identifier' in body)
          throw badRequest("Payload validation error: 'Additional properties not allowed: identifier'.");
        rejectUnknown(body, RESOURCE_SERVER_FIELDS);
        const next = { ...found, ...body };
        this.validateResourceServer(next);
        this.resourceServers.set(String(found.id), next);
        return [200, next];
      }
    }
    if (p === '/api/v2/clients' && r.method === 'GET') {
      need('read:clients');
      return [200, this.listClients(r.query)];
    }
    if (p === '/api/v2/clients' && r.method === 'POST') {
      need('create:clients');
      return [201, this.createClient(body)];
    }
    if (clientMatch) {
      const found = this.clients.get(decodeURIComponent(clientMatch[1]!));
      if (r.method === 'GET') need('read:clients');
      else need('update:clients');
      if (!found) throw auth0Error(404, 'Not Found', 'The client does not exist', 'inexistent_client');
      if (r.method === 'GET') return [200, found];
      rejectUnknown(body, CLIENT_FIELDS);
      const next = { ...found, ...body };
      this.validateClient(next);
      this.clients.set(String(found.client_id), next);
      return [200, next];
    }
    if (p === '/api/v2/actions/actions' && r.method === 'GET') {
      need('read:actions');
      const actions = [...this.actions.values()].filter(
        (a) =>
          (!r.query.actionName || a.name === r.query.actionName) &&
          (!r.query.triggerId ||
            (a.supported_triggers as { id: string }[]).some((t) => t.id === r.query.triggerId)),
      );
      return [
        200,
        { actions: actions.map((a) => this.actionView(a)), total: actions.length, page: 0, per_page: 50 },
      ];
    }
    if (p === '/api/v2/actions/actions' && r.method === 'POST') {
      need('create:actions');
      return [201, this.createAction(body)];
    }
    if (actionMatch) {
      const action = this.actions.get(decodeURIComponent(actionMatch[1]!));
      if (actionMatch[2] && r.method === 'POST') {
        need('create:actions');
        if (!action) throw auth0Error(404, 'Not Found', 'action not found');
        if (action.status !== 'built')
          throw badRequest(`action is not ready to be deployed: status is ${String(action.status)}`);
        const version = {
          id: hex(8),
          action_id: action.id,
          code: action.code,
          runtime: action.runtime,
          deployed: true,
          status: 'built',
          number: Number(action.versions ?? 0) + 1,
        };
        action.versions = version.number;
        action.deployed_version = version;
        action.deployed_code = action.code;
        return [200, version];
      }
      if (r.method === 'GET') need('read:actions');
      else need('update:actions');
      if (!action) throw auth0Error(404, 'Not Found', 'action not found');
      if (r.method === 'GET') {
        // Builds finish between polls: the first read after a change still says "pending".
        const view = this.actionView(action);
        if (action.status === 'pending') action.status = 'built';
        return [200, view];
      }
      if (r.method === 'PATCH') {
        rejectUnknown(body, ACTION_UPDATE_FIELDS);
        Object.assign(action, body, { status: 'pending', updated_at: new Date().toISOString() });
        return [200, this.actionView(action)];
      }
    }
    if (p === '/api/v2/tenants/settings') {
      if (r.method === 'GET') {
        need('read:tenant_settings');
        return [200, this.tenantSettings];
      }
      if (r.method === 'PATCH') {
        need('update:tenant_settings');
        rejectUnknown(body, TENANT_SETTINGS_FIELDS);
        if (body.flags) rejectUnknown(body.flags as Json, TENANT_FLAGS);
        if (
          body.resource_parameter_profile &&
          !['audience', 'compatibility'].includes(String(body.resource_parameter_profile))
        )
          throw badRequest('resource_parameter_profile must be audience or compatibility');
        this.tenantSettings = {
          ...this.tenantSettings,
          ...body,
          flags: { ...(this.tenantSettings.flags as Json), ...((body.flags as Json | undefined) ?? {}) },
        };
        return [200, this.tenantSettings];
      }
    }
    if (p === '/api/v2/connections' && r.method === 'GET') {
      need('read:connections');
      return [200, [...this.connections.values()].filter((c) => !r.query.name || c.name === r.query.name)];
    }
    const connectionMatch = /^\/api\/v2\/connections\/([^/]+)$/.exec(p);
    if (connectionMatch && r.method === 'PATCH') {
      need('update:connections');
      const found = this.connections.get(decodeURIComponent(connectionMatch[1]!));
      if (!found)
        throw auth0Error(404, 'Not Found', 'The connection does not exist', 'inexistent_connection');
      rejectUnknown(body, new Set(['is_domain_connection', 'options', 'enabled_clients']));
      Object.assign(found, body);
      return [200, found];
    }
    if (p === '/api/v2/actions/triggers/post-login/bindings') {
      if (r.method === 'GET') {
        need('read:triggers');
        const page = Number(r.query.page ?? 0);
        const perPage = Number(r.query.per_page ?? 20);
        return [
          200,
          {
            bindings: this.bindings.slice(page * perPage, (page + 1) * perPage),
            total: this.bindings.length,
            page,
            per_page: perPage,
          },
        ];
      }
      if (r.method === 'PATCH') {
        need('update:triggers');
        return [200, { bindings: this.replaceBindings(body) }];
      }
    }
    throw auth0Error(404, 'Not Found', `no route ${r.method} ${p}`);
  }

  private validateResourceServer(rs: Json): void {
    if (typeof rs.identifier !== 'string' || !rs.identifier)
      throw badRequest("Payload validation error: 'Missing required property: identifier'.");
    if (!['RS256', 'HS256', 'PS256'].includes(String(rs.signing_alg)))
      throw badRequest('Invalid signing_alg');
    if (Number(rs.token_lifetime_for_web) > Number(rs.token_lifetime)) {
      throw badRequest('token_lifetime_for_web must be less than or equal to token_lifetime');
    }
    for (const scope of (rs.scopes as Json[] | undefined) ?? []) {
      if (typeof scope.value !== 'string' || !scope.value)
        throw badRequest("Payload validation error: 'Missing required property: value' on property scopes.");
    }
  }

  createResourceServer(body: Json): Json {
    rejectUnknown(body, RESOURCE_SERVER_FIELDS);
    if ([...this.resourceServers.values()].some((rs) => rs.identifier === body.identifier)) {
      throw auth0Error(
        409,
        'Conflict',
        'A resource server with the same identifier already exists',
        'conflict',
      );
    }
    const rs: Json = {
      id: hex(12),
      name: body.identifier,
      is_system: false,
      scopes: [],
      signing_alg: 'RS256',
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: false,
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      token_dialect: 'access_token',
      ...body,
    };
    this.validateResourceServer(rs);
    this.resourceServers.set(String(rs.id), rs);
    return rs;
  }

  private validateClient(client: Json): void {
    if (typeof client.name !== 'string' || !client.name)
      throw badRequest("Payload validation error: 'Missing required property: name'.");
    for (const grant of (client.grant_types as string[] | undefined) ?? []) {
      if (!KNOWN_GRANTS.has(grant)) throw badRequest(`Invalid grant type: ${grant}`);
    }
    const refresh = client.refresh_token as Json | undefined;
    if (refresh) {
      rejectUnknown(refresh, REFRESH_FIELDS);
      if (refresh.rotation_type === 'rotating' && refresh.expiration_type !== 'expiring') {
        throw badRequest('Refresh token rotation requires expiration_type "expiring"');
      }
      if (Number(refresh.idle_token_lifetime) > Number(refresh.token_lifetime)) {
        throw badRequest('idle_token_lifetime must be less than token_lifetime');
      }
    }
    const grants = (client.grant_types as string[] | undefined) ?? [];
    if (grants.includes('urn:ietf:params:oauth:grant-type:device_code')) {
      if (client.app_type !== 'native')
        throw badRequest('The device code grant is only available for native applications');
      if (client.oidc_conformant !== true)
        throw badRequest('The device code grant requires an OIDC conformant application');
    }
  }

  createClient(body: Json): Json {
    rejectUnknown(body, CLIENT_FIELDS);
    const client: Json = {
      client_id: hex(16),
      client_secret: hex(32),
      tenant: this.options.domain.split('.')[0],
      is_first_party: true,
      callbacks: [],
      grant_types: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      app_type: 'regular_web',
      oidc_conformant: true,
      jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false },
      refresh_token: {
        rotation_type: 'non-rotating',
        expiration_type: 'non-expiring',
        leeway: 0,
        token_lifetime: 2592000,
        infinite_token_lifetime: true,
        idle_token_lifetime: 1296000,
        infinite_idle_token_lifetime: true,
      },
      ...body,
    };
    if (body.refresh_token) client.refresh_token = body.refresh_token;
    this.validateClient(client);
    this.clients.set(String(client.client_id), client);
    return client;
  }

  private listClients(query: Record<string, string>): unknown {
    const types = query.app_type?.split(',');
    const all = [...this.clients.values()].filter((c) => !types || types.includes(String(c.app_type)));
    const fields = query.fields?.split(',');
    const include = query.include_fields !== 'false';
    const shaped = all.map((c) =>
      fields ? Object.fromEntries(Object.entries(c).filter(([k]) => fields.includes(k) === include)) : c,
    );
    const page = Number(query.page ?? 0);
    const perPage = Number(query.per_page ?? 50);
    const slice = shaped.slice(page * perPage, (page + 1) * perPage);
    return query.include_totals === 'true'
      ? { start: page * perPage, limit: perPage, length: slice.length, total: all.length, clients: slice }
      : slice;
  }

  createAction(body: Json): Json {
    rejectUnknown(body, ACTION_CREATE_FIELDS);
    if (typeof body.name !== 'string' || !Array.isArray(body.supported_triggers)) {
      throw badRequest("Payload validation error: 'Missing required property: name, supported_triggers'.");
    }
    if ([...this.actions.values()].some((a) => a.name === body.name)) {
      throw auth0Error(409, 'Conflict', `An action with the name '${body.name}' already exists.`);
    }
    const now = new Date().toISOString();
    const action: Json = {
      id: crypto.randomUUID(),
      runtime: 'node18',
      dependencies: [],
      secrets: [],
      ...body,
      status: 'pending',
      created_at: now,
      updated_at: now,
    };
    this.actions.set(String(action.id), action);
    return this.actionView(action);
  }

  private actionView(action: Json): Json {
    const { deployed_code, versions, ...rest } = action;
    return { ...rest, all_changes_deployed: deployed_code !== undefined && deployed_code === action.code };
  }

  private replaceBindings(body: Json): Json[] {
    const list = body.bindings;
    if (!Array.isArray(list))
      throw badRequest("Payload validation error: 'Missing required property: bindings'.");
    const next = (list as Json[]).map((entry) => {
      const ref = entry.ref as Json | undefined;
      if (ref?.type !== 'action_id' && ref?.type !== 'action_name')
        throw badRequest('Invalid binding ref type');
      const action = [...this.actions.values()].find(
        (a) => (ref.type === 'action_id' ? a.id : a.name) === ref.value,
      );
      if (!action) throw auth0Error(404, 'Not Found', `action ${String(ref.value)} not found`);
      if (action.deployed_version === undefined)
        throw badRequest(`action ${String(action.name)} must be deployed before it can be bound`);
      return {
        id: hex(8),
        trigger_id: 'post-login',
        display_name: entry.display_name ?? action.name,
        action: this.actionView(action),
      };
    });
    this.bindings = next;
    return next;
  }
}
