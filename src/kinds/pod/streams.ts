// pods/exec, pods/attach, pods/portforward as discovery lists them (upstream: ExecREST,
// AttachREST, PortForwardREST, each a connecter). The streams themselves are upgrade requests,
// which src/apiserver/streaming-proxy.ts takes to the pod's kubelet; a plain request here is the
// 400 upstream answers without an upgrade.
import { badRequest } from '../../api/errors.js';
import type { SubresourceDefinition } from '../kind.js';

function connecter(kind: string): SubresourceDefinition {
  return {
    verbs: ['create', 'get'],
    kind: { group: '', version: 'v1', kind },
    async serve() {
      throw badRequest('Upgrade request required');
    },
  };
}

export const execSubresource = connecter('PodExecOptions');
export const attachSubresource = connecter('PodAttachOptions');
export const portForwardSubresource = connecter('PodPortForwardOptions');
