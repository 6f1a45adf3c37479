/** Version of the sidecar protocol and code; part of the socket name (see locations.ts). */
export const SIDECAR_VERSION = '0.2.0';
