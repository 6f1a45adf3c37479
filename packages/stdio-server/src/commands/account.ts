import {
  type Env,
  ensureSidecar,
  interactiveLogin,
  type LoginMode,
  type Settings,
  SidecarClient,
  type SidecarStatus,
} from '@cnpg-mcp/auth-sidecar';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

async function withSidecar<T>(
  settings: Settings,
  env: Env,
  use: (client: SidecarClient) => Promise<T>,
): Promise<T> {
  const { socketPath } = await ensureSidecar(settings, { env });
  const client = new SidecarClient(socketPath);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** `cnpg-mcp login [--device|--browser] [--paste URL]`: logs in through the sidecar. */
export async function loginCommand(
  settings: Settings,
  env: Env,
  io: Io,
  options: { mode: LoginMode; paste?: string },
): Promise<number> {
  return withSidecar(settings, env, async (client) => {
    if (options.paste) {
      const outcome = await client.pasteRedirectUrl(options.paste);
      if (!outcome.loggedIn) {
        io.err(`Login failed: ${outcome.error ?? 'the pasted URL did not complete a login'}\n`);
        return 1;
      }
      io.out(`Logged in as ${outcome.user?.email ?? outcome.user?.sub ?? 'unknown user'}.\n`);
      return 0;
    }
    const status = await client.status();
    if (status.loggedIn) {
      io.out(
        `Already logged in as ${describeUser(status)}. Run \`cnpg-mcp logout\` first to switch users.\n`,
      );
      return 0;
    }
    const outcome = await interactiveLogin(client, {
      mode: options.mode,
      openBrowser: settings.openBrowser,
      write: io.err,
    });
    if (!outcome.loggedIn) {
      io.err(`Login did not complete: ${outcome.error ?? 'timed out waiting for the browser'}\n`);
      return 1;
    }
    io.out(`Logged in as ${outcome.user?.email ?? outcome.user?.sub ?? 'unknown user'}.\n`);
    return 0;
  });
}

export async function logoutCommand(settings: Settings, env: Env, io: Io): Promise<number> {
  return withSidecar(settings, env, async (client) => {
    const result = await client.logout();
    if (!result.hadLogin) {
      io.out('Not logged in; nothing to do.\n');
      return 0;
    }
    io.out(
      result.revoked
        ? 'Logged out: the refresh token was revoked at the provider and deleted here.\n'
        : `Logged out here; the provider did not confirm revocation (${result.revocationError ?? 'unknown reason'}).\n`,
    );
    return 0;
  });
}

function describeUser(status: SidecarStatus): string {
  const user = status.user;
  if (!user) return 'unknown user';
  return [user.name, user.email ? `<${user.email}>` : undefined, user.email ? undefined : user.sub]
    .filter(Boolean)
    .join(' ');
}

export async function statusCommand(settings: Settings, env: Env, io: Io, json: boolean): Promise<number> {
  return withSidecar(settings, env, async (client) => {
    const status = await client.status();
    if (json) {
      io.out(`${JSON.stringify(status, null, 2)}\n`);
      return status.loggedIn ? 0 : 1;
    }
    const lines = [
      status.loggedIn ? `Logged in as ${describeUser(status)}` : 'Not logged in (run `cnpg-mcp login`)',
      ...(status.accessTokenExpiresAt ? [`Access token valid until ${status.accessTokenExpiresAt}`] : []),
      ...(status.loginInProgress ? ['A login is in progress'] : []),
      ...(status.storeError ? [`Token store problem: ${status.storeError}`] : []),
      `Issuer       ${status.issuer}`,
      `Remote API   ${status.remoteUrl}`,
      `Token store  ${status.store}: ${status.storeLocation}`,
      `Sidecar      pid ${status.pid}${status.tcpPort ? `, TCP 127.0.0.1:${status.tcpPort}` : ''}`,
    ];
    io.out(`${lines.join('\n')}\n`);
    return status.loggedIn ? 0 : 1;
  });
}

export async function tokenCommand(settings: Settings, env: Env, io: Io): Promise<number> {
  return withSidecar(settings, env, async (client) => {
    const token = await client.token();
    io.err(
      `Warning: this access token lets anyone who holds it act as you at ${settings.remoteUrl} until ` +
        `${token.expires_at}. Do not paste it into chats, logs or shared files.\n`,
    );
    io.out(`${token.access_token}\n`);
    return 0;
  });
}
