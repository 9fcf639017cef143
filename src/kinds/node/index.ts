// core/v1 Node: written by its node agent (registration, status heartbeats); the client's status
// is kept on create, as upstream's node strategy keeps it.
import { fieldOr } from '../../api/fields.js';
import type { KindDefinition } from '../kind.js';
import { admitNode } from './admission.js';
import { nodePrinter } from './printer.js';
import { NODES } from './resource.js';

export const nodeKind: KindDefinition = {
  resource: NODES,
  printer: nodePrinter,
  fieldSelectors: { 'spec.unschedulable': fieldOr('spec.unschedulable', false) },
  protobufMessage: 'core.v1.Node',
  strategy: { admit: admitNode },
};
