// A real pseudo-terminal for testing full-screen programs: a private tmux server (its own socket,
// no user config) runs the command in a pane of a fixed size; the test sends keys as a user
// types them and reads the screen as it is drawn. The pane stays after the program exits, so
// its exit status can be read.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Terminal {
  /** The visible screen, one line per row, trailing blanks trimmed. */
  screen(): Promise<string>;
  /** tmux key names (Up, Down, PPage, NPage, Home, End, Escape, Enter) or single characters. */
  keys(...keys: string[]): Promise<void>;
  /** Text typed as is. */
  type(text: string): Promise<void>;
  /** Whether the program exited, and its status. */
  exited(): Promise<{ dead: boolean; status: number | null }>;
  close(): Promise<void>;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function startInTmux(command: string[], opts: { env?: Record<string, string>; cols?: number; rows?: number } = {}): Promise<Terminal> {
  const socket = `loopkube-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]): Promise<{ stdout: string }> => exec('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: { ...process.env, TERM: 'xterm-256color' } });
  // an idle pane first, so remain-on-exit is set before the program can exit
  await tmux('new-session', '-d', '-s', 'main', '-x', String(opts.cols ?? 160), '-y', String(opts.rows ?? 40), 'cat');
  try {
    await tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    await tmux('respawn-pane', '-k', '-t', 'main', ['env', ...env, ...command.map(shellQuote)].join(' '));
  } catch (err) {
    await tmux('kill-server').catch(() => undefined);
    throw err;
  }
  return {
    async screen() {
      const { stdout } = await tmux('capture-pane', '-p', '-t', 'main');
      return stdout
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n');
    },
    async keys(...keys) {
      for (const k of keys) await tmux('send-keys', '-t', 'main', k);
    },
    async type(text) {
      await tmux('send-keys', '-t', 'main', '-l', text);
    },
    async exited() {
      // tmux marks the pane dead when its pty closes, which can come before it reaps the process;
      // until then neither the status nor the signal is known, so the program counts as running
      const { stdout } = await tmux('display-message', '-p', '-t', 'main', '#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}');
      const [dead, status, signal] = stdout.trim().split('|');
      if (dead !== '1' || (!status && !signal)) return { dead: false, status: null };
      return { dead: true, status: status ? Number(status) : null };
    },
    async close() {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}
