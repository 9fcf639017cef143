// EndpointSlices as `kubectl get endpointslices` shows them: NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
import type { EndpointSlice, KubeObject } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { ageColumn, asArray, asString, isRecord, listWithMore, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const SLICE = 'io.k8s.api.discovery.v1.EndpointSlice';
const MAX = 3;

/** formatDiscoveryPorts: port numbers (or names, or `*`), at most three, then `+ N more...`. */
function formatPorts(ports: unknown): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of asArray(ports).filter(isRecord)) {
    if (list.length < MAX) {
      list.push(typeof port.port === 'number' ? String(port.port) : asString(port.name) || '*');
    } else if (list.length === MAX) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, MAX);
}

/** formatDiscoveryEndpoints: the addresses of all endpoints, at most three, then `+ N more...`. */
function formatAddresses(endpoints: unknown): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const endpoint of asArray(endpoints).filter(isRecord)) {
    for (const address of asArray(endpoint.addresses)) {
      if (list.length < MAX) list.push(asString(address));
      else if (list.length === MAX) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, MAX);
}

export function printEndpointSlice(obj: KubeObject, now: Date): PrintedRow {
  const slice = obj as EndpointSlice;
  return {
    cells: [
      slice.metadata?.name ?? '',
      asString(slice.addressType),
      formatPorts(slice.ports),
      formatAddresses(slice.endpoints),
      since(slice.metadata?.creationTimestamp, now),
    ],
  };
}

export const endpointSlicePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', fieldDescription(SLICE, 'addressType')),
    column('Ports', 'string', fieldDescription(SLICE, 'ports')),
    column('Endpoints', 'string', fieldDescription(SLICE, 'endpoints')),
    ageColumn(),
  ],
  print: printEndpointSlice,
};
