// core/v1 Node, Namespace, ReplicationController and Event, and autoscaling/v1 Scale
// (the replicationcontrollers/scale subresource).
import {
  arr,
  bool,
  gvk,
  int32,
  int64,
  listOf,
  microTime,
  obj,
  opaque,
  quantityMap,
  ref,
  str,
  stringMap,
  strings,
  time,
  typeMetaFields,
  type OpenAPISchema,
} from './openapi-schema.js';

const CORE = 'io.k8s.api.core.v1';
const c = (name: string): string => `${CORE}.${name}`;
const AUTOSCALING = 'io.k8s.api.autoscaling.v1';

const conditionFields = (): Record<string, OpenAPISchema> => ({
  lastTransitionTime: time('When the condition last changed status.'),
  message: str('Human readable details of the last transition.'),
  reason: str('CamelCase reason for the last transition.'),
  status: str('True, False or Unknown.'),
  type: str('Type of the condition.'),
});

export const CORE_V1_CLUSTER_SCHEMAS: Record<string, OpenAPISchema> = {
  // ---- Node ---------------------------------------------------------------------------------
  [c('Node')]: obj(
    'Node is a worker of the cluster. In loopkube each node is a process serving its pods on its own loopback addresses.',
    {
      ...typeMetaFields(),
      spec: ref(c('NodeSpec'), 'Spec defines the behavior of the node.'),
      status: ref(c('NodeStatus'), 'Most recently observed status of the node, written by the node itself.'),
    },
    { gvk: [gvk('', 'v1', 'Node')] },
  ),
  [c('NodeList')]: listOf(c('Node'), 'List of nodes.', gvk('', 'v1', 'NodeList')),
  [c('NodeSpec')]: obj('NodeSpec describes the attributes a node is created with.', {
    configSource: opaque('Deprecated: dynamic kubelet configuration source.'),
    externalID: str('Deprecated.'),
    podCIDR: str('The pod IP range assigned to the node.'),
    podCIDRs: strings('The pod IP ranges assigned to the node; podCIDRs[0] is podCIDR.', {
      patchStrategy: 'merge',
      listType: 'set',
    }),
    providerID: str('ID of the node assigned by the cloud provider.'),
    taints: arr(ref(c('Taint')), 'Taints of the node; pods without a matching toleration are kept off it.', {
      listType: 'atomic',
    }),
    unschedulable: bool('Keeps new pods off the node (kubectl cordon).'),
  }),
  [c('Taint')]: obj(
    'A taint repels pods that do not tolerate it.',
    {
      effect: str('NoSchedule, PreferNoSchedule or NoExecute.', ['NoExecute', 'NoSchedule', 'PreferNoSchedule']),
      key: str('The taint key.'),
      timeAdded: time('When a NoExecute taint was added.'),
      value: str('The taint value.'),
    },
    { required: ['key', 'effect'] },
  ),
  [c('NodeStatus')]: obj('NodeStatus is the current status of a node.', {
    addresses: arr(ref(c('NodeAddress')), 'Addresses of the node (InternalIP is 127.10.0.N in loopkube).', {
      patchStrategy: 'merge',
      mergeKey: 'type',
      listType: 'map',
      mapKeys: ['type'],
    }),
    allocatable: quantityMap('Resources of the node available to pods.'),
    capacity: quantityMap('Total resources of the node.'),
    conditions: arr(ref(c('NodeCondition')), 'Current conditions of the node: Ready, MemoryPressure, ...', {
      patchStrategy: 'merge',
      mergeKey: 'type',
      listType: 'map',
      mapKeys: ['type'],
    }),
    config: opaque('Status of the node\'s dynamic configuration.'),
    daemonEndpoints: ref(c('NodeDaemonEndpoints'), 'Endpoints of daemons running on the node.'),
    features: opaque('Features supported by the node\'s runtime.'),
    images: arr(ref(c('ContainerImage')), 'Images on the node.', { listType: 'atomic' }),
    nodeInfo: ref(c('NodeSystemInfo'), 'General information about the node.'),
    phase: str('Deprecated: lifecycle phase of the node.'),
    runtimeHandlers: arr(opaque('NodeRuntimeHandler'), 'Available runtime handlers.', { listType: 'atomic' }),
    volumesAttached: arr(
      obj('A volume attached to the node.', { devicePath: str('Device path.'), name: str('Name of the volume.') }, { required: ['name', 'devicePath'] }),
      'Volumes attached to the node.',
      { listType: 'atomic' },
    ),
    volumesInUse: strings('Volumes in use by the node.'),
  }),
  [c('NodeAddress')]: obj(
    'An address of a node.',
    {
      address: str('The address.'),
      type: str('Hostname, ExternalIP, InternalIP, ExternalDNS or InternalDNS.'),
    },
    { required: ['type', 'address'] },
  ),
  [c('NodeCondition')]: obj(
    'NodeCondition is one aspect of a node\'s state.',
    { ...conditionFields(), lastHeartbeatTime: time('When the node last reported this condition.') },
    { required: ['type', 'status'] },
  ),
  [c('NodeDaemonEndpoints')]: obj('Ports of the daemons running on the node.', {
    kubeletEndpoint: ref(c('DaemonEndpoint'), 'Endpoint of the node agent.'),
  }),
  [c('DaemonEndpoint')]: obj('Endpoint of a daemon.', { Port: int32('Port number.') }, { required: ['Port'] }),
  [c('NodeSystemInfo')]: obj('General information about a node.', {
    architecture: str('Architecture of the node.'),
    bootID: str('Boot ID of the node.'),
    containerRuntimeVersion: str('Version of the container runtime, e.g. `loopkube://0.1.0`.'),
    kernelVersion: str('Kernel version of the node.'),
    kubeProxyVersion: str('Deprecated: version of the service proxy.'),
    kubeletVersion: str('Version of the node agent.'),
    machineID: str('Machine ID of the node.'),
    operatingSystem: str('Operating system of the node.'),
    osImage: str('OS image of the node.'),
    swap: opaque('Swap information of the node.'),
    systemUUID: str('System UUID of the node.'),
  }),
  [c('ContainerImage')]: obj('An image on a node.', {
    names: strings('Names of the image.'),
    sizeBytes: int64('Size of the image in bytes.'),
  }),

  // ---- Namespace ----------------------------------------------------------------------------
  [c('Namespace')]: obj(
    'Namespace provides a scope for names. Deleting a namespace deletes everything in it.',
    {
      ...typeMetaFields(),
      spec: ref(c('NamespaceSpec'), 'Spec defines the behavior of the namespace.'),
      status: ref(c('NamespaceStatus'), 'Current status of the namespace.'),
    },
    { gvk: [gvk('', 'v1', 'Namespace')] },
  ),
  [c('NamespaceList')]: listOf(c('Namespace'), 'List of namespaces.', gvk('', 'v1', 'NamespaceList')),
  [c('NamespaceSpec')]: obj('NamespaceSpec describes a namespace.', {
    finalizers: strings('Finalizers that must be empty before the namespace is removed.'),
  }),
  [c('NamespaceStatus')]: obj('NamespaceStatus is the status of a namespace.', {
    conditions: arr(
      obj('A condition of a namespace.', conditionFields(), { required: ['type', 'status'] }),
      'Current conditions of the namespace.',
      { patchStrategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
    ),
    phase: str('Active or Terminating.', ['Active', 'Terminating']),
  }),

  // ---- ReplicationController ----------------------------------------------------------------
  [c('ReplicationController')]: obj(
    'ReplicationController keeps a number of pod replicas running, replacing pods that die.',
    {
      ...typeMetaFields(),
      spec: ref(c('ReplicationControllerSpec'), 'Spec defines the desired behavior of the controller.'),
      status: ref(c('ReplicationControllerStatus'), 'Most recently observed status of the controller.'),
    },
    { gvk: [gvk('', 'v1', 'ReplicationController')] },
  ),
  [c('ReplicationControllerList')]: listOf(
    c('ReplicationController'),
    'List of replication controllers.',
    gvk('', 'v1', 'ReplicationControllerList'),
  ),
  [c('ReplicationControllerSpec')]: obj('ReplicationControllerSpec is the desired state of a replication controller.', {
    minReadySeconds: int32('Seconds a new pod must be ready to count as available. Default: 0.'),
    replicas: int32('Number of desired replicas. Default: 1.'),
    selector: stringMap('Label query over the pods the controller counts. Defaults to the template\'s labels.', true),
    template: ref(c('PodTemplateSpec'), 'The pod created when replicas are missing.'),
  }),
  [c('ReplicationControllerStatus')]: obj(
    'ReplicationControllerStatus is the most recently observed status of a replication controller.',
    {
      availableReplicas: int32('Number of available replicas (ready for at least minReadySeconds).'),
      conditions: arr(
        obj('A condition of a replication controller.', conditionFields(), { required: ['type', 'status'] }),
        'Current conditions of the controller.',
        { patchStrategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
      ),
      fullyLabeledReplicas: int32('Number of pods whose labels match the template\'s labels.'),
      observedGeneration: int64('The generation last observed by the controller.'),
      readyReplicas: int32('Number of ready replicas.'),
      replicas: int32('The most recently observed number of replicas.'),
    },
    { required: ['replicas'] },
  ),

  // ---- Event --------------------------------------------------------------------------------
  [c('Event')]: obj(
    'Event is a report of something that happened in the cluster.',
    {
      ...typeMetaFields(),
      action: str('What action was taken or failed regarding the involved object.'),
      count: int32('The number of times this event has occurred.'),
      eventTime: microTime('When this event was first observed.'),
      firstTimestamp: time('When the event was first recorded.'),
      involvedObject: ref(c('ObjectReference'), 'The object this event is about.'),
      lastTimestamp: time('When the most recent occurrence was recorded.'),
      message: str('A human readable description of the event.'),
      reason: str('A short, machine understandable CamelCase reason, e.g. Scheduled or Killing.'),
      related: ref(c('ObjectReference'), 'A secondary object involved in the event.'),
      reportingComponent: str('The controller that emitted the event, e.g. `loopkube.dev/scheduler`.'),
      reportingInstance: str('The instance of the controller that emitted the event.'),
      series: ref(c('EventSeries'), 'Data about the series of events this one belongs to.'),
      source: ref(c('EventSource'), 'The component reporting the event.'),
      type: str('Normal or Warning.'),
    },
    { required: ['metadata', 'involvedObject'], gvk: [gvk('', 'v1', 'Event')] },
  ),
  [c('EventList')]: listOf(c('Event'), 'List of events.', gvk('', 'v1', 'EventList')),
  [c('EventSource')]: obj('The source of an event.', {
    component: str('The component the event comes from.'),
    host: str('The node the event was generated on.'),
  }),
  [c('EventSeries')]: obj('A series of similar events.', {
    count: int32('Number of occurrences in the series so far.'),
    lastObservedTime: microTime('When the last occurrence was observed.'),
  }),

  // ---- autoscaling/v1 Scale -----------------------------------------------------------------
  [`${AUTOSCALING}.Scale`]: obj(
    'Scale is the scale subresource of a resource (replicationcontrollers/scale).',
    {
      ...typeMetaFields(),
      spec: ref(`${AUTOSCALING}.ScaleSpec`, 'The desired scale.'),
      status: ref(`${AUTOSCALING}.ScaleStatus`, 'The current scale. Read-only.'),
    },
    { gvk: [gvk('autoscaling', 'v1', 'Scale')] },
  ),
  [`${AUTOSCALING}.ScaleSpec`]: obj('ScaleSpec is the desired scale.', {
    replicas: int32('Desired number of instances of the scaled object.'),
  }),
  [`${AUTOSCALING}.ScaleStatus`]: obj(
    'ScaleStatus is the current scale.',
    {
      replicas: int32('Actual number of observed instances.'),
      selector: str('Label query over the pods counted, in the string form of a label selector.'),
    },
    { required: ['replicas'] },
  ),
};
