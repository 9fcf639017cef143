// What every controller of the control plane is given, and what it gives back.
import type { ClusterConfig } from '../cluster/config.js';
import type { ApiClient } from '../client/client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../log.js';
import type { EventRecorder } from './events.js';

export interface ControllerContext {
  client: ApiClient;
  config: ClusterConfig;
  informers: InformerFactory;
  events: EventRecorder;
  logger: Logger;
}

export interface Controller {
  name: string;
  stop(): void;
}
