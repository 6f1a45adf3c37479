export * from './kube/index.js';
export * from './oidc/index.js';
