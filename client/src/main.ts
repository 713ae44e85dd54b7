/**
 * The RelayDesk customer client: `node relaydesk-client.mjs --key 1234567`.
 * Wires the parts together — command line (cli/), system information
 * (sysinfo/), the pinned WSS link with resume and backoff (transport/), the
 * terminal (ui/), special actions (actions/) — and owns the process: exit codes (cli/exit-codes.ts),
 * signals, and the build deleting itself when its session ends
 * (lifecycle/self-remove.ts).
 */
import path from 'node:path';
import { MAX_CHAT_LENGTH } from '../../common/sessions.ts';
import { EXIT } from './cli/exit-codes.ts';
import { helpText, parseFlags, UsageError, type Flags } from './cli/flags.ts';
import { resolveTarget, type Target } from './cli/target.ts';
import { embeddedConfig } from './embedded.ts';
import { removeOwnBuildSync } from './lifecycle/self-remove.ts';
import { customerName, systemInfo } from './sysinfo/system-info.ts';
import { CustomerLink } from './transport/customer-link.ts';
import { ChannelRouter, serveProbe } from './transport/channels.ts';
import { openPinnedChannel, openPinnedSocket } from './transport/pinned-socket.ts';
import { ConsentPrompter, consentPolicy } from './ui/consent.ts';
import { SpecialActionRunner } from './actions/special-action.ts';
import { SessionView } from './ui/session-view.ts';
import { Terminal } from './ui/terminal.ts';

/** The typed line that leaves the session. */
const QUIT_COMMAND = '/quit';
/** A special action's result waits up to 120 one-second tries for the link to come back. */
const RESULT_RETRIES = 120;

function main(): void {
  const program = path.basename(process.argv[1] ?? 'relaydesk-client.mjs');
  let flags: Flags;
  let target: Target;
  try {
    flags = parseFlags(process.argv.slice(2));
    if (flags.help) {
      process.stdout.write(`${helpText(program)}\n`);
      process.exit(EXIT.ok);
    }
    target = resolveTarget(flags, embeddedConfig());
  } catch (err) {
    const text = err instanceof UsageError ? `${err.message}\nRun with --help for the options.` : `Cannot start: ${(err as Error).message}`;
    process.stderr.write(`${text}\n`);
    process.exit(EXIT.usage);
  }

  const terminal = new Terminal({ input: process.stdin, output: process.stdout, errors: process.stderr });
  const system = systemInfo();
  const consent = new ConsentPrompter(consentPolicy(flags), terminal);

  const finish = (code: number): void => {
    terminal.close();
    process.exit(code);
  };
  const view = new SessionView(terminal, new URL(target.url).host, {
    onFirstJoin() {
      if (flags.say !== undefined && flags.say.trim()) link.say(flags.say.slice(0, MAX_CHAT_LENGTH));
    },
    onEnded() {
      if (target.built && !flags.keep) {
        const result = removeOwnBuildSync(process.argv[1], import.meta.url);
        if (result.removed) terminal.line(`This client removed itself (${result.file}).`);
        else terminal.log(`not removed: ${result.why}`);
      }
      finish(EXIT.ok);
    },
    onRefused: (code) => finish(code),
  }, Boolean(flags.verbose));

  // Data channels the reps may open; each feature registers its kind here.
  const channels = new ChannelRouter((ticket) => openPinnedChannel(target.url, target.trust, ticket), (text) => view.debug(text));
  channels.register('probe', serveProbe);

  const link = new CustomerLink({
    credential: target.credential,
    name: customerName(flags.name, system),
    system,
    open: () => openPinnedSocket(target.url, target.trust),
    listener: view,
    onChannel: (msg) => channels.dispatch(msg),
    onSpecialAction: (msg) => void actions.handle(msg),
  });
  // Special actions: asked, run and answered one at a time. A result that finds the link down is
  // sent once it is back (the appliance keeps the run open), retried every second for two minutes.
  const actions = new SpecialActionRunner(
    consent,
    (result) => {
      if (link.post({ ...result })) return;
      let tries = 0;
      const retry = setInterval(() => {
        if (link.post({ ...result })) clearInterval(retry);
        else if (++tries >= RESULT_RETRIES) {
          clearInterval(retry);
          terminal.line('Not connected; the result of the special action could not be sent.');
        }
      }, 1000);
    },
    (text) => terminal.line(text),
  );

  const leave = (): void => {
    terminal.line('You left the session.');
    link.leave();
    finish(EXIT.ok);
  };
  terminal.bind((line) => {
    const text = line.trim();
    if (!text) return;
    if (text === QUIT_COMMAND) return leave();
    if (text.length > MAX_CHAT_LENGTH) return terminal.line(`That message is too long (at most ${MAX_CHAT_LENGTH} characters).`);
    // The appliance echoes the line back with time and author; drop the raw typed copy.
    terminal.eraseTypedLine();
    if (!link.say(text)) terminal.line('Not connected; the message was not sent.');
  }, leave);
  process.once('SIGINT', leave);
  process.once('SIGTERM', leave);
  if (terminal.interactive) terminal.line(`Type a message and press Enter to chat; ${QUIT_COMMAND} leaves.`);
  link.start();
}

main();
