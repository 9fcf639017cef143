// The README's walk-through as root: every command works as the README says (test/cli/walkthrough.ts).
import { ROOT, walkthrough } from './walkthrough.js';

walkthrough(ROOT);
