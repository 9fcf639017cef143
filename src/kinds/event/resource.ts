import { describeResource } from '../../api/resources.js';

export const EVENTS = describeResource({
  resource: 'events', singular: 'event', kind: 'Event', group: '', version: 'v1', namespaced: true, shortNames: ['ev'],
});
