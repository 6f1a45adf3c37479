export type { RbacPolicy, RbacRule } from './auth/rbac.js';
export type { KubeEmulator, KubeEmulatorOptions } from './emulator.js';
export { startKubeEmulator } from './emulator.js';
export type { FaultRule } from './http/faults.js';
export type { Traffic } from './http/traffic.js';
export { renderKubeconfig } from './kubeconfig.js';
