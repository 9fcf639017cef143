// apps/v1 Deployment: a pod template rolled out through ReplicaSets (src/controllers/deployment/),
// generation tracking and the scale subresource.
import type { Deployment } from '../../api/apps.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KindDefinition } from '../kind.js';
import { scaleSubresource } from '../shared/scale.js';
import { admitDeployment } from './admission.js';
import { deploymentPrinter } from './printer.js';
import { DEPLOYMENTS } from './resource.js';

export const deploymentKind: KindDefinition = {
  resource: DEPLOYMENTS,
  printer: deploymentPrinter,
  protobufMessage: 'apps.v1.Deployment',
  subresources: {
    scale: scaleSubresource<Deployment>({
      specReplicas: (d) => d.spec.replicas ?? 1,
      setSpecReplicas: (d, n) => {
        d.spec.replicas = n;
      },
      statusReplicas: (d) => d.status?.replicas ?? 0,
      selector: (d) => formatLabelSelector(d.spec.selector).replace(/^<none>$/, ''),
    }),
  },
  strategy: {
    tracksGeneration: true,
    statusUpdateKeepsAnnotations: true,
    initialStatus: () => ({}),
    admit: admitDeployment,
  },
};
