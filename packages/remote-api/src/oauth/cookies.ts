import type { IncomingMessage } from 'node:http';

/**
 * Cookies of the proxy's browser steps. Over HTTPS they are `__Host-` cookies (Secure, host-only,
 * Path=/); over plain HTTP (local development) the prefix and Secure cannot be used.
 */
export interface CookieJar {
  name(base: string): string;
  read(req: IncomingMessage, base: string): string | undefined;
  set(base: string, value: string, maxAgeSeconds: number): string;
  clear(base: string): string;
}

export function cookieJar(secure: boolean): CookieJar {
  const name = (base: string) => (secure ? `__Host-${base}` : base);
  const attributes = (maxAge: number) =>
    [`Path=/`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
  return {
    name,
    read(req, base) {
      const wanted = name(base);
      for (const part of (req.headers.cookie ?? '').split(';')) {
        const separator = part.indexOf('=');
        if (separator > 0 && part.slice(0, separator).trim() === wanted)
          return part.slice(separator + 1).trim();
      }
      return undefined;
    },
    set: (base, value, maxAgeSeconds) => `${name(base)}=${value}; ${attributes(maxAgeSeconds)}`,
    clear: (base) => `${name(base)}=; ${attributes(0)}`,
  };
}
