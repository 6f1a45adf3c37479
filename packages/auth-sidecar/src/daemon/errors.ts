import { type ErrorBody, SidecarError } from '../api.js';
import { CallbackPortBusyError } from './oidc/callback-listener.js';
import { describeOidcError } from './oidc/provider.js';
import { KeychainUnavailableError } from './store/keychain-store.js';

/** The wire form of anything the daemon throws; unknown errors are ERR_INTERNAL. */
export function errorBody(error: unknown): ErrorBody {
  if (error instanceof SidecarError) return error.body;
  if (error instanceof KeychainUnavailableError) {
    return { code: 'ERR_KEYCHAIN_UNAVAILABLE', problem: error.problem, message: error.message };
  }
  if (error instanceof CallbackPortBusyError)
    return { code: 'ERR_CALLBACK_PORT_BUSY', message: error.message };
  return { code: 'ERR_INTERNAL', message: describeOidcError(error) };
}
