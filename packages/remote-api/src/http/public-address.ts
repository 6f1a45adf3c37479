import type { IncomingMessage } from 'node:http';
import type { RemoteApiConfig } from '../config.js';

/**
 * Where clients reach this server: PUBLIC_URL; without it, the address it listens on (development),
 * or, only when TRUST_PROXY says so, the proxy's X-Forwarded-Proto/Host. Never the bare Host header.
 */
export interface PublicAddress {
  /** scheme://host[:port] of this request (fixed unless it comes from a trusted proxy's headers). */
  baseFor(req: IncomingMessage): string;
  /** The base URL when it does not depend on the request. */
  readonly fixed: string | undefined;
  /** The Host header names this server (exact host, default port ignored, ALLOWED_HOSTS too). */
  hostAllowed(host: string | undefined): boolean;
  /** Origins a browser may send: the public origin (and its loopback aliases), plus ALLOWED_ORIGINS. */
  originAllowed(origin: string): boolean;
  /** Whether the origin is this server's own (not merely allowed): forms of its own pages. */
  isOwnOrigin(origin: string): boolean;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** host[:port] with the scheme's default port left out and lower-cased. */
function normaliseHost(host: string, scheme: 'http:' | 'https:'): string {
  const lower = host.toLowerCase();
  const defaultPort = scheme === 'https:' ? ':443' : ':80';
  return lower.endsWith(defaultPort) ? lower.slice(0, -defaultPort.length) : lower;
}

function firstForwarded(value: string | string[] | undefined): string {
  return String(Array.isArray(value) ? value[0] : (value ?? ''))
    .split(',')[0]!
    .trim();
}

export function publicAddress(config: RemoteApiConfig, listeningUrl: string): PublicAddress {
  const fromProxy = !config.publicUrl && config.trustProxy;
  const fixed = config.publicUrl ?? (fromProxy ? undefined : listeningUrl);
  const fixedUrl = fixed === undefined ? undefined : new URL(fixed);
  const scheme = (fixedUrl?.protocol ?? 'http:') as 'http:' | 'https:';
  const ownHosts = new Set<string>();
  if (fixedUrl) {
    ownHosts.add(normaliseHost(fixedUrl.host, scheme));
    // Without PUBLIC_URL on a loopback address, the other names of loopback reach it too.
    if (!config.publicUrl && LOOPBACK_NAMES.includes(fixedUrl.hostname)) {
      for (const name of LOOPBACK_NAMES) ownHosts.add(normaliseHost(`${name}:${fixedUrl.port}`, scheme));
    }
  }
  const extraHosts = new Set(config.access.allowedHosts.map((host) => host.toLowerCase()));
  const ownOrigins = new Set([...ownHosts].map((host) => `${scheme}//${host}`));
  const allowedOrigins = new Set([
    ...ownOrigins,
    ...config.access.allowedOrigins.map((origin) => origin.toLowerCase()),
  ]);

  return {
    fixed,
    baseFor(req) {
      if (fixed !== undefined) return fixed;
      const proto = firstForwarded(req.headers['x-forwarded-proto']) || 'http';
      const host = firstForwarded(req.headers['x-forwarded-host']) || req.headers.host || listeningUrl;
      return `${proto}://${host}`;
    },
    hostAllowed(host) {
      if (host === undefined) return false;
      const normalised = normaliseHost(host, scheme);
      if (ownHosts.has(normalised) || extraHosts.has(normalised) || extraHosts.has(host.toLowerCase()))
        return true;
      // Behind a trusted proxy without PUBLIC_URL the proxy decides, unless ALLOWED_HOSTS narrows it.
      return fromProxy && extraHosts.size === 0;
    },
    originAllowed(origin) {
      return allowedOrigins.has(origin.toLowerCase());
    },
    isOwnOrigin(origin) {
      return ownOrigins.has(origin.toLowerCase());
    },
  };
}
