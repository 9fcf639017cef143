// The --config cluster file: what it accepts, and the error (naming the field) for each rule.
import { describe, expect, it } from 'vitest';
import { ClusterConfigError, parseClusterFile, type ClusterFile } from '../../src/cluster/cluster-file.js';

const HEAD = 'kind: Cluster\napiVersion: loopkube.dev/v1alpha1\n';

function errorsOf(text: string): string[] {
  try {
    parseClusterFile(text);
  } catch (err) {
    if (err instanceof ClusterConfigError) return err.errors;
    throw err;
  }
  return [];
}

describe('cluster file: accepted', () => {
  const cases: Array<{ name: string; text: string; want: ClusterFile }> = [
    { name: 'kind and apiVersion alone', text: HEAD, want: {} },
    {
      name: 'every field',
      text:
        HEAD +
        `name: demo
networking:
  apiServerPort: 7443
  serviceSubnet: 127.97.0.0/16
  podSubnet: 127.245.0.0/16
  nodeSubnet: 127.11.0.0/24
  loadBalancerPool: 127.201.0.0/24
  nodePortRange: "31000-31999"
proxy: { mode: least-connections, dataPlane: socket }
nodeLifecycle: { nodeMonitorGracePeriodSeconds: 10, podEvictionTimeoutSeconds: 20 }
nodes:
  - name: big
    capacity: { cpu: 8, memory: 16Gi, pods: 50 }
    labels: { disktype: ssd, example.com/zone: "a" }
    taints: [{ key: dedicated, value: db, effect: NoSchedule }]
  - {}
`,
      want: {
        name: 'demo',
        networking: {
          apiServerPort: 7443,
          serviceSubnet: '127.97.0.0/16',
          podSubnet: '127.245.0.0/16',
          nodeSubnet: '127.11.0.0/24',
          loadBalancerPool: '127.201.0.0/24',
          nodePortRange: { min: 31000, max: 31999 },
        },
        proxy: { mode: 'least-connections', dataPlane: 'socket' },
        nodeLifecycle: { nodeMonitorGracePeriodSeconds: 10, podEvictionTimeoutSeconds: 20 },
        nodes: [
          {
            name: 'big',
            capacity: { cpu: '8', memory: '16Gi', pods: '50' },
            labels: { disktype: 'ssd', 'example.com/zone': 'a' },
            taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
          },
          {},
        ],
      },
    },
    { name: 'cpu in millicores', text: HEAD + 'nodes: [{ capacity: { cpu: 500m } }]\n', want: { nodes: [{ capacity: { cpu: '500m' } }] } },
    {
      name: 'propagation: a preset and durations as Go writes them',
      text: HEAD + 'propagation: { preset: production, endpointUpdatesBatchPeriod: 1.5s, minSyncPeriod: 2s, syncPeriod: 1m30s, syncDelay: 250ms }\n',
      want: { propagation: { preset: 'production', endpointUpdatesBatchPeriodMs: 1500, minSyncPeriodMs: 2000, syncPeriodMs: 90_000, syncDelayMs: 250 } },
    },
    { name: 'hostProcesses: true', text: HEAD + 'hostProcesses: true\n', want: { hostProcesses: true } },
    { name: 'propagation: a bare 0 is no delay', text: HEAD + 'propagation: { syncDelay: 0 }\n', want: { propagation: { syncDelayMs: 0 } } },
  ];
  it.each(cases)('$name', ({ text, want }) => {
    expect(parseClusterFile(text)).toEqual(want);
  });
});

