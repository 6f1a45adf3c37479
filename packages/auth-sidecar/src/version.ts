/** Version of the sidecar protocol and code; part of the socket name (see sidecar/locations.ts). */
export const SIDECAR_VERSION = '0.1.0';
