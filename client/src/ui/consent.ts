/**
 * Asking the customer before a representative may do something on this
 * computer (view the screen, take control, open a shell, move files).
 * `--allow-all` and `--deny-all` answer every request in advance; otherwise
 * the customer is asked on the terminal and has `CONSENT_TIMEOUT_MS` to
 * answer. No answer, no terminal, or anything but yes means no: consent is
 * never assumed.
 *
 * Command shells (shell/shell-service.ts) and special actions ask through
 * `decide`.
 */
import type { Flags } from '../cli/flags.ts';
import { clean } from './format.ts';
import type { Terminal } from './terminal.ts';

export type ConsentPolicy = 'ask' | 'allow' | 'deny';

/** What a representative asks for, in the words shown to the customer. */
export interface ConsentRequest {
  /** Display name of the representative asking. */
  readonly rep: string;
  /** e.g. "view your screen", "control your mouse and keyboard". */
  readonly action: string;
}

/** A customer gets 60 s to answer, as long as a rep would wait on a phone call; then it is no. */
export const CONSENT_TIMEOUT_MS = 60_000;

const YES = /^\s*(y|yes)\s*$/i;

export function consentPolicy(flags: Pick<Flags, 'allow-all' | 'deny-all'>): ConsentPolicy {
  if (flags['allow-all']) return 'allow';
  if (flags['deny-all']) return 'deny';
  return 'ask';
}

export class ConsentPrompter {
  constructor(
    private readonly policy: ConsentPolicy,
    private readonly terminal: Pick<Terminal, 'ask' | 'line'>,
    private readonly timeoutMs: number = CONSENT_TIMEOUT_MS,
    /** Why an answer given in advance was given, as the log shows it (default: the flag). */
    private readonly reason?: string,
  ) {}

  /** Resolves true only when the customer (or `--allow-all`) said yes. */
  async decide(req: ConsentRequest): Promise<boolean> {
    const what = `${clean(req.rep)} asks to ${clean(req.action)}`;
    if (this.policy !== 'ask') {
      const allowed = this.policy === 'allow';
      this.terminal.line(`${what}: ${allowed ? `allowed (${this.reason ?? '--allow-all'})` : `refused (${this.reason ?? '--deny-all'})`}.`);
      return allowed;
    }
    const answer = await this.terminal.ask(`${what}. Allow? [y/N]`, this.timeoutMs);
    const allowed = answer !== undefined && YES.test(answer);
    this.terminal.line(answer === undefined ? `No answer: refused.` : allowed ? 'Allowed.' : 'Refused.');
    return allowed;
  }
}
