import {
  clusterDeleteTool,
  clusterFenceTool,
  clusterHibernateTool,
  clusterInstanceDestroyTool,
  clusterReloadTool,
  clusterRestartTool,
  clusterResumeTool,
  clusterSwitchoverTool,
  clusterUnfenceTool,
} from './cluster/actions.js';
import {
  clusterImageUpgradeTool,
  clusterMaintenanceTool,
  clusterScaleTool,
  clusterSetParametersTool,
  clusterStorageGrowTool,
} from './cluster/change.js';
import { clusterCreateTool } from './cluster/create.js';
import { clusterListTool, clusterStatusTool } from './cluster/read.js';
import { clusterStorageShrinkStatusTool, clusterStorageShrinkTool } from './cluster/shrink.js';
import type { ToolImplementation } from './context.js';
import { objectImplementations } from './object-registry.js';
import { whoamiTool } from './whoami.js';

/** Every implemented tool by name; a test checks this matches the catalog both ways. */
export const implementations: ReadonlyMap<string, ToolImplementation> = new Map(
  [
    whoamiTool,
    clusterListTool,
    clusterStatusTool,
    clusterCreateTool,
    clusterScaleTool,
    clusterStorageGrowTool,
    clusterStorageShrinkTool,
    clusterStorageShrinkStatusTool,
    clusterSetParametersTool,
    clusterImageUpgradeTool,
    clusterRestartTool,
    clusterReloadTool,
    clusterHibernateTool,
    clusterResumeTool,
    clusterFenceTool,
    clusterUnfenceTool,
    clusterSwitchoverTool,
    clusterInstanceDestroyTool,
    clusterMaintenanceTool,
    clusterDeleteTool,
    ...objectImplementations,
  ].map((tool) => [tool.definition.name, tool]),
);
