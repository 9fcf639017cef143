// Service admission rules, each refused with the exact Status kube-apiserver answers.
import { describe, expect, it } from 'vitest';
import type { KubeObject, Service } from '../../src/api/types.js';
import { LABEL_KEY_NAME, LABEL_VALUE, RFC1035_LABEL, RFC1123_LABEL, RFC1123_SUBDOMAIN, cluster, expectRefused, service } from './helpers.js';

interface Row {
  rule: string;
  object: KubeObject;
  /** Services stored before the request. */
  stored?: KubeObject[];
  message: string;
  fields: string[];
}

const SVC = 'Service "web" is invalid: ';

const createRows: Row[] = [
  {
    rule: 'service names are DNS-1035 labels',
    object: service((o) => (o.metadata.name = '1web')),
    message: `Service "1web" is invalid: metadata.name: Invalid value: "1web": ${RFC1035_LABEL}`,
    fields: ['metadata.name'],
  },
  {
    rule: 'a service needs a namespace',
    object: service((o) => (o.metadata.namespace = '')),
    message: `${SVC}metadata.namespace: Required value`,
    fields: ['metadata.namespace'],
  },
  {
    rule: 'label keys are qualified names',
    object: service((o) => (o.metadata.labels = { 'bad key': 'x' })),
    message: `${SVC}metadata.labels: Invalid value: "bad key": ${LABEL_KEY_NAME}`,
    fields: ['metadata.labels'],
  },
  {
    rule: 'label values are 63 characters of [-_.A-Za-z0-9]',
    object: service((o) => (o.metadata.labels = { app: 'web app' })),
    message: `${SVC}metadata.labels: Invalid value: "web app": ${LABEL_VALUE}`,
    fields: ['metadata.labels'],
  },
  {
    rule: 'label keys have at most one prefix',
    object: service((o) => (o.metadata.annotations = { 'a/b/c': 'x' })),
    message:
      `${SVC}metadata.annotations: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    fields: ['metadata.annotations'],
  },
  {
    rule: 'label key prefixes are DNS subdomains',
    object: service((o) => (o.metadata.labels = { 'Example.com/app': 'web' })),
    message: `${SVC}metadata.labels: Invalid value: "Example.com/app": prefix part ${RFC1123_SUBDOMAIN}`,
    fields: ['metadata.labels'],
  },
  {
    rule: 'label values are at most 63 bytes',
    object: service((o) => (o.metadata.labels = { app: 'a'.repeat(64) })),
    message: `${SVC}metadata.labels: Invalid value: "${'a'.repeat(64)}": must be no more than 63 bytes`,
    fields: ['metadata.labels'],
  },
  {
    rule: 'annotations total at most 256 KiB',
    object: service((o) => (o.metadata.annotations = { big: 'x'.repeat(256 * 1024) })),
    message: `${SVC}metadata.annotations: Too long: may not be more than 262144 bytes`,
    fields: ['metadata.annotations'],
  },
  {
    rule: 'the selector is a set of valid labels',
    object: service((o) => (o.spec.selector = { app: 'web!' })),
    message: `${SVC}spec.selector: Invalid value: "web!": ${LABEL_VALUE}`,
    fields: ['spec.selector'],
  },
  {
    rule: 'ports are required',
    object: service((o) => (o.spec.ports = [])),
    message: `${SVC}spec.ports: Required value`,
    fields: ['spec.ports'],
  },
  {
    rule: 'ports are named when there are several',
    object: service((o) => (o.spec.ports = [{ port: 80 }, { port: 443 }])),
    message: `${SVC}[spec.ports[0].name: Required value, spec.ports[1].name: Required value]`,
    fields: ['spec.ports[0].name', 'spec.ports[1].name'],
  },
  {
    rule: 'port names are RFC 1123 labels',
    object: service((o) => (o.spec.ports = [{ name: 'Web', port: 80 }])),
    message: `${SVC}spec.ports[0].name: Invalid value: "Web": ${RFC1123_LABEL}`,
    fields: ['spec.ports[0].name'],
  },
  {
    rule: 'port names are unique',
    object: service((o) => (o.spec.ports = [{ name: 'http', port: 80 }, { name: 'http', port: 8080 }])),
    message: `${SVC}spec.ports[1].name: Duplicate value: "http"`,
    fields: ['spec.ports[1].name'],
  },
  {
    rule: 'a port/protocol appears once',
    object: service((o) => (o.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80, targetPort: 9090 }])),
    message: `${SVC}spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
    fields: ['spec.ports[1]'],
  },
  {
    rule: 'ports are 1-65535',
    object: service((o) => (o.spec.ports = [{ port: 70000, targetPort: 8080 }])),
    message: `${SVC}spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`,
    fields: ['spec.ports[0].port'],
  },
  {
    rule: 'UDP is not served by loopkube',
    object: service((o) => (o.spec.ports[0].protocol = 'UDP')),
    message: `${SVC}spec.ports[0].protocol: Unsupported value: "UDP": supported values: "TCP"`,
    fields: ['spec.ports[0].protocol'],
  },
  {
    rule: 'SCTP is not served by loopkube',
    object: service((o) => (o.spec.ports[0].protocol = 'SCTP')),
    message: `${SVC}spec.ports[0].protocol: Unsupported value: "SCTP": supported values: "TCP"`,
    fields: ['spec.ports[0].protocol'],
  },
  {
    rule: 'a numeric targetPort is 1-65535',
    object: service((o) => (o.spec.ports[0].targetPort = 70000)),
    message: `${SVC}spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive`,
    fields: ['spec.ports[0].targetPort'],
  },
  {
    rule: 'a named targetPort is an IANA_SVC_NAME (no double hyphen)',
    object: service((o) => (o.spec.ports[0].targetPort = 'web--port')),
    message: `${SVC}spec.ports[0].targetPort: Invalid value: "web--port": must not contain consecutive hyphens`,
    fields: ['spec.ports[0].targetPort'],
  },
  {
    rule: 'a named targetPort is at most 15 characters',
    object: service((o) => (o.spec.ports[0].targetPort = 'a-very-long-port-name')),
    message: `${SVC}spec.ports[0].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters`,
    fields: ['spec.ports[0].targetPort'],
  },
  {
    rule: 'a named targetPort has a letter and only [-a-z0-9]',
    object: service((o) => (o.spec.ports[0].targetPort = 'HTTP_80')),
    message: `${SVC}[spec.ports[0].targetPort: Invalid value: "HTTP_80": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), spec.ports[0].targetPort: Invalid value: "HTTP_80": must contain at least one letter (a-z)]`,
    fields: ['spec.ports[0].targetPort', 'spec.ports[0].targetPort'],
  },
  {
    rule: 'the type is one of the four',
    object: service((o) => (o.spec.type = 'Ingress')),
    message: `${SVC}spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`,
    fields: ['spec.type'],
  },
  {
    rule: 'sessionAffinity is None or ClientIP',
    object: service((o) => (o.spec.sessionAffinity = 'Sticky')),
    message: `${SVC}spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"`,
    fields: ['spec.sessionAffinity'],
  },
  {
    rule: 'the ClientIP timeout is more than 0',
    object: service((o) => {
      o.spec.sessionAffinity = 'ClientIP';
      o.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 0 } };
    }),
    message: `${SVC}spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400`,
    fields: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds'],
  },
  {
    rule: 'the ClientIP timeout is at most a day',
    object: service((o) => {
      o.spec.sessionAffinity = 'ClientIP';
      o.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86401 } };
    }),
    message: `${SVC}spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400`,
    fields: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds'],
  },
  {
    rule: 'externalTrafficPolicy only on externally-accessible services',
    object: service((o) => (o.spec.externalTrafficPolicy = 'Local')),
    message: `${SVC}spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`,
    fields: ['spec.externalTrafficPolicy'],
  },
  {
    rule: 'externalTrafficPolicy is Cluster or Local',
    object: service((o) => {
      o.spec.type = 'NodePort';
      o.spec.externalTrafficPolicy = 'Everywhere';
    }),
    message: `${SVC}spec.externalTrafficPolicy: Unsupported value: "Everywhere": supported values: "Cluster", "Local"`,
    fields: ['spec.externalTrafficPolicy'],
  },
  {
    rule: 'internalTrafficPolicy is Cluster or Local',
    object: service((o) => (o.spec.internalTrafficPolicy = 'Node')),
    message: `${SVC}spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"`,
    fields: ['spec.internalTrafficPolicy'],
  },
  {
    rule: 'a ClusterIP service has no nodePort',
    object: service((o) => (o.spec.ports[0].nodePort = 30080)),
    message: `${SVC}spec.ports[0].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`,
    fields: ['spec.ports[0].nodePort'],
  },
  {
    rule: 'nodePorts are unique within a service',
    object: service((o) => {
      o.spec.type = 'NodePort';
      o.spec.ports = [
        { name: 'a', port: 80, nodePort: 30080 },
        { name: 'b', port: 81, nodePort: 30080 },
      ];
    }),
    message: `${SVC}spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated`,
    fields: ['spec.ports[1].nodePort'],
  },
  {
    rule: 'a requested nodePort lies in the NodePort range',
    object: service((o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 80;
    }),
    message: `${SVC}spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767`,
    fields: ['spec.ports[0].nodePort'],
  },
  {
    rule: 'a requested nodePort is free',
    stored: [service((o) => {
      o.metadata.name = 'other';
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30080;
    })],
    object: service((o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30080;
    }),
    message: `${SVC}spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`,
    fields: ['spec.ports[0].nodePort'],
  },
  {
    rule: 'a requested clusterIP is free',
    stored: [service((o) => {
      o.metadata.name = 'other';
      o.spec.clusterIP = '127.96.0.50';
    })],
    object: service((o) => (o.spec.clusterIP = '127.96.0.50')),
    message: `${SVC}spec.clusterIPs: Invalid value: []string{"127.96.0.50"}: failed to allocate IP 127.96.0.50: provided IP is already allocated`,
    fields: ['spec.clusterIPs'],
  },
  {
    rule: 'a requested clusterIP lies in the service CIDR',
    object: service((o) => (o.spec.clusterIP = '127.200.0.1')),
    message: `${SVC}spec.clusterIPs: Invalid value: []string{"127.200.0.1"}: failed to allocate IP 127.200.0.1: provided IP is not in the valid range. The range of valid IPs is 127.96.0.0/12`,
    fields: ['spec.clusterIPs'],
  },
  {
    rule: "the service CIDR's network address is not a ClusterIP",
    object: service((o) => (o.spec.clusterIP = '127.96.0.0')),
    message: `${SVC}spec.clusterIPs: Invalid value: []string{"127.96.0.0"}: failed to allocate IP 127.96.0.0: provided IP is not in the valid range. The range of valid IPs is 127.96.0.0/12`,
    fields: ['spec.clusterIPs'],
  },
  {
    rule: 'a clusterIP is an IP address',
    object: service((o) => (o.spec.clusterIP = 'web')),
    message: `${SVC}spec.clusterIPs[0]: Invalid value: "web": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
    fields: ['spec.clusterIPs[0]'],
  },
  {
    rule: 'clusterIPs[0] matches clusterIP',
    object: service((o) => {
      o.spec.clusterIP = '127.96.0.50';
      o.spec.clusterIPs = ['127.96.0.51'];
    }),
    message: `${SVC}spec.clusterIPs: Invalid value: []string{"127.96.0.51"}: first value must match \`clusterIP\``,
    fields: ['spec.clusterIPs'],
  },
  {
    rule: 'IPv6 is not configured on a loopkube cluster',
    object: service((o) => (o.spec.clusterIP = 'fd00::10')),
    message: `${SVC}spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster`,
    fields: ['spec.clusterIPs[0]'],
  },
  {
    rule: 'dual-stack cannot be required of a single-stack cluster',
    object: service((o) => (o.spec.ipFamilyPolicy = 'RequireDualStack')),
    message: `${SVC}spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services`,
    fields: ['spec.ipFamilyPolicy'],
  },
  {
    rule: 'ipFamilyPolicy is one of three',
    object: service((o) => (o.spec.ipFamilyPolicy = 'DualStack')),
    message: `${SVC}spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"`,
    fields: ['spec.ipFamilyPolicy'],
  },
  {
    rule: 'a NodePort service is not headless',
    object: service((o) => {
      o.spec.type = 'NodePort';
      o.spec.clusterIP = 'None';
    }),
    message: `${SVC}spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`,
    fields: ['spec.clusterIPs[0]'],
  },
  {
    rule: 'a LoadBalancer service is not headless',
    object: service((o) => {
      o.spec.type = 'LoadBalancer';
      o.spec.clusterIP = 'None';
    }),
    message: `${SVC}spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`,
    fields: ['spec.clusterIPs[0]'],
  },
  {
    rule: 'an ExternalName service names a host',
    object: service((o) => {
      o.spec.type = 'ExternalName';
      delete o.spec.selector;
    }),
    message: `${SVC}spec.externalName: Required value`,
    fields: ['spec.externalName'],
  },
  {
    rule: 'an ExternalName is a DNS subdomain',
    object: service((o) => {
      o.spec.type = 'ExternalName';
      o.spec.externalName = 'Bad_Host.example.com';
    }),
    message: `${SVC}spec.externalName: Invalid value: "Bad_Host.example.com": ${RFC1123_SUBDOMAIN}`,
    fields: ['spec.externalName'],
  },
  {
    rule: 'an ExternalName service has no clusterIP',
    object: service((o) => {
      o.spec.type = 'ExternalName';
      o.spec.externalName = 'db.example.com';
      o.spec.clusterIP = '127.96.0.50';
    }),
    message: `${SVC}spec.clusterIPs: Forbidden: may not be set for ExternalName services`,
    fields: ['spec.clusterIPs'],
  },
  {
    rule: 'healthCheckNodePort only with LoadBalancer and Local',
    object: service((o) => {
      o.spec.type = 'NodePort';
      o.spec.healthCheckNodePort = 30100;
    }),
    message: `${SVC}spec.healthCheckNodePort: Invalid value: 30100: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`,
    fields: ['spec.healthCheckNodePort'],
  },
  {
    rule: 'allocateLoadBalancerNodePorts only on LoadBalancer services',
    object: service((o) => (o.spec.allocateLoadBalancerNodePorts = false)),
    message: `${SVC}spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when \`type\` is 'LoadBalancer'`,
    fields: ['spec.allocateLoadBalancerNodePorts'],
  },
  {
    rule: 'externalIPs are IP addresses',
    object: service((o) => (o.spec.externalIPs = ['example.com'])),
    message: `${SVC}spec.externalIPs[0]: Invalid value: "example.com": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
    fields: ['spec.externalIPs[0]'],
  },
  {
    rule: 'externalIPs are not link-local',
    object: service((o) => (o.spec.externalIPs = ['169.254.1.1'])),
    message: `${SVC}spec.externalIPs[0]: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)`,
    fields: ['spec.externalIPs[0]'],
  },
  {
    rule: 'loadBalancerClass only on LoadBalancer services',
    object: service((o) => (o.spec.loadBalancerClass = 'example.com/lb')),
    message: `${SVC}spec.loadBalancerClass: Forbidden: may only be used when \`type\` is 'LoadBalancer'`,
    fields: ['spec.loadBalancerClass'],
  },
  {
    rule: 'every error is reported at once',
    object: service((o) => {
      o.spec.ports = [{ name: 'http', port: 0, protocol: 'UDP' }];
      o.spec.sessionAffinity = 'Sticky';
    }),
    message: `${SVC}[spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].protocol: Unsupported value: "UDP": supported values: "TCP", spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive, spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"]`,
    fields: ['spec.ports[0].port', 'spec.ports[0].protocol', 'spec.ports[0].targetPort', 'spec.sessionAffinity'],
  },
];

