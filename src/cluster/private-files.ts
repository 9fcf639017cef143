// A cluster's folder holds every object (Secrets too), its credentials and logs: it is its
// owner's only, as kubeadm keeps /etc/kubernetes/pki. Folders are 700 and files 600; the CLI and
// the supervisor run with umask 077 so whatever they and the cluster's processes create is, and
// `up` and the supervisor check the folder at start and fix what another tool (or an older
// loopkube) left readable by others.
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Makes the calling process create files for its owner only from now on. */
export function ownerOnlyUmask(): void {
  process.umask(0o077);
}

/**
 * Walks `root` (not following symlinks) and takes group and other permissions away from every
 * folder and file that has any. Returns the paths it changed, relative to `root`.
 */
export function tightenPermissions(root: string): string[] {
  const fixed: string[] = [];
  const visit = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return; // gone meanwhile
    }
    if (st.isSymbolicLink()) return;
    const loose = (st.mode & 0o077) !== 0;
    if (st.isDirectory()) {
      if (loose) {
        chmodSync(p, PRIVATE_DIR_MODE);
        fixed.push(path.relative(root, p) || '.');
      }
      let entries: string[] = [];
      try {
        entries = readdirSync(p);
      } catch {
        return;
      }
      for (const e of entries) visit(path.join(p, e));
    } else if (loose) {
      chmodSync(p, PRIVATE_FILE_MODE);
      fixed.push(path.relative(root, p));
    }
  };
  visit(root);
  return fixed;
}
