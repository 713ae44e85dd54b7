/**
 * The appliance's SSH side of a Shell Jump (F13): one ssh2 connection per
 * session, and its shell channels handed to the command-shell relay
 * (relay/shell.ts) as if they were a customer client's shell channels. So
 * a Shell Jump gets the relay's tabs, fan-out to every member, scrollback,
 * recordings and transcripts unchanged.
 *
 * Contracts:
 * - `connectSsh` pins the host key before anything else: with an expected
 *   fingerprint a different key is refused (SSH_HOSTKEY_MISMATCH naming
 *   both); without one the connection is dropped and the key's fingerprint
 *   comes back in SSH_HOSTKEY_UNKNOWN for the rep to trust. Either way the
 *   handshake stops at key exchange: no username, password or key is sent.
 * - Credentials live only in the closure of one connection attempt; they
 *   are never logged, stored or put into an error.
 * - Keyboard-interactive prompts are passed to `prompt` (the rep answers in
 *   the console); a vault password may answer a lone hidden prompt once.
 * - A channel adapter speaks the relay's customer-side protocol
 *   (common/shell-protocol.ts): binary frames are keystrokes, `resize` is a
 *   window-change, `close` closes the channel, `ack` is credit: output
 *   pauses when SHELL_WINDOW bytes are unacknowledged, as a client's pty.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:os';
import ssh2, { type AnyAuthMethod, type Client, type ClientChannel, type Prompt } from 'ssh2';
import { AppError } from '../../../common/errors.ts';
import { MAX_PROMPT_ROUNDS, type ShellJumpTarget, type SshPrompt } from '../../../common/shell-jump.ts';
import { SHELL_WINDOW } from '../../../common/shell-protocol.ts';
import type { ShellRelay, ShellSocket } from './shell.ts';

/** How long the whole handshake may take, prompts answered by a person included. */
export const SSH_READY_TIMEOUT_MS = 120_000;

export interface SshCredentials {
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

export interface SshConnectRequest {
  target: Pick<ShellJumpTarget, 'host' | 'port' | 'username'>;
  /** The pinned fingerprint, or the one the rep just chose to trust; null = find out only. */
  expected: string | null;
  credentials: SshCredentials;
  /** Asks the rep; resolves with one answer per prompt. */
  prompt(name: string, instructions: string, prompts: SshPrompt[]): Promise<string[]>;
  /** Answer a single hidden keyboard-interactive prompt with the password (vault injection). */
  passwordAnswersPrompt?: boolean;
}

/** The fingerprint of a raw host key as `ssh-keygen -lf` prints it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Parses a private key now, so a bad key or passphrase is a clear error before any connection. */
function checkKey(key: string, passphrase: string | undefined): void {
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error || (Array.isArray(parsed) && parsed.length === 0)) throw new AppError('SSH_BAD_KEY');
}

/** Opens and authenticates an SSH connection; resolves with the client and the host key's fingerprint. */
export function connectSsh(req: SshConnectRequest): Promise<{ client: Client; fingerprint: string }> {
  const { target, credentials } = req;
  if (credentials.privateKey) checkKey(credentials.privateKey, credentials.passphrase || undefined);
  const client = new ssh2.Client();
  let seen: string | undefined;
  let refused: AppError | undefined;
  let rounds = 0;
  let passwordUsedForPrompt = false;
  /** The rep cancelled (or never answered) a login question: whatever the server does next, the login failed. */
  let unanswered = false;
  const methods: AnyAuthMethod[] = [];
  if (credentials.privateKey) methods.push({ type: 'publickey', username: target.username, key: credentials.privateKey, ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}) });
  if (credentials.password) methods.push({ type: 'password', username: target.username, password: credentials.password });
  methods.push({
    type: 'keyboard-interactive',
    username: target.username,
    prompt: (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: (answers: string[]) => void) => {
      if (++rounds > MAX_PROMPT_ROUNDS) return finish([]);
      if (prompts.length === 0) return finish([]);
      const list = prompts.map((p) => ({ prompt: p.prompt.slice(0, 500), echo: Boolean(p.echo) }));
      if (req.passwordAnswersPrompt && credentials.password && !passwordUsedForPrompt && list.length === 1 && !list[0]!.echo) {
        passwordUsedForPrompt = true;
        return finish([credentials.password]);
      }
      req.prompt(name.slice(0, 200), instructions.slice(0, 1000), list).then(finish, () => {
        unanswered = true;
        finish([]);
      });
    },
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: AppError): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      resolve({ client, fingerprint: seen! });
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (refused) return fail(refused);
      if (unanswered) return fail(new AppError('SSH_AUTH_FAILED', 'a login question was not answered'));
      if (err.level === 'client-authentication') return fail(new AppError('SSH_AUTH_FAILED'));
      if (err.level === 'client-timeout') return fail(new AppError('SSH_CONNECT_FAILED', 'timed out'));
      fail(new AppError('SSH_CONNECT_FAILED', err.code ?? err.level ?? 'error'));
    });
    client.on('close', () => fail(refused ?? (unanswered ? new AppError('SSH_AUTH_FAILED', 'a login question was not answered') : new AppError('SSH_CONNECT_FAILED', 'closed'))));
    client.connect({
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: SSH_READY_TIMEOUT_MS,
      keepaliveInterval: 30_000,
      authHandler: methods,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        if (req.expected === null) refused = new AppError('SSH_HOSTKEY_UNKNOWN', seen);
        else if (req.expected !== seen) refused = new AppError('SSH_HOSTKEY_MISMATCH', `expected ${req.expected}, got ${seen}`);
        return !refused;
      },
    });
  });
}

