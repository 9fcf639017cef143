// core/v1 ServiceAccount: the identity a pod runs as. Every namespace gets a `default` one from
// the service account controller (src/controllers/service-accounts.ts); a pod naming one that
// does not exist is refused by the ServiceAccount admission plugin (src/kinds/pod/service-account.ts).
import { nameIsDNSSubdomain } from '../../admission/names.js';
import type { KindDefinition } from '../kind.js';
import type { ServiceAccount } from '../../api/config.js';
import { specStatusAdmission } from '../shared/admission.js';
import { serviceAccountPrinter } from './printer.js';
import { SERVICE_ACCOUNTS } from './resource.js';

export const serviceAccountKind: KindDefinition = {
  resource: SERVICE_ACCOUNTS,
  printer: serviceAccountPrinter,
  protobufMessage: 'core.v1.ServiceAccount',
  // ValidateServiceAccount: its metadata, the name a DNS subdomain
  strategy: { admit: specStatusAdmission<ServiceAccount>({ kind: 'ServiceAccount', group: '', namespaced: true, name: nameIsDNSSubdomain, validate: () => [] }) },
};
