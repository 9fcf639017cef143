// The errors of k8s.io/apimachinery/pkg/util/mergepatch and strategicpatch, and the HTTP answer
// kube-apiserver gives each (interpretStrategicMergePatchError in handlers/patch.go):
// malformed directives are 400 BadRequest, lists of lists 422, anything else an unclassified
// error that the apiserver answers as a 500 carrying the message.
import type { ApiError } from '../../api/errors.js';
import { badRequest } from '../../api/errors.js';
import { goString, goTypeName, goValue } from './go-format.js';
import type { JsonObject } from './json-value.js';
import { patchFailed, patchRejected } from './patch-errors.js';

type Answer = 'bad-request' | 'unprocessable' | 'unclassified';

export class StrategicMergeError extends Error {
  readonly answer: Answer;
  constructor(answer: Answer, message: string) {
    super(message);
    this.answer = answer;
  }
}

export function toApiError(err: StrategicMergeError): ApiError {
  switch (err.answer) {
    case 'bad-request':
      return badRequest(err.message);
    case 'unprocessable':
      return patchRejected(err.message);
    default:
      return patchFailed(err.message);
  }
}

export const errBadPatchFormatForPrimitiveList = (): StrategicMergeError =>
  new StrategicMergeError('bad-request', 'invalid patch format of primitive list');

export const errBadPatchFormatForRetainKeys = (): StrategicMergeError =>
  new StrategicMergeError('bad-request', 'invalid patch format of retainKeys');

export const errBadPatchFormatForSetElementOrderList = (): StrategicMergeError =>
  new StrategicMergeError('bad-request', 'invalid patch format of setElementOrder list');

export const errNoListOfLists = (): StrategicMergeError =>
  new StrategicMergeError('unprocessable', 'lists of lists are not supported');

/** Any other library error, answered as a 500 with its text. */
export const errUnclassified = (message: string): StrategicMergeError => new StrategicMergeError('unclassified', message);

export const MAP_TYPE = 'map[string]interface {}';
export const SLICE_TYPE = '[]interface {}';

/** mergepatch.ErrBadArgType: `expected a map[string]interface {}, but received a string`. */
export function errBadArgType(expectedType: string, actual: unknown): StrategicMergeError {
  const actualType = goTypeName(actual) ?? '%!s(<nil>)';
  return errUnclassified(`expected a ${expectedType}, but received a ${actualType}`);
}

/** mergepatch.ErrNoMergeKey: `map: map[image:nginx] does not contain declared merge key: name`. */
export function errNoMergeKey(m: JsonObject, key: string): StrategicMergeError {
  return errUnclassified(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
}

/** mergepatch.ErrBadPatchType: `unknown patch type: merge in map: map[$patch:merge ...]`. */
export function errBadPatchType(directive: unknown, m: JsonObject): StrategicMergeError {
  return errUnclassified(`unknown patch type: ${goString(directive)} in map: ${goValue(m)}`);
}
