// Starts the control plane's controllers, each a list/watch + reconcile loop through the API.
import type { ClusterConfig } from '../cluster/config.js';
import type { ApiClient } from '../client/client.js';
import { createInformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../log.js';
import { createEventRecorder } from './events.js';
import { startGarbageCollector } from './garbage-collector.js';
import { startHorizontalPodAutoscalerController } from './horizontalpodautoscaler/controller.js';
import { startLoadBalancerController } from './loadbalancer.js';
import { startNamespaceController } from './namespace.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startDeploymentController } from './deployment/controller.js';
import { startCronJobController } from './cronjob/controller.js';
import { startStatefulSetController } from './statefulset/controller.js';
import { startDisruptionController } from './disruption.js';
import { startEndpointsController } from './endpoints.js';
import { startJobController } from './job/controller.js';
import { startNodeLifecycleController } from './node-lifecycle.js';
import { startPodGarbageCollector } from './pod-gc.js';
import { startPersistentVolumeBinder } from './persistentvolume-binder.js';
import { startLocalPathProvisioner } from './local-path-provisioner.js';
import { startReplicaSetController } from './replicaset.js';
import { startReplicationController } from './replication.js';
import { startScheduler } from './scheduler.js';
import { startServiceAccountsController } from './service-accounts.js';
import { startTTLAfterFinishedController } from './ttl-after-finished.js';
import type { Controller, ControllerContext } from './types.js';

export interface Controllers {
  context: ControllerContext;
  stop(): Promise<void>;
}

type ControllerStarter = (ctx: ControllerContext) => Controller;

/** Every controller the control plane runs; later issues add theirs here. */
const STARTERS: ControllerStarter[] = [
  startNamespaceController,
  startGarbageCollector,
  startScheduler,
  startReplicationController,
  startReplicaSetController,
  startDeploymentController,
  startDaemonSetController,
  startStatefulSetController,
  startEndpointsController,
  startNodeLifecycleController,
  startPodGarbageCollector,
  startLoadBalancerController,
  startDisruptionController,
  startServiceAccountsController,
  startJobController,
  startCronJobController,
  startTTLAfterFinishedController,
  startPersistentVolumeBinder,
  startLocalPathProvisioner,
  startHorizontalPodAutoscalerController,
];

export async function startControllers(opts: { client: ApiClient; config: ClusterConfig; logger: Logger }): Promise<Controllers> {
  const informers = createInformerFactory(opts.client, opts.logger);
  const context: ControllerContext = {
    client: opts.client,
    config: opts.config,
    informers,
    events: createEventRecorder(opts.client, 'controller-manager', opts.logger),
    logger: opts.logger,
  };
  const running = STARTERS.map((start) => start(context));
  await informers.synced();
  return {
    context,
    async stop() {
      for (const c of running) c.stop();
      informers.stop();
    },
  };
}
