// The errors a PATCH can fail with, shaped as kube-apiserver answers them
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go and responsewriters.ErrorToAPIStatus).
import { ApiError, badRequest, statusFailure } from '../../api/errors.js';
import type { Status } from '../../api/types.js';
import { jsonKindWord } from './json-value.js';

/** Most JSON patch operations one request may carry (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * A patch that decoded but could not be applied, which the apiserver answers with
 * NewGenericServerResponse(422, ...): the Status carries a fixed message and no causes, so
 * kubectl prints "The request is invalid: the server rejected our request due to an error in
 * our request". The library's own explanation is kept on `cause` for logs.
 */
export function patchRejected(explanation: string): ApiError {
  const err = new ApiError(
    statusFailure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}),
  );
  err.cause = new Error(explanation);
  return err;
}

/**
 * An error the patch library returns as a plain Go error: ErrorToAPIStatus turns it into a
 * 500 with reason Unknown (omitted) and the error text as message; kubectl prints
 * "Error from server: <message>".
 */
export function patchFailed(message: string): ApiError {
  const status: Status = {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message,
    code: 500,
  };
  return new ApiError(status);
}

/** Go's encoding/json error for a body of the wrong shape, answered as 400 BadRequest. */
export function undecodable(value: unknown, goType: string): ApiError {
  return badRequest(`json: cannot unmarshal ${jsonKindWord(value)} into Go value of type ${goType}`);
}

/** 413 for a JSON patch with too many operations. */
export function tooManyOperations(count: number): ApiError {
  return new ApiError(
    statusFailure(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${count}`,
    ),
  );
}
