export {
  approveDeviceCode,
  type CallbackResult,
  denyDeviceCode,
  loginAsPerson,
  type PersonCredentials,
  parseFirstForm,
} from './person.js';
export {
  API_RESOURCE_SCOPES,
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENT_ID,
  DEFAULT_REDIRECT_URI,
  type DevClientRegistration,
  type DevOidc,
  type DevOidcOptions,
  startDevOidc,
} from './provider.js';
export { DEFAULT_SCOPE, type DevTokens, discoverDevClient, loginForTokens } from './tokens.js';
export { DEV_USERS, type DevUser } from './users.js';
