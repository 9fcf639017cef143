// The cluster's bearer token: what the kubeconfig's user presents, and what the API server
// checks on every request (401 otherwise).
import { randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: safe in a kubeconfig, a header and a file. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
