/**
 * Turns what happens on the link into the lines the customer reads:
 * "Waiting for a representative…", "Alice joined.", chat with time and
 * author, "Connection lost (…), reconnecting in 2 s…". It remembers the last
 * state and list of representatives so only changes are announced, also
 * across a resume.
 */
import type { ChatMessage, SessionState } from '../../../common/sessions.ts';
import type { LinkListener } from '../transport/customer-link.ts';
import { clean, formatChat, nameList, seconds } from './format.ts';
import type { Terminal } from './terminal.ts';

export interface ViewHooks {
  /** Called once, after the first join (e.g. to send `--say`). */
  onFirstJoin(): void;
  onEnded(): void;
  onRefused(exitCode: number): void;
}

export class SessionView implements LinkListener {
  private shownState: SessionState | undefined;
  private shownReps: string[] = [];
  private joinedOnce = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly host: string,
    private readonly hooks: ViewHooks,
    private readonly verbose: boolean,
  ) {}

  connecting(attempt: number): void {
    if (attempt === 1 && !this.joinedOnce) this.terminal.line(`Connecting to ${this.host}…`);
  }

  joined(info: { sessionId: string; state: SessionState; reps: string[]; resumed: boolean }): void {
    this.terminal.line(info.resumed ? 'Reconnected.' : 'Connected to the support session.');
    this.update(info.state, info.reps);
    if (!this.joinedOnce) {
      this.joinedOnce = true;
      this.hooks.onFirstJoin();
    }
  }

  state(state: SessionState, reps: string[]): void {
    this.update(state, reps);
  }

  chat(msg: ChatMessage): void {
    this.terminal.line(formatChat(msg));
  }

  retrying(delayMs: number, why: string): void {
    const lead = this.joinedOnce ? `Connection lost (${why}), reconnecting` : `Cannot reach the appliance (${why}), trying again`;
    this.terminal.line(`${lead} in ${seconds(delayMs)}…`);
  }

  notice(text: string): void {
    this.terminal.line(text);
  }

  ended(reason: 'ended' | 'disconnected'): void {
    this.terminal.line(reason === 'ended' ? 'The session has ended. Thank you!' : 'The appliance closed the session.');
    this.hooks.onEnded();
  }

  refused(text: string, exitCode: number, detail: string): void {
    this.terminal.log(detail);
    this.terminal.line(text);
    this.hooks.onRefused(exitCode);
  }

  debug(text: string): void {
    // Ignored server input is always logged; other connection detail on request.
    if (this.verbose || text.startsWith('ignored')) this.terminal.log(text);
  }

  private update(state: SessionState, reps: string[]): void {
    const names = reps.map(clean);
    const came = names.filter((n) => !this.shownReps.includes(n));
    const went = this.shownReps.filter((n) => !names.includes(n));
    // When the session ends everyone leaves at once; the end line says it.
    if (went.length && state !== 'ended') this.terminal.line(`${nameList(went)} left.`);
    if (came.length) this.terminal.line(`${nameList(came)} joined.`);
    if (state === 'waiting' && (this.shownState !== 'waiting' || went.length)) this.terminal.line('Waiting for a representative…');
    this.shownState = state;
    this.shownReps = names;
  }
}
