function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;background:#f4f6f8;display:flex;justify-content:center;padding-top:10vh;margin:0}
main{background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 2px 12px #0002;min-width:320px}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}.error{color:#b00020}
ul{padding-left:1.2rem}small{color:#555}
</style></head><body><main>${body}</main></body></html>`;
}

export function loginPage(uid: string, clientId: string, error?: string): string {
  return layout(
    'Sign in — cnpg-mcp devstack',
    `<h1>Sign in to cnpg-mcp devstack</h1>
<p><small>Application: ${escapeHtml(clientId)}</small></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit" id="sign-in">Sign in</button>
</form>`,
  );
}

export function consentPage(uid: string, clientId: string, scopes: string[], audiences: string[]): string {
  const items = scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
  const apis = audiences.length ? `<p>API: ${audiences.map(escapeHtml).join(', ')}</p>` : '';
  return layout(
    'Authorize — cnpg-mcp devstack',
    `<h1>Authorize ${escapeHtml(clientId)}</h1>
${apis}<p>The application asks for:</p><ul>${items}</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button type="submit" id="authorize">Authorize</button>
</form>`,
  );
}

export function deviceInputPage(form: string, error?: string): string {
  return layout(
    'Device sign-in — cnpg-mcp devstack',
    `<h1>Device sign-in</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '<p>Enter the code shown on your device.</p>'}
${form}
<button type="submit" form="op.deviceInputForm" id="continue">Continue</button>`,
  );
}

export function deviceConfirmPage(form: string, clientId: string, userCode: string): string {
  return layout(
    'Confirm device — cnpg-mcp devstack',
    `<h1>Confirm device</h1>
<p>${escapeHtml(clientId)} shows this code: <code>${escapeHtml(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm" id="continue">Continue</button>`,
  );
}

export function deviceSuccessPage(): string {
  return layout(
    'Signed in — cnpg-mcp devstack',
    '<h1>Device signed in</h1><p>You can close this page and return to your terminal.</p>',
  );
}

export function errorPage(error: string, description?: string): string {
  return layout(
    'Error — cnpg-mcp devstack',
    `<h1>Sign-in failed</h1><p class="error" role="alert">${escapeHtml(error)}</p>${
      description ? `<p>${escapeHtml(description)}</p>` : ''
    }`,
  );
}

export function logoutPage(form: string): string {
  return layout(
    'Sign out — cnpg-mcp devstack',
    `<h1>Sign out?</h1>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>`,
  );
}
