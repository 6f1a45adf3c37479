/**
 * Drives the provider's real pages the way a person in a browser would: follow redirects with a
 * cookie jar, fill in the visible form, submit it. There is no shortcut around the protocol;
 * only what a browser would send is sent.
 */

export interface PersonCredentials {
  username: string;
  password: string;
}

export interface CallbackResult {
  /** The loopback URL the provider redirected the browser to, with code, state and iss. */
  callbackUrl: string;
  /** Status and body of the callback page, when it was requested. */
  status: number;
  body: string;
}

interface ParsedForm {
  action: string;
  method: string;
  fields: Map<string, string>;
}

const MAX_STEPS = 25;

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:.-]+)(?:\s*=\s*"([^"]*)")?/g)) {
    const name = match[1];
    if (name) found.set(name.toLowerCase(), decodeEntities(match[2] ?? ''));
  }
  return found;
}

export function parseFirstForm(html: string): ParsedForm | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const formAttributes = attributes(form[1] ?? '');
  const fields = new Map<string, string>();
  for (const input of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const inputAttributes = attributes(input[1] ?? '');
    const name = inputAttributes.get('name');
    if (name) fields.set(name, inputAttributes.get('value') ?? '');
  }
  return {
    action: formAttributes.get('action') ?? '',
    method: (formAttributes.get('method') ?? 'get').toUpperCase(),
    fields,
  };
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const separator = pair?.indexOf('=') ?? -1;
      if (!pair || separator < 1) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

type Outcome = { kind: 'left-provider'; url: string } | { kind: 'final-page'; status: number; html: string };

async function walkPages(startUrl: string, answers: Record<string, string>): Promise<Outcome> {
  const origin = new URL(startUrl).origin;
  const jar = new CookieJar();
  let next: { url: string; method: string; body?: string } = { url: startUrl, method: 'GET' };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (new URL(next.url).origin !== origin) return { kind: 'left-provider', url: next.url };
    const response = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        accept: 'text/html',
        ...(next.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(next.body === undefined ? {} : { body: next.body }),
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      next = { url: new URL(location, next.url).href, method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = parseFirstForm(html);
    if (!form || response.status >= 400) return { kind: 'final-page', status: response.status, html };
    for (const name of form.fields.keys()) {
      const answer = answers[name];
      if (answer !== undefined) form.fields.set(name, answer);
    }
    const target = new URL(form.action || next.url, next.url).href;
    const encoded = new URLSearchParams([...form.fields]).toString();
    next =
      form.method === 'POST'
        ? { url: target, method: 'POST', body: encoded }
        : { url: `${target}?${encoded}`, method: 'GET' };
  }
  throw new Error(`login did not finish within ${MAX_STEPS} pages`);
}

function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Opens the authorization URL, signs in, approves consent and follows the redirect to the
 * loopback callback. With `followCallback` (the default) the callback URL is requested too, so
 * the application's listener receives it exactly as from a browser.
 */
export async function loginAsPerson(
  authorizationUrl: string,
  credentials: PersonCredentials,
  options: { followCallback?: boolean } = {},
): Promise<CallbackResult> {
  const outcome = await walkPages(authorizationUrl, { ...credentials });
  if (outcome.kind === 'final-page') {
    throw new Error(
      `login stopped at the provider (HTTP ${outcome.status}): ${visibleText(outcome.html).slice(0, 300)}`,
    );
  }
  if (options.followCallback === false) return { callbackUrl: outcome.url, status: 0, body: '' };
  const callback = await fetch(outcome.url, { redirect: 'manual' });
  return { callbackUrl: outcome.url, status: callback.status, body: await callback.text() };
}

/**
 * Refuses a device authorization at the verification URI (the page's Abort button), as a person
 * who did not start it would: the provider marks the code denied.
 */
export async function denyDeviceCode(verificationUri: string, userCode: string): Promise<void> {
  const jar = new CookieJar();
  const page = await fetch(verificationUri, { headers: { accept: 'text/html' } });
  jar.store(page);
  const form = parseFirstForm(await page.text());
  if (!form) throw new Error(`no code form at ${verificationUri} (HTTP ${page.status})`);
  form.fields.set('user_code', userCode);
  form.fields.set('abort', 'yes');
  const answer = await fetch(new URL(form.action || verificationUri, verificationUri), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: jar.header(),
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams([...form.fields]).toString(),
  });
  await answer.body?.cancel();
}

/** Completes a device authorization at the verification URI, as the person holding the code. */
export async function approveDeviceCode(
  verificationUri: string,
  userCode: string,
  credentials: PersonCredentials,
): Promise<string> {
  const outcome = await walkPages(verificationUri, { ...credentials, user_code: userCode });
  if (outcome.kind === 'left-provider')
    throw new Error(`device login unexpectedly redirected to ${outcome.url}`);
  const text = visibleText(outcome.html);
  if (outcome.status !== 200 || !/signed in/i.test(text)) {
    throw new Error(`device login failed (HTTP ${outcome.status}): ${text.slice(0, 300)}`);
  }
  return text;
}
