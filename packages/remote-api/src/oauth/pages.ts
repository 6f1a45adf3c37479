import type { ServerResponse } from 'node:http';

/** The proxy's own pages: consent before the provider login, and errors that cannot go to the client. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;background:#f4f6f8;display:flex;justify-content:center;padding-top:8vh;margin:0}
main{background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 2px 12px #0002;max-width:36rem}
h1{font-size:1.3rem;margin-top:0}code{word-break:break-all}.warning{background:#fff4e5;border-left:4px solid #f0a020;padding:.6rem .8rem}
.actions{display:flex;gap:1rem;margin-top:1.5rem}button{padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
.error{color:#b00020}small{color:#555}
</style></head><body><main>${body}</main></body></html>`;
}

export interface ConsentPageDetails {
  clientName: string;
  /** How the client is known: its metadata document URL, or "registered itself with this server". */
  clientIdentity: string;
  redirectUri: string;
  redirectIsLocal: boolean;
  scopes: { name: string; meaning: string }[];
  resource: string;
  providerHost: string;
  sealedRequest: string;
}

export function consentPage(details: ConsentPageDetails): string {
  const redirectHost = new URL(details.redirectUri).host;
  const scopes = details.scopes
    .map((scope) => `<li><code>${escapeHtml(scope.name)}</code>: ${escapeHtml(scope.meaning)}</li>`)
    .join('');
  const warning = details.redirectIsLocal
    ? `<p class="warning">The access goes to a program on <strong>this computer</strong> (${escapeHtml(redirectHost)}).
Only allow it if you have just connected an application on this computer to cnpg-mcp.</p>`
    : '';
  return layout(
    'Allow access to cnpg-mcp?',
    `<h1>Allow <span id="client-name">${escapeHtml(details.clientName)}</span> to use cnpg-mcp?</h1>
<p>It asks to manage PostgreSQL clusters through <code>${escapeHtml(details.resource)}</code> on your behalf,
with your own cnpg-mcp permissions.</p>
<p><small>Client: ${escapeHtml(details.clientIdentity)}</small></p>
<p>After you sign in at <strong>${escapeHtml(details.providerHost)}</strong>, its access is sent to
<strong id="redirect-host">${escapeHtml(redirectHost)}</strong>:<br><code id="redirect-uri">${escapeHtml(details.redirectUri)}</code></p>
${warning}
<p>It asks for:</p><ul>${scopes}</ul>
<form method="post" action="/oauth/consent">
<input type="hidden" name="request" value="${escapeHtml(details.sealedRequest)}">
<div class="actions">
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</div>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}

/** HTML that may not be framed (clickjacking) and whose forms go only where `formTargets` say. */
export function sendPage(
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string | string[]> = {},
  formTargets: string[] = [],
): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    // same-origin: the consent form's POST carries this origin (no-referrer would make it "null").
    'referrer-policy': 'same-origin',
    'content-security-policy':
      `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self' ${formTargets.join(' ')}`.trim(),
    ...headers,
  });
  res.end(html);
}
