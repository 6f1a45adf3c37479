import { isSidecarError, SidecarError } from '@cnpg-mcp/auth-sidecar/client';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CONNECTION_LOST } from './call-tracking.js';
import { RemoteHttpError, SidecarConnectionLostError, SidecarUnreachableError } from './sidecar-fetch.js';

const MAY_HAVE_RUN =
  'it may or may not have completed on the remote. Check the current state (for example with ' +
  'cluster_status) before running a change again.';

/** The caller gave up waiting for the remote (the SDK's request timeout), as opposed to a cancellation. */
export function isAnswerTimeout(error: unknown): boolean {
  return (
    error instanceof McpError &&
    error.code === ErrorCode.RequestTimeout &&
    typeof (error.data as { timeout?: unknown } | undefined)?.timeout === 'number'
  );
}

/**
 * An answer cut off mid-way (the sidecar died, or the stream to it broke): the call may have run.
 * A JSON answer cut while it was read fails with the socket's own error.
 */
function isCutOff(error: unknown): boolean {
  if (error instanceof SidecarConnectionLostError) return true;
  if (error instanceof McpError) return error.data === CONNECTION_LOST;
  return isSocketError(error);
}

/** An error of the connection underneath (undici's or Node's), not of the program. */
function isSocketError(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return (
    (error as Error)?.message === 'terminated' ||
    [code, cause?.code].some(
      (found) =>
        typeof found === 'string' &&
        (found.startsWith('UND_ERR') || found.startsWith('ECONN') || found === 'EPIPE'),
    )
  );
}

function describeSidecarError(error: SidecarError): string {
  if (isSidecarError(error, 'ERR_REDIRECT_REFUSED')) {
    const { body } = error;
    return (
      `The remote API answered with a redirect (HTTP ${body.status}` +
      `${body.location ? ` to ${body.location}` : ', without a Location'}), which cnpg-mcp never follows; ${MAY_HAVE_RUN} ` +
      'Check the remote URL setting (remoteUrl): it must be the MCP endpoint itself.'
    );
  }
  if (error.code === 'ERR_REMOTE_CONNECTION_LOST' || error.code === 'ERR_REMOTE_TIMEOUT')
    return error.message;
  return `cnpg-mcp could not complete the call: ${error.message}`;
}

/** A failed call, in words for the person (and the model): what happened and what to do. */
export function describeFailure(error: unknown): string {
  if (error instanceof SidecarError) return describeSidecarError(error);
  if (isCutOff(error)) {
    return `The connection to the remote API (through the auth sidecar) was cut while the call ran, so ${MAY_HAVE_RUN}`;
  }
  if (isAnswerTimeout(error)) {
    const waited = (error as McpError).data as { timeout: number };
    return (
      `The remote API did not answer within ${Math.round(waited.timeout / 1000)} s, so cnpg-mcp stopped ` +
      `waiting; ${MAY_HAVE_RUN} The limit is --call-timeout-seconds ` +
      '(CNPG_MCP_CALL_TIMEOUT_SECONDS); a tool called with wait: true may wait as long as its wait_timeout_seconds.'
    );
  }
  if (error instanceof RemoteHttpError) {
    const wrongPath =
      error.status === 404 || error.status === 405
        ? " Check the remote URL setting (remoteUrl): it must be the remote API's MCP endpoint, usually ending in /mcp."
        : '';
    return `cnpg-mcp could not complete the call: ${error.message}.${wrongPath}`;
  }
  if (error instanceof SidecarUnreachableError) {
    return `cnpg-mcp could not reach its auth sidecar (${error.message}); run \`cnpg-mcp doctor\` to see why.`;
  }
  return `cnpg-mcp failed: ${(error as Error)?.message ?? String(error)}`;
}
