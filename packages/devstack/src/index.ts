export * from './oidc/index.js';
