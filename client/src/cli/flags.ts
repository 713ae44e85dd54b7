/**
 * The client's command line, defined once as a table: every flag with its
 * kind and help text. `parseFlags` turns argv into `Flags` or throws a
 * `UsageError` whose message is shown with a hint to `--help`; `helpText`
 * renders the table, so the help can never miss a flag.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in the help for string flags. */
  readonly arg?: string;
  readonly help: string;
  /** Only meaningful for an unbuilt template (development runs). */
  readonly dev?: boolean;
}

export const FLAGS = {
  key: { type: 'string', arg: 'DIGITS', help: 'the session key your representative gave you' },
  token: { type: 'string', arg: 'TOKEN', help: 'the access token of a session link (a per-session download already has it)' },
  name: { type: 'string', arg: 'NAME', help: 'the name the representative sees (default: your user name)' },
  say: { type: 'string', arg: 'TEXT', help: 'send one chat line once connected (handy without a terminal)' },
  keep: { type: 'boolean', help: 'keep this file when the session ends (it deletes itself otherwise)' },
  'allow-all': { type: 'boolean', help: 'answer every permission request with yes without asking' },
  'deny-all': { type: 'boolean', help: 'answer every permission request with no without asking' },
  jump: { type: 'string', arg: 'FILE', help: 'run as a jump client with this configuration (written when a representative pins this computer)' },
  button: { type: 'string', arg: 'DIR', help: 'started by a support button installed in DIR (it removes itself there if the button was removed)' },
  'button-dir': { type: 'string', arg: 'DIR', help: 'where a support button is installed (default ~/.local/share/relaydesk/button-ID)' },
  'jump-dir': { type: 'string', arg: 'DIR', help: 'where a pinned jump client is installed (default ~/.local/share/relaydesk/jump)' },
  verbose: { type: 'boolean', help: 'also print connection details (close codes, retries) to stderr' },
  help: { type: 'boolean', help: 'show this help and exit' },
  appliance: { type: 'string', arg: 'wss://HOST:PORT', help: 'appliance address (development runs of an unbuilt client only)', dev: true },
  ca: { type: 'string', arg: 'FILE', help: 'PEM file of the appliance CA (development runs of an unbuilt client only)', dev: true },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;
export type Flags = {
  [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean;
};

/** Parses `argv` (without node and script) strictly: unknown flags and stray words are errors. */
export function parseFlags(argv: readonly string[]): Flags {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type }])) as Record<FlagName, { type: 'string' | 'boolean' }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const flags = values as Flags;
  if (flags['allow-all'] && flags['deny-all']) throw new UsageError('--allow-all and --deny-all exclude each other');
  if (flags.key !== undefined && flags.token !== undefined) throw new UsageError('give either --key or --token, not both');
  if (flags.jump !== undefined && (flags.key !== undefined || flags.token !== undefined)) throw new UsageError('--jump runs without a key or token: representatives start sessions from their console');
  if (flags.key !== undefined && !/^\d{7,12}$/.test(flags.key.replace(/[\s-]/g, ''))) throw new UsageError('--key takes the 7 to 12 digits of a session key');
  if (flags.key !== undefined) flags.key = flags.key.replace(/[\s-]/g, '');
  if (flags.token !== undefined && !/^[A-Za-z0-9_-]{20,64}$/.test(flags.token)) throw new UsageError('--token does not look like an access token');
  return flags;
}

/** The help text, generated from `FLAGS`. */
export function helpText(program: string): string {
  const rows = Object.entries(FLAGS).map(([name, spec]: [string, FlagSpec]) => [`--${name}${spec.arg ? ` ${spec.arg}` : ''}`, spec.help] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: node ${program} [--key DIGITS | --token TOKEN] [options]`,
    '',
    'Connects this computer to a RelayDesk support session and opens a chat with',
    'your representative. Type a line to send it; /quit leaves.',
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'Exit codes: 0 session ended or left, 1 usage or unexpected error,',
    '2 the key or session was refused, 3 the appliance certificate was refused.',
  ].join('\n');
}
