// The README's walk-through as a user who is not root (uid 65534, through setpriv): every command
// works, or prints the fix the README documents for ports below 1024 (test/cli/walkthrough.ts).
import { NOBODY, walkthrough } from './walkthrough.js';

walkthrough(NOBODY);