/** The relay's view of one SSH channel: it behaves like a client's shell channel socket. */
class ChannelAdapter implements ShellSocket {
  private received = 0;
  private acked = 0;
  private paused = false;
  private ended = false;
  stream: ClientChannel | undefined;

  constructor(private readonly onEnd: () => void) {}

  send(data: Uint8Array | string, isBinary: boolean): number {
    const stream = this.stream;
    if (!stream || this.ended) return 0;
    if (isBinary) {
      stream.write(Buffer.from(data as Uint8Array));
      return 1;
    }
    let msg: { t?: string; cols?: number; rows?: number; total?: number };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      return 0;
    }
    if (msg.t === 'resize' && msg.cols && msg.rows) stream.setWindow(msg.rows, msg.cols, 0, 0);
    else if (msg.t === 'close') stream.close();
    else if (msg.t === 'ack' && typeof msg.total === 'number') {
      this.acked = msg.total;
      if (this.paused && this.received - this.acked < SHELL_WINDOW) {
        this.paused = false;
        stream.resume();
        stream.stderr.resume();
      }
    }
    return 1;
  }

  /** Output arrived: counts it against the credit window; pauses the channel when the window is full. */
  took(n: number): void {
    this.received += n;
    if (!this.paused && this.received - this.acked >= SHELL_WINDOW && this.stream) {
      this.paused = true;
      this.stream.pause();
      this.stream.stderr.pause();
    }
  }

  getBufferedAmount(): number {
    return 0;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stream?.close();
    this.onEnd();
  }
}

const signalNumber = (name: string | undefined): number => {
  if (!name) return 0;
  const n = (constants.signals as Record<string, number>)[`SIG${name}`];
  return typeof n === 'number' && n <= 255 ? n : 15;
};

/** One Shell Jump's connection, opening relay shells as SSH channels. */
export class SshLink {
  private readonly adapters = new Set<ChannelAdapter>();
  private closed = false;

  constructor(
    readonly sessionId: string,
    private readonly client: Client,
    private readonly relay: () => ShellRelay,
    /** The connection ended (by the server, the network or `close`); called once. */
    private readonly onClosed: (byUs: boolean) => void,
  ) {
    client.on('close', () => this.gone(false));
    client.on('error', () => undefined);
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Opens a shell channel for the relay's shell `channelId` (the relay's `callCustomer`). */
  openShell(channelId: string, cols: number, rows: number): void {
    if (this.closed) throw new AppError('CUSTOMER_OFFLINE');
    const ticket = { sessionId: this.sessionId, side: 'customer' as const, userId: null, channelId };
    const adapter = new ChannelAdapter(() => this.adapters.delete(adapter));
    this.adapters.add(adapter);
    const relay = this.relay();
    this.client.shell({ term: 'xterm-256color', cols, rows }, (err, stream) => {
      if (err) {
        relay.socketOpened(adapter, ticket);
        relay.socketMessage(adapter, ticket, Buffer.from(JSON.stringify({ t: 'unavailable', reason: `the SSH server refused a shell: ${err.message}`.slice(0, 500) })), false);
        return;
      }
      // The stream first: connecting hands over keystrokes typed meanwhile and the current size.
      adapter.stream = stream;
      relay.socketOpened(adapter, ticket);
      let exit = { code: -1, signal: 0 };
      let exited = false;
      const output = (d: Buffer): void => {
        adapter.took(d.length);
        relay.socketMessage(adapter, ticket, d, true);
      };
      stream.on('data', output);
      stream.stderr.on('data', output);
      stream.on('exit', (code: number | null, signal?: string) => {
        exited = true;
        exit = { code: code ?? -1, signal: signalNumber(signal ?? undefined) };
      });
      stream.on('close', () => {
        const msg = exited ? { t: 'exit', ...exit } : { t: 'unavailable', reason: 'the SSH connection closed' };
        relay.socketMessage(adapter, ticket, Buffer.from(JSON.stringify(msg)), false);
      });
    });
  }

  /** Ends the connection (the session ended). */
  close(): void {
    if (this.closed) return;
    this.client.end();
    this.gone(true);
  }

  private gone(byUs: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(byUs);
  }
}
