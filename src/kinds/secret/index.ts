// core/v1 Secret: like a ConfigMap, for what should not be printed; `type` says which keys it
// must hold. Selectable by `type` (upstream's SecretToSelectableFields).
import { fieldAt } from '../../api/fields.js';
import type { KindDefinition } from '../kind.js';
import { admitSecret } from './admission.js';
import { secretPrinter } from './printer.js';
import { SECRETS } from './resource.js';

export const secretKind: KindDefinition = {
  resource: SECRETS,
  printer: secretPrinter,
  fieldSelectors: { type: fieldAt('type') },
  protobufMessage: 'core.v1.Secret',
  strategy: { admit: admitSecret },
};
