import type { LoginAnswer, LoginMode, SidecarStatus } from '../api.js';
import { openBrowser } from './browser.js';
import type { SidecarClient, WaitForLoginOptions } from './client.js';

/** What the person must do for a login, in words (for stderr, an MCP log message or a tool error). */
export function describeLogin(login: LoginAnswer): string {
  switch (login.state) {
    case 'logged_in':
      return `Logged in${login.user ? ` as ${login.user.email ?? login.user.name ?? login.user.sub}` : ''}.\n`;
    case 'failed':
      return `The login failed: ${login.message}\n`;
    case 'device':
      return (
        `To log in, open ${login.verificationUri} and enter the code ${login.userCode}` +
        `${login.verificationUriComplete ? ` (or open ${login.verificationUriComplete})` : ''}; ` +
        `the code is valid until ${login.expiresAt}.\n`
      );
    case 'browser':
      return (
        `To log in, open this URL in a browser:\n\n  ${login.url}\n\n` +
        `If the browser runs on another machine, the final page (${login.redirectUri}?…) will not load: copy its ` +
        'URL from the address bar and paste it into `cnpg-mcp login --paste`.\n'
      );
  }
}

/**
 * A line to show the person about where their login is kept when it is not the OS keychain
 * (the sidecar's own announcement goes to its log file, which nobody reads).
 */
export function storeNotice(
  status: Pick<SidecarStatus, 'store' | 'storeLocation' | 'storeError'>,
): string | undefined {
  if (status.storeError) return `cnpg-mcp: the token store cannot be used: ${status.storeError}\n`;
  if (status.store === 'file') {
    return (
      `cnpg-mcp: your login is stored in a FILE (CNPG_MCP_TOKEN_STORE=file): ${status.storeLocation} ` +
      '(mode 0600). Anyone who can read it as you can use your login.\n'
    );
  }
  if (status.store === 'env') return `cnpg-mcp: using the refresh token from ${status.storeLocation}.\n`;
  return undefined;
}

export interface FollowLoginOptions extends WaitForLoginOptions {
  /** Try to open the browser for a browser login (the URL is shown regardless). Default true. */
  openBrowser?: boolean;
  /** Shows the person what to do. */
  tell: (text: string) => void | Promise<void>;
}

/**
 * Shows the person what `login` asks of them (opening the browser when allowed) and waits for it
 * to end: the one wait both the CLI and a call that needs a login use.
 */
export async function followLogin(
  client: SidecarClient,
  login: LoginAnswer,
  options: FollowLoginOptions,
): Promise<LoginAnswer> {
  if (login.state === 'logged_in' || login.state === 'failed') return login;
  let text = describeLogin(login);
  if (login.state === 'browser' && options.openBrowser !== false) {
    text = (await openBrowser(login.url))
      ? `A browser window was opened for the login. ${text}`
      : `${text}(Could not open a browser here; use the URL above.)\n`;
  }
  await options.tell(text);
  return client.waitForLogin(login, options);
}

export interface InteractiveLoginOptions extends Omit<FollowLoginOptions, 'tell'> {
  mode?: LoginMode;
  /** Where instructions go; default stderr (stdout may carry the MCP protocol). */
  write?: (text: string) => void;
}

/** `cnpg-mcp login`: starts (or joins) a login through the sidecar, shows what to do, waits for it. */
export async function interactiveLogin(
  client: SidecarClient,
  options: InteractiveLoginOptions = {},
): Promise<LoginAnswer> {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const notice = storeNotice(await client.status());
  if (notice) write(notice);
  const login = await client.login(options.mode ?? 'auto');
  return followLogin(client, login, { ...options, tell: write });
}
