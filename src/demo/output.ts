// How a scenario tells what it did: numbered steps, a line of narrative, small tables, the
// verdict of each claim, and "look yourself" commands. Written to a terminal by `loopkube demo`,
// or collected in memory by the tests (so a failing test shows the whole story).
import { formatTable } from '../cli/table.js';

export interface DemoOutput {
  /** The scenario's heading. */
  heading(text: string): void;
  /** A numbered step: "2. 30 new connections to every node's NodePort". */
  step(title: string): void;
  /** A line of narrative under the current step. */
  say(text: string): void;
  /** A small table, indented under the current step. */
  table(headers: string[], rows: Array<Array<string | number | null | undefined>>): void;
  /** A claim's verdict. */
  verdict(ok: boolean, claim: string, detail: string): void;
  /** A command the reader can run to see it for themselves (printed together by finish()). */
  hint(command: string): void;
  /** Prints the hints gathered so far under "Look yourself". */
  finish(): void;
  /** Everything written so far (the collecting sink keeps it; a stream sink keeps it too). */
  text(): string;
}

const INDENT = '   ';

function indent(text: string, by = INDENT): string {
  return text
    .split('\n')
    .map((l) => (l ? `${by}${l}` : l))
    .join('\n');
}

/** Writes to `write` (e.g. process.stdout) and keeps a copy. */
export function createDemoOutput(write: (chunk: string) => void = () => undefined, opts: { hintsHeader?: string } = {}): DemoOutput {
  let stepNo = 0;
  const hints: string[] = [];
  const kept: string[] = [];
  const emit = (text: string): void => {
    kept.push(text);
    write(text);
  };
  return {
    heading(text) {
      emit(`== ${text} ==\n`);
    },
    step(title) {
      stepNo += 1;
      emit(`\n${stepNo}. ${title}\n`);
    },
    say(text) {
      emit(`${indent(text)}\n`);
    },
    table(headers, rows) {
      emit(`${indent(formatTable(headers, rows))}\n`);
    },
    verdict(ok, claim, detail) {
      emit(`${INDENT}${ok ? '✓' : '✗'} ${claim}${detail ? `: ${detail}` : ''}\n`);
    },
    hint(command) {
      if (!hints.includes(command)) hints.push(command);
    },
    finish() {
      if (!hints.length) return;
      emit(`\n${opts.hintsHeader ?? 'Look yourself:'}\n`);
      for (const h of hints.splice(0)) emit(`${INDENT}${h}\n`);
    },
    text: () => kept.join(''),
  };
}
