import { ensureSidecar, SidecarClient } from '@cnpg-mcp/auth-sidecar/client';
import type { Env, Settings } from '@cnpg-mcp/auth-sidecar/config';
import type { Logger } from '../log.js';

/**
 * The stdio server's handle on the per-user sidecar: started on first use (never at handshake),
 * started again when it has died (the socket stops answering).
 */
export class SidecarLink {
  private client: SidecarClient | undefined;
  private starting: Promise<SidecarClient> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly env: Env,
    private readonly log: Logger,
  ) {}

  /** A client for a sidecar that answered a moment ago (spawning one if needed). */
  get(): Promise<SidecarClient> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<SidecarClient> {
    const ensured = await ensureSidecar(this.settings, { env: this.env });
    this.log.info(
      ensured.started
        ? `started the auth sidecar (pid ${ensured.pid}) on ${ensured.socketPath}`
        : `using the auth sidecar (pid ${ensured.pid}) on ${ensured.socketPath}`,
    );
    this.client = new SidecarClient(ensured.socketPath);
    return this.client;
  }

  /** Forgets the current sidecar after its socket stopped answering; the next get() respawns it. */
  async lost(reason: string): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.log.warn(`the auth sidecar stopped answering (${reason}); starting it again`);
    await client?.close().catch(() => {});
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }
}
