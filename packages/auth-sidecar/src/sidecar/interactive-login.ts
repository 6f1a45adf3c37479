import { openBrowser } from '../browser.js';
import type { LoginMode, LoginOutcome, LoginStart } from '../oidc/login.js';
import type { SidecarClient } from './client.js';

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

/** Starts (or joins) a login through the sidecar, shows the person what to do, waits for it. */
export async function interactiveLogin(
  client: SidecarClient,
  options: InteractiveLoginOptions = {},
): Promise<LoginOutcome & { start: LoginStart }> {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
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
