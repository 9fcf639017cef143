// Which upstream Go packages the tables are made from, where each lives in its module's
// checkout, and the names its tables carry (table name, API group and version, OpenAPI and
// protobuf package names).

export type ModuleName = 'api' | 'apimachinery' | 'gateway-api' | 'metrics';

export interface SourcePackage {
  /** The table name type references use, e.g. `core.v1`. */
  name: string;
  module: ModuleName;
  /** The package folder inside the module checkout. */
  dir: string;
  goPackage: string;
  group: string;
  version: string;
  openapi: string;
  protobuf?: string;
  /** The generated file, under src/api/upstream/ (`<group>-<version>.ts`). */
  output: string;
  /** The exported constant holding the table. */
  constant: string;
  /** Only these files (default: every non-test, non-generated .go file of the folder). */
  files?: string[];
}

export const MODULE_PATHS: Readonly<Record<ModuleName, string>> = {
  api: 'k8s.io/api',
  apimachinery: 'k8s.io/apimachinery',
  'gateway-api': 'sigs.k8s.io/gateway-api',
  metrics: 'k8s.io/metrics',
};

function k8sApi(group: string, version: string, apiGroup: string): SourcePackage {
  const name = `${group}.${version}`;
  return {
    name,
    module: 'api',
    dir: `${group}/${version}`,
    goPackage: `k8s.io/api/${group}/${version}`,
    group: apiGroup,
    version,
    openapi: `io.k8s.api.${group}.${version}`,
    protobuf: `k8s.io.api.${group}.${version}`,
    output: `${apiGroup || group}-${version}.ts`,
    constant: `${group.toUpperCase()}_${version.toUpperCase()}`,
  };
}

export const SOURCE_PACKAGES: readonly SourcePackage[] = [
  {
    name: 'meta.v1',
    module: 'apimachinery',
    dir: 'pkg/apis/meta/v1',
    goPackage: 'k8s.io/apimachinery/pkg/apis/meta/v1',
    group: 'meta.k8s.io',
    version: 'v1',
    openapi: 'io.k8s.apimachinery.pkg.apis.meta.v1',
    protobuf: 'k8s.io.apimachinery.pkg.apis.meta.v1',
    output: 'meta-v1.ts',
    constant: 'META_V1',
    files: ['types.go', 'watch.go', 'group_version.go', 'time.go', 'micro_time.go', 'duration.go'],
  },
  k8sApi('core', 'v1', ''),
  k8sApi('apps', 'v1', 'apps'),
  k8sApi('batch', 'v1', 'batch'),
  k8sApi('policy', 'v1', 'policy'),
  k8sApi('autoscaling', 'v1', 'autoscaling'),
  k8sApi('autoscaling', 'v2', 'autoscaling'),
  k8sApi('networking', 'v1', 'networking.k8s.io'),
  k8sApi('discovery', 'v1', 'discovery.k8s.io'),
  k8sApi('coordination', 'v1', 'coordination.k8s.io'),
  k8sApi('storage', 'v1', 'storage.k8s.io'),
  k8sApi('apidiscovery', 'v2', 'apidiscovery.k8s.io'),
  {
    name: 'gateway.v1',
    module: 'gateway-api',
    dir: 'apis/v1',
    goPackage: 'sigs.k8s.io/gateway-api/apis/v1',
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    // CRDs: kube-apiserver names their components after the reversed group
    openapi: 'io.k8s.networking.gateway.v1',
    output: 'gateway.networking.k8s.io-v1.ts',
    constant: 'GATEWAY_V1',
  },
  {
    name: 'metrics.v1beta1',
    module: 'metrics',
    dir: 'pkg/apis/metrics/v1beta1',
    goPackage: 'k8s.io/metrics/pkg/apis/metrics/v1beta1',
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    openapi: 'io.k8s.metrics.pkg.apis.metrics.v1beta1',
    protobuf: 'k8s.io.metrics.pkg.apis.metrics.v1beta1',
    output: 'metrics.k8s.io-v1beta1.ts',
    constant: 'METRICS_V1BETA1',
  },
];

/** Import paths of packages whose types are referenced but not tabled (they have JSON forms of their own). */
const OTHER_PACKAGES: Readonly<Record<string, string>> = {
  'k8s.io/apimachinery/pkg/api/resource': 'resource',
  'k8s.io/apimachinery/pkg/util/intstr': 'intstr',
  'k8s.io/apimachinery/pkg/runtime': 'runtime',
  'k8s.io/apimachinery/pkg/types': 'types',
  'k8s.io/apimachinery/pkg/watch': 'watch',
};

/** The table name of an import path: `k8s.io/api/apps/v1` -> `apps.v1`. */
export function packageNameOf(importPath: string): string {
  const tabled = SOURCE_PACKAGES.find((p) => p.goPackage === importPath);
  if (tabled) return tabled.name;
  const other = OTHER_PACKAGES[importPath];
  if (other) return other;
  const api = /^k8s\.io\/api\/([^/]+)\/([^/]+)$/.exec(importPath);
  if (api) return `${api[1]}.${api[2]}`;
  return importPath.split('/').pop() as string;
}
