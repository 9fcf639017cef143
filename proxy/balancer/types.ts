// What a balancer is: given the endpoints a connection may go to, pick one.
import type { EndpointTarget } from '../endpoint-slices.js';

export interface Balancer {
  /** One of `candidates`, or undefined when there is none. */
  pick(candidates: readonly EndpointTarget[]): EndpointTarget | undefined;
}

/** Open connections of an endpoint (least-connections reads it). */
export type EndpointLoad = (endpoint: EndpointTarget) => number;
