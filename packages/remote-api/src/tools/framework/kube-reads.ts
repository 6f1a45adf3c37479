import type {
  ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  ObservableMiddleware,
} from '@kubernetes/client-node';

/**
 * The Kubernetes calls a tool may make directly: reads only. Every write goes through the call's
 * Writer, which checks it against the tool's declared references; Secrets are read only as
 * declared references, so no tool reads a credential the framework has not checked it may.
 */
export interface KubeReads {
  custom: Pick<
    CustomObjectsApi,
    | 'getNamespacedCustomObject'
    | 'listNamespacedCustomObject'
    | 'listClusterCustomObject'
    | 'getClusterCustomObject'
    | 'getAPIResources'
  >;
  core: Pick<
    CoreV1Api,
    | 'readNamespacedPod'
    | 'listNamespacedPod'
    | 'readNamespacedPodLog'
    | 'listNamespacedPersistentVolumeClaim'
    | 'listNamespacedEvent'
    | 'listNamespacedService'
  >;
  options: ConfigurationOptions<ObservableMiddleware> | undefined;
  /**
   * The same reads, always from the API server: for decisions that must count every object that
   * exists right now (quotas). Absent when every read already goes there.
   */
  consistent?: Omit<KubeReads, 'consistent'>;
}
