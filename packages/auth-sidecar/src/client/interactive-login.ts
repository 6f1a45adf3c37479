import type { LoginMode } from '../api.js';
import type { LoginOutcome, LoginStart } from '../daemon/oidc/login.js';
import { openBrowser } from './browser.js';
import type { SidecarClient, SidecarStatus } from './client.js';

export interface InteractiveLoginOptions {
  mode?: LoginMode;
  /** Try to open the browser (the URL is printed regardless). Default true. */
  openBrowser?: boolean;
  /** Where instructions go; default stderr (stdout may carry the MCP protocol). */
  write?: (text: string) => void;
  timeoutMs?: number;
}

export function describeLoginStart(start: LoginStart): string {
  if (start.mode === 'device') {
    return (
      `To log in, open ${start.verificationUri} and enter the code ${start.userCode}` +
      `${start.verificationUriComplete ? ` (or open ${start.verificationUriComplete})` : ''}.\n`
    );
  }
  return (
    `To log in, open this URL in a browser:\n\n  ${start.authorizationUrl}\n\n` +
    `If the browser runs on another machine, the final page (${start.redirectUri}?…) will not load: copy its ` +
    'URL from the address bar and paste it into `cnpg-mcp login --paste`.\n'
  );
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

/** Starts (or joins) a login through the sidecar, shows the person what to do, waits for it. */
export async function interactiveLogin(
  client: SidecarClient,
  options: InteractiveLoginOptions = {},
): Promise<LoginOutcome & { start: LoginStart }> {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const notice = storeNotice(await client.status());
  if (notice) write(notice);
  const start = await client.login(options.mode ?? 'auto');
  write(describeLoginStart(start));
  if (start.mode === 'browser' && start.authorizationUrl && options.openBrowser !== false) {
    const opened = await openBrowser(start.authorizationUrl);
    if (!opened) write('(Could not open a browser here; use the URL above.)\n');
  }
  const deadline =
    options.timeoutMs === undefined ? Date.parse(start.expiresAt) : Date.now() + options.timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    const outcome = await client.waitForLogin(Math.max(0, Math.min(remaining, 60_000)));
    if (outcome.loggedIn || outcome.error || remaining <= 60_000) return { ...outcome, start };
  }
}
