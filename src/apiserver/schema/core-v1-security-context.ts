// core/v1 SecurityContext (per container) and PodSecurityContext. loopkube runs no real
// containers and ignores them, but accepts and stores them as upstream describes them.
import { arr, bool, int64, obj, ref, str, strings, type OpenAPISchema } from './openapi-schema.js';

const CORE = 'io.k8s.api.core.v1';
const c = (name: string): string => `${CORE}.${name}`;

const shared = (): Record<string, OpenAPISchema> => ({
  appArmorProfile: ref(c('AppArmorProfile'), 'AppArmor options.'),
  runAsGroup: int64('GID to run the entrypoint of the container process as.'),
  runAsNonRoot: bool('The container must run as a non-root user.'),
  runAsUser: int64('UID to run the entrypoint of the container process as.'),
  seLinuxOptions: ref(c('SELinuxOptions'), 'SELinux context to apply.'),
  seccompProfile: ref(c('SeccompProfile'), 'Seccomp options.'),
  windowsOptions: ref(c('WindowsSecurityContextOptions'), 'Windows specific settings.'),
});

export const CORE_V1_SECURITY_CONTEXT_SCHEMAS: Record<string, OpenAPISchema> = {
  [c('SecurityContext')]: obj('Security options a container runs with.', {
    ...shared(),
    allowPrivilegeEscalation: bool('Whether a process can gain more privileges than its parent.'),
    capabilities: ref(c('Capabilities'), 'Capabilities to add or drop.'),
    privileged: bool('Run the container in privileged mode.'),
    procMount: str('Type of proc mount: Default or Unmasked.'),
    readOnlyRootFilesystem: bool('Mount the root filesystem read-only.'),
  }),
  [c('PodSecurityContext')]: obj('Pod-level security attributes and common container settings.', {
    ...shared(),
    fsGroup: int64('A supplemental group applied to all containers, owning the pod\'s volumes.'),
    fsGroupChangePolicy: str('How volume ownership is changed: OnRootMismatch or Always.'),
    seLinuxChangePolicy: str('How the SELinux label is applied to volumes.'),
    supplementalGroups: arr({ type: 'integer', format: 'int64', default: 0 }, 'Groups added to the first process of each container.', {
      listType: 'atomic',
    }),
    supplementalGroupsPolicy: str('How supplemental groups of the first process are calculated: Merge or Strict.'),
    sysctls: arr(
      obj('A kernel parameter.', { name: str('Name of the parameter.'), value: str('Value of the parameter.') }, { required: ['name', 'value'] }),
      'Namespaced sysctls of the pod.',
      { listType: 'atomic' },
    ),
  }),
  [c('Capabilities')]: obj('POSIX capabilities of a running container.', {
    add: strings('Capabilities to add.'),
    drop: strings('Capabilities to drop.'),
  }),
  [c('SELinuxOptions')]: obj('SELinux labels applied to a container.', {
    level: str('SELinux level label.'),
    role: str('SELinux role label.'),
    type: str('SELinux type label.'),
    user: str('SELinux user label.'),
  }),
  [c('SeccompProfile')]: obj(
    'A seccomp profile.',
    {
      localhostProfile: str('Path of a profile on the node, when type is Localhost.'),
      type: str('RuntimeDefault, Unconfined or Localhost.'),
    },
    { required: ['type'] },
  ),
  [c('AppArmorProfile')]: obj(
    'An AppArmor profile.',
    {
      localhostProfile: str('Name of a profile loaded on the node, when type is Localhost.'),
      type: str('RuntimeDefault, Unconfined or Localhost.'),
    },
    { required: ['type'] },
  ),
  [c('WindowsSecurityContextOptions')]: obj('Windows specific options.', {
    gmsaCredentialSpec: str('Contents of the GMSA credential spec.'),
    gmsaCredentialSpecName: str('Name of the GMSA credential spec.'),
    hostProcess: bool('Run the container as a host process.'),
    runAsUserName: str('Username to run the entrypoint as.'),
  }),
};