describe('service create: each rule', () => {
  for (const row of createRows) {
    it(row.rule, async () => {
      const c = cluster();
      for (const s of row.stored ?? []) await c.store(s);
      const err = await expectRefused(c.create(row.object), { message: row.message, fields: row.fields });
      expect(err.status.details).toMatchObject({ kind: 'Service', name: row.object.metadata.name });
    });
  }
});

interface UpdateRow {
  rule: string;
  change: (o: Service) => void;
  base?: KubeObject;
  subresource?: '' | 'status';
  message: string;
  fields: string[];
}

const updateRows: UpdateRow[] = [
  {
    rule: 'the clusterIP may not change',
    change: (o) => (o.spec.clusterIP = '127.96.5.5'),
    message: `${SVC}spec.clusterIPs[0]: Invalid value: []string{"127.96.5.5"}: may not change once set`,
    fields: ['spec.clusterIPs[0]'],
  },
  {
    rule: 'metadata.name is immutable',
    change: (o) => (o.metadata.name = 'other'),
    message: 'Service "other" is invalid: metadata.name: Invalid value: "other": field is immutable',
    fields: ['metadata.name'],
  },
  {
    rule: 'metadata.namespace is immutable',
    change: (o) => (o.metadata.namespace = 'team-a'),
    message: `${SVC}metadata.namespace: Invalid value: "team-a": field is immutable`,
    fields: ['metadata.namespace'],
  },
  {
    rule: 'metadata.uid is immutable',
    change: (o) => (o.metadata.uid = 'another-uid'),
    message: `${SVC}metadata.uid: Invalid value: "another-uid": field is immutable`,
    fields: ['metadata.uid'],
  },
  {
    rule: 'the healthCheckNodePort of a Local LoadBalancer may not change',
    base: service((o) => {
      o.spec.type = 'LoadBalancer';
      o.spec.externalTrafficPolicy = 'Local';
      o.spec.healthCheckNodePort = 30300;
    }),
    change: (o) => (o.spec.healthCheckNodePort = 30301),
    message: `${SVC}spec.healthCheckNodePort: Invalid value: 30301: cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update`,
    fields: ['spec.healthCheckNodePort'],
  },
  {
    rule: 'status: ingress IPs are IP addresses',
    base: service((o) => (o.spec.type = 'LoadBalancer')),
    subresource: 'status',
    change: (o) => (o.status = { loadBalancer: { ingress: [{ ip: 'not-an-ip' }] } }),
    message: `${SVC}status.loadBalancer.ingress[0].ip: Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
    fields: ['status.loadBalancer.ingress[0].ip'],
  },
  {
    rule: 'status: ingress only on LoadBalancer services',
    subresource: 'status',
    change: (o) => (o.status = { loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } }),
    message: `${SVC}status.loadBalancer.ingress: Forbidden: may only be used when \`spec.type\` is 'LoadBalancer'`,
    fields: ['status.loadBalancer.ingress'],
  },
  {
    rule: 'status: ipMode is VIP or Proxy',
    base: service((o) => (o.spec.type = 'LoadBalancer')),
    subresource: 'status',
    change: (o) => (o.status = { loadBalancer: { ingress: [{ ip: '127.200.0.1', ipMode: 'Direct' }] } }),
    message: `${SVC}status.loadBalancer.ingress[0].ipMode: Unsupported value: "Direct": supported values: "Proxy", "VIP"`,
    fields: ['status.loadBalancer.ingress[0].ipMode'],
  },
  {
    rule: 'status: an ingress hostname is not an IP',
    base: service((o) => (o.spec.type = 'LoadBalancer')),
    subresource: 'status',
    change: (o) => (o.status = { loadBalancer: { ingress: [{ hostname: '127.200.0.1' }] } }),
    message: `${SVC}status.loadBalancer.ingress[0].hostname: Invalid value: "127.200.0.1": must be a DNS name, not an IP address`,
    fields: ['status.loadBalancer.ingress[0].hostname'],
  },
];

describe('service update: each rule', () => {
  for (const row of updateRows) {
    it(row.rule, async () => {
      const c = cluster();
      const stored = await c.store(row.base ?? service((o) => (o.spec.clusterIP = '127.96.0.50')));
      const next = structuredClone(stored);
      row.change(next);
      await expectRefused(c.update(next, stored, row.subresource ?? ''), { message: row.message, fields: row.fields });
    });
  }
});