describe('cluster file: rejected, naming the field', () => {
  const cases: Array<{ rule: string; text: string; error: string }> = [
    { rule: 'kind is required', text: 'apiVersion: loopkube.dev/v1alpha1\n', error: 'kind: Required value' },
    { rule: 'kind must be Cluster', text: 'kind: Pod\napiVersion: loopkube.dev/v1alpha1\n', error: 'kind: Unsupported value: "Pod": supported values: "Cluster"' },
    {
      rule: 'apiVersion must be loopkube.dev/v1alpha1',
      text: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n',
      error: 'apiVersion: Unsupported value: "kind.x-k8s.io/v1alpha4": supported values: "loopkube.dev/v1alpha1"',
    },
    { rule: 'unknown top-level field', text: HEAD + 'workers: 3\n', error: 'unknown field "workers"' },
    { rule: 'unknown nested field', text: HEAD + 'networking: { ipFamily: ipv4 }\n', error: 'unknown field "networking.ipFamily"' },
    { rule: 'unknown node field', text: HEAD + 'nodes: [{ role: worker }]\n', error: 'unknown field "nodes[0].role"' },
    { rule: 'name is an RFC 1123 label', text: HEAD + 'name: My_Cluster\n', error: 'name: Invalid value: "My_Cluster": a lowercase RFC 1123 label must consist of' },
    { rule: 'port in range', text: HEAD + 'networking: { apiServerPort: 70000 }\n', error: 'networking.apiServerPort: Invalid value: 70000: must be between 1 and 65535, inclusive' },
    { rule: 'port is an integer', text: HEAD + 'networking: { apiServerPort: "x" }\n', error: 'networking.apiServerPort: Invalid value: "x": must be an integer' },
    { rule: 'subnet is a CIDR', text: HEAD + 'networking: { podSubnet: 127.244.0.0 }\n', error: 'networking.podSubnet: Invalid value: "127.244.0.0": must be a valid CIDR block' },
    { rule: 'subnet has no host bits', text: HEAD + 'networking: { nodeSubnet: 127.10.0.5/24 }\n', error: 'networking.nodeSubnet: Invalid value: "127.10.0.5/24": must be a valid CIDR block' },
    { rule: 'subnet is loopback', text: HEAD + 'networking: { serviceSubnet: 10.96.0.0/12 }\n', error: 'networking.serviceSubnet: Invalid value: "10.96.0.0/12": must be inside 127.0.0.0/8 (loopback)' },
    { rule: 'pod subnet holds /24s', text: HEAD + 'networking: { podSubnet: 127.244.0.0/24 }\n', error: 'networking.podSubnet: Invalid value: "127.244.0.0/24": must be /23 or larger' },
    { rule: 'NodePort range format', text: HEAD + 'networking: { nodePortRange: "32767-30000" }\n', error: 'networking.nodePortRange: Invalid value: "32767-30000": must be a port range "MIN-MAX"' },
    {
      rule: 'proxy mode is supported',
      text: HEAD + 'proxy: { mode: ipvs }\n',
      error: 'proxy.mode: Unsupported value: "ipvs": supported values: "round-robin", "random", "least-connections"',
    },
    {
      rule: 'the data plane is one the proxy has',
      text: HEAD + 'proxy: { dataPlane: ebpf }\n',
      error: 'proxy.dataPlane: Unsupported value: "ebpf": supported values: "splice", "socket", "nftables"',
    },
    { rule: 'hostProcesses is a boolean', text: HEAD + 'hostProcesses: "yes"\n', error: 'hostProcesses: Invalid value: "yes": must be a boolean (true or false), not string' },
    { rule: 'propagation preset is one loopkube has', text: HEAD + 'propagation: { preset: fast }\n', error: 'propagation.preset: Unsupported value: "fast": supported values: "instant", "production"' },
    { rule: 'propagation durations carry a unit', text: HEAD + 'propagation: { minSyncPeriod: 5 }\n', error: 'propagation.minSyncPeriod: Invalid value: 5: must be a duration such as 1s, 500ms or 1m30s' },
    { rule: 'propagation durations are durations', text: HEAD + 'propagation: { syncDelay: soon }\n', error: 'propagation.syncDelay: Invalid value: "soon": must be a duration' },
    { rule: 'propagation delays stay under 10 minutes', text: HEAD + 'propagation: { syncDelay: 1h }\n', error: 'propagation.syncDelay: Invalid value: "1h": must be at most 10m' },
    { rule: 'unknown propagation field', text: HEAD + 'propagation: { iptablesSyncPeriod: 1s }\n', error: 'unknown field "propagation.iptablesSyncPeriod"' },
    { rule: 'grace period positive', text: HEAD + 'nodeLifecycle: { nodeMonitorGracePeriodSeconds: 0 }\n', error: 'nodeLifecycle.nodeMonitorGracePeriodSeconds: Invalid value: 0: must be between 1 and 3600' },
    { rule: 'nodes is a list', text: HEAD + 'nodes: 3\n', error: 'nodes: Invalid value: 3: must be a list, not number' },
    { rule: 'control plane replicas from 1 to 9', text: HEAD + 'controlPlane: { replicas: 0 }\n', error: 'controlPlane.replicas: Invalid value: 0: must be between 1 and 9' },
    { rule: 'leader election fields are known', text: HEAD + 'controlPlane: { leaderElection: { leaseDuration: 15s } }\n', error: 'unknown field "controlPlane.leaderElection.leaseDuration"' },
    { rule: 'node names are unique', text: HEAD + 'nodes: [{ name: a }, { name: a }]\n', error: 'nodes[1].name: Duplicate value: "a"' },
    { rule: 'node name is an RFC 1123 subdomain', text: HEAD + 'nodes: [{ name: Node_1 }]\n', error: 'nodes[0].name: Invalid value: "Node_1": a lowercase RFC 1123 subdomain' },
    { rule: 'memory is a quantity', text: HEAD + 'nodes: [{ capacity: { memory: 8GB } }]\n', error: 'nodes[0].capacity.memory: Invalid value: "8GB": quantities must match the regular expression' },
    { rule: 'pods is a positive integer', text: HEAD + 'nodes: [{ capacity: { pods: -1 } }]\n', error: 'nodes[0].capacity.pods: Invalid value: -1: must be between 1 and 10000' },
    { rule: 'label values are strings', text: HEAD + 'nodes: [{ labels: { ssd: true } }]\n', error: 'nodes[0].labels[ssd]: Invalid value: true: must be a string' },
    { rule: 'label keys are valid', text: HEAD + 'nodes: [{ labels: { "-bad": x } }]\n', error: 'nodes[0].labels: Invalid value: "-bad": name part must consist of' },
    {
      rule: 'taint effect is supported',
      text: HEAD + 'nodes: [{ taints: [{ key: k, effect: Never }] }]\n',
      error: 'nodes[0].taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    },
    { rule: 'taint key required', text: HEAD + 'nodes: [{ taints: [{ effect: NoSchedule }] }]\n', error: 'nodes[0].taints[0].key: Required value' },
    { rule: 'malformed YAML', text: 'kind: [\n', error: 'error converting YAML to JSON' },
    { rule: 'a mapping at the top', text: '- a\n- b\n', error: 'a cluster file must be a YAML mapping with kind: Cluster' },
  ];
  it.each(cases)('$rule', ({ text, error }) => {
    const errors = errorsOf(text);
    expect(errors.some((e) => e.startsWith(error)), `got: ${JSON.stringify(errors)}`).toBe(true);
  });

  it('reports every problem at once', () => {
    const errors = errorsOf(HEAD + 'name: X\nproxy: { mode: x }\nextra: 1\n');
    expect(errors).toHaveLength(3);
  });
});
