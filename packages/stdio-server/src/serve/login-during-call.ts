import {
  describeLoginStart,
  type LoginMode,
  type LoginOutcome,
  type LoginStart,
  openBrowser,
  type SidecarClient,
} from '@cnpg-mcp/auth-sidecar';

export interface LoginDuringCallOptions {
  mode: LoginMode;
  /** How long the call waits for the person before giving up (the login itself goes on). */
  waitMs: number;
  openBrowser: boolean;
  signal: AbortSignal;
  /** Tells the person what to do (MCP logging message and stderr). */
  tell: (text: string) => Promise<void>;
}

export interface LoginDuringCallResult extends LoginOutcome {
  start: LoginStart;
}

/** Short waits, so a cancelled call stops waiting soon. */
const POLL_MS = 2000;

/**
 * Starts (or joins) a login in the sidecar because a call needs one, tells the person where to
 * go, and waits up to `waitMs` for it to finish. The login keeps running in the sidecar after a
 * timeout, so the person can still finish it and call again.
 */
export async function loginDuringCall(
  client: SidecarClient,
  options: LoginDuringCallOptions,
): Promise<LoginDuringCallResult> {
  const start = await client.login(options.mode, { unlessLoggedIn: true });
  if (start.alreadyLoggedIn) return { loggedIn: true, start };
  let instructions = describeLoginStart(start).trim();
  if (start.mode === 'browser' && start.authorizationUrl && options.openBrowser) {
    const opened = await openBrowser(start.authorizationUrl);
    if (opened) instructions = `A browser window was opened for the login. ${instructions}`;
  }
  await options.tell(`cnpg-mcp needs you to log in. ${instructions}`);

  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (options.signal.aborted) return { loggedIn: false, error: 'the call was cancelled', start };
    if (remaining <= 0) return { loggedIn: false, start };
    const outcome = await client.waitForLogin(Math.min(remaining, POLL_MS));
    if (outcome.loggedIn || outcome.error) return { ...outcome, start };
  }
}
