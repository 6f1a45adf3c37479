/** A kubeconfig for the emulator that @kubernetes/client-node and kubectl load unchanged. */
export interface KubeconfigOptions {
  server: string;
  token: string;
  /** PEM of the CA that signed an https server's certificate; without it TLS checks are skipped. */
  caCertPem?: string;
  namespace?: string;
  contextName?: string;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  const name = opts.contextName ?? 'cnpg-emulator';
  const q = (s: string) => JSON.stringify(s);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(name)}`,
    '  cluster:',
    `    server: ${q(opts.server)}`,
    opts.caCertPem
      ? `    certificate-authority-data: ${Buffer.from(opts.caCertPem).toString('base64')}`
      : // Plain http: client-node needs skipTLSVerify for a non-TLS server URL (see FACTS).
        '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${q(`${name}-admin`)}`,
    '  user:',
    `    token: ${q(opts.token)}`,
    'contexts:',
    `- name: ${q(name)}`,
    '  context:',
    `    cluster: ${q(name)}`,
    `    user: ${q(`${name}-admin`)}`,
    `    namespace: ${q(opts.namespace ?? 'default')}`,
    `current-context: ${q(name)}`,
    'preferences: {}',
    '',
  ].join('\n');
}
