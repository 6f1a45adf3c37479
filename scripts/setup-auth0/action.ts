import type { Change } from './diff.js';
import { Auth0Error, type ManagementClient } from './management-client.js';
import type { SetupOptions } from './options.js';

export const TRIGGER = { id: 'post-login', version: 'v3' } as const;
export const RUNTIME = 'node22';

export interface Action {
  id: string;
  name: string;
  code?: string;
  runtime?: string;
  status?: string;
  all_changes_deployed?: boolean;
  supported_triggers?: { id: string; version?: string }[];
}

interface Binding {
  id?: string;
  display_name?: string;
  action?: { id: string; name?: string };
}

/**
 * email, email_verified and name are OIDC profile claims, which Auth0 allows in access tokens
 * without a namespace (unlike e.g. groups); the remote API reads them under these plain names. Only
 * tokens for our API get them. email_verified travels with the email: the policy may name people
 * by email only when it is true.
 */
export function actionCode(audience: string): string {
  return `// Managed by cnpg-mcp setup-auth0: adds the person's email (and whether Auth0 verified it) and name to access tokens for the cnpg-mcp API.
exports.onExecutePostLogin = async (event, api) => {
  if (event.resource_server?.identifier !== ${JSON.stringify(audience)}) return;
  if (event.user.email) {
    api.accessToken.setCustomClaim('email', event.user.email);
    api.accessToken.setCustomClaim('email_verified', event.user.email_verified === true);
  }
  if (event.user.name) api.accessToken.setCustomClaim('name', event.user.name);
};
`;
}

async function waitUntilBuilt(
  client: ManagementClient,
  id: string,
  timeoutSeconds: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const action = await client.get<Action>(`/api/v2/actions/actions/${encodeURIComponent(id)}`);
    if (action.status === 'built') return;
    if (action.status === 'failed') {
      throw new Auth0Error(
        200,
        'GET /api/v2/actions/actions/{id}',
        `Action ${action.name}: Auth0 failed to build it; open it in the dashboard to see why`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Auth0Error(
        0,
        'GET /api/v2/actions/actions/{id}',
        `Action ${action.name}: still "${action.status}" after ${timeoutSeconds} s; run the command again`,
      );
    }
    await sleep(1000);
  }
}

async function listBindings(client: ManagementClient): Promise<Binding[]> {
  const bindings: Binding[] = [];
  for (let page = 0; ; page++) {
    const result = await client.get<{ bindings: Binding[]; total?: number }>(
      `/api/v2/actions/triggers/${TRIGGER.id}/bindings`,
      { page, per_page: 50 },
    );
    bindings.push(...result.bindings);
    if (result.bindings.length < 50 || bindings.length >= (result.total ?? 0)) return bindings;
  }
}

/** Creates or updates the Action, deploys it when it has undeployed changes, and binds it to post-login. */
export async function reconcileAction(
  client: ManagementClient,
  options: SetupOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<Change[]> {
  const code = actionCode(options.audience);
  const name = options.actionName;
  const found = await client.get<{ actions: Action[] }>('/api/v2/actions/actions', {
    actionName: name,
    triggerId: TRIGGER.id,
  });
  const current = found.actions.find((a) => a.name === name);
  const changes: Change[] = [];
  let id = current?.id;
  if (!current) {
    changes.push({ resource: 'action', name, action: 'create', fields: [] });
  } else {
    const fields = [
      ...(current.code !== code ? ['code'] : []),
      ...(current.runtime !== RUNTIME ? ['runtime'] : []),
    ];
    if (fields.length) changes.push({ resource: 'action', name, action: 'update', fields });
    else if (current.all_changes_deployed === false)
      changes.push({ resource: 'action', name, action: 'deploy', fields: [] });
  }
  const bindings = await listBindings(client);
  const bound = bindings.some((b) => b.action?.id === current?.id);
  if (!bound)
    changes.push({ resource: 'binding', name: `${TRIGGER.id} → ${name}`, action: 'bind', fields: [] });
  if (changes.length === 0) return [{ resource: 'action', name, action: 'unchanged', fields: [] }];
  if (options.dryRun) return changes;

  const body = { code, runtime: RUNTIME, supported_triggers: [TRIGGER] };
  if (!current) {
    const created = await client.post<Action>('/api/v2/actions/actions', {
      name,
      ...body,
      dependencies: [],
      secrets: [],
    });
    id = created.id;
  } else if (changes.some((c) => c.action === 'update')) {
    await client.patch(`/api/v2/actions/actions/${encodeURIComponent(current.id)}`, body);
  }
  if (changes.some((c) => c.resource === 'action')) {
    await waitUntilBuilt(client, id!, options.actionBuildTimeoutSeconds, sleep);
    await client.post(`/api/v2/actions/actions/${encodeURIComponent(id!)}/deploy`, undefined);
  }
  if (!bound) {
    // PATCH replaces the whole list: keep every existing binding, in order, and add ours last.
    await client.patch(`/api/v2/actions/triggers/${TRIGGER.id}/bindings`, {
      bindings: [
        ...bindings
          .filter((b) => b.action?.id)
          .map((b) => ({
            ref: { type: 'action_id', value: b.action!.id },
            display_name: b.display_name ?? b.action!.name,
          })),
        { ref: { type: 'action_id', value: id }, display_name: name },
      ],
    });
  }
  return changes;
}
