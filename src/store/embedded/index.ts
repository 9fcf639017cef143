export { openEmbeddedStore, crashEmbeddedStore, type EmbeddedStoreOptions } from './embedded-store.js';
