import {
  type Env,
  ensureSidecar,
  interactiveLogin,
  type LoginAnswer,
  type LoginMode,
  type LoginUser,
  type Settings,
  SidecarClient,
} from '@cnpg-mcp/auth-sidecar';
import type { Io } from '../io.js';

async function withSidecar<T>(
  settings: Settings,
  env: Env,
  use: (client: SidecarClient) => Promise<T>,
  oneShot = true,
): Promise<T> {
  const { socketPath } = await ensureSidecar(settings, { env, oneShot });
  const client = new SidecarClient(socketPath);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** Who a login belongs to, with what is known: name, email, else the subject. */
export function describeUser(user: LoginUser | undefined): string | undefined {
  if (!user) return undefined;
  return [user.name, user.email ? `<${user.email}>` : undefined, user.email ? undefined : user.sub]
    .filter(Boolean)
    .join(' ');
}

function loggedInLine(login: LoginAnswer): string {
  const who = login.state === 'logged_in' ? describeUser(login.user) : undefined;
  return who ? `Logged in as ${who}.\n` : 'Logged in.\n';
}

/** `cnpg-mcp login [--device|--browser] [--paste URL]`: logs in through the sidecar. */
export async function loginCommand(
  settings: Settings,
  env: Env,
  io: Io,
  options: { mode: LoginMode; paste?: string },
): Promise<number> {
  return withSidecar(
    settings,
    env,
    async (client) => {
      if (options.paste) {
        const outcome = await client.pasteRedirectUrl(options.paste);
        if (outcome.state !== 'logged_in') {
          io.err(
            `Login failed: ${outcome.state === 'failed' ? outcome.message : 'the pasted URL did not complete a login'}\n`,
          );
          return 1;
        }
        io.out(loggedInLine(outcome));
        return 0;
      }
      const status = await client.status({ identify: true });
      if (status.loggedIn) {
        const who = describeUser(status.user);
        io.out(
          `Already logged in${who ? ` as ${who}` : ''}. Run \`cnpg-mcp logout\` first to switch users.\n`,
        );
        return 0;
      }
      const outcome = await interactiveLogin(client, {
        mode: options.mode,
        openBrowser: settings.openBrowser,
        write: io.err,
      });
      if (outcome.state !== 'logged_in') {
        io.err(
          `Login did not complete: ${outcome.state === 'failed' ? outcome.message : 'nobody finished it in time'}\n`,
        );
        return 1;
      }
      io.out(loggedInLine(outcome));
      return 0;
    },
    false,
  );
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
        : `Logged out here; the provider did not confirm revocation (${result.revocationError ?? 'no reason given'}).\n`,
    );
    return 0;
  });
}

export async function statusCommand(settings: Settings, env: Env, io: Io, json: boolean): Promise<number> {
  return withSidecar(settings, env, async (client) => {
    const status = await client.status({ identify: true });
    if (json) {
      io.out(`${JSON.stringify(status, null, 2)}\n`);
      return status.loggedIn ? 0 : 1;
    }
    const who = describeUser(status.user);
    const lines = [
      status.loggedIn
        ? who
          ? `Logged in as ${who}`
          : 'Logged in (who you are shows after the first call to the remote API)'
        : 'Not logged in (run `cnpg-mcp login`)',
      ...(status.accessTokenExpiresAt ? [`Access token valid until ${status.accessTokenExpiresAt}`] : []),
      ...(status.login ? ['A login is in progress'] : []),
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
