export * from './kube/index.js';
export * from './oidc/index.js';
export * from './round-robin.js';
