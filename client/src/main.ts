/**
 * The RelayDesk customer client: `node relaydesk-client.mjs --key 1234567`.
 * Wires the parts together — command line (cli/), system information
 * (sysinfo/), the pinned WSS link with resume and backoff (transport/), the
 * terminal (ui/), special actions (actions/), screen sharing (screen/) — and owns the process: exit codes (cli/exit-codes.ts),
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
import { handleFilesChannel } from './files/files-channel.ts';
import { ChannelRouter, serveProbe } from './transport/channels.ts';
import { openPinnedChannel, openPinnedJump, openPinnedSocket } from './transport/pinned-socket.ts';
import type { PinnedTrust } from '../../certs/pin.ts';
import { defaultJumpDir, installJumpClient, readJumpConfig, uninstallJumpClient, type JumpConfig } from './jump/install.ts';
import { JumpClient, jumpSessionListener } from './jump/jump-client.ts';
import { ShellService } from './shell/shell-service.ts';
import { defaultButtonDir, installSupportButton, uninstallSupportButton } from './jump/support-button.ts';
import { ConsentPrompter, consentPolicy } from './ui/consent.ts';
import { SpecialActionRunner } from './actions/special-action.ts';
import { ScreenShare } from './screen/screen-share.ts';
import { loadMediaCore, type MediaCore } from '../../wasm/src/index.ts';
import mediaCoreWasm from '../../wasm/build/media-core.wasm';
import { SessionView } from './ui/session-view.ts';
import { Terminal } from './ui/terminal.ts';

/** The typed line that leaves the session. */
const QUIT_COMMAND = '/quit';
/** A special action's result waits up to 120 one-second tries for the link to come back. */
const RESULT_RETRIES = 120;

/** Data channels the reps may open; each feature registers its kind here. */
function channelRouter(url: string, trust: PinnedTrust, debug: (text: string) => void): ChannelRouter {
  const channels = new ChannelRouter((ticket) => openPinnedChannel(url, trust, ticket), debug);
  channels.register('probe', serveProbe);
  channels.register('files', (open) => handleFilesChannel(open, debug));
  return channels;
}

/**
 * `--jump FILE`: the installed jump client. A build connects only to its
 * embedded appliance, so the configuration must name that one; an unbuilt
 * template (development) uses the address and CA in the configuration.
 */
function runJumpClient(file: string): void {
  const log = (line: string): void => void process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  let config: JumpConfig;
  try {
    config = readJumpConfig(file);
  } catch (err) {
    process.stderr.write(`Cannot start the jump client: ${(err as Error).message}\n`);
    process.exit(EXIT.usage);
  }
  const embedded = embeddedConfig();
  if (embedded && embedded.url !== config.url) {
    process.stderr.write(`This client was built for ${embedded.url}; ${file} names ${config.url}.\n`);
    process.exit(EXIT.usage);
  }
  const url = config.url;
  const trust: PinnedTrust = embedded ? (embedded.serverSpkiSha256 ? { caPem: embedded.caPem, serverSpkiSha256: embedded.serverSpkiSha256 } : { caPem: embedded.caPem }) : config.trust;
  const system = systemInfo();
  const dir = path.dirname(path.resolve(file));
  const channels = channelRouter(url, trust, (text) => log(text));
  // Unattended access (F14): nobody may be at this computer, so what the rep's permissions allow is
  // allowed without asking; every answer goes to the jump client's log and the session's event log.
  const consent = new ConsentPrompter('allow', { ask: async () => undefined, line: log }, undefined, 'unattended jump client');
  let core: Promise<MediaCore> | undefined;
  const screen = new ScreenShare({ decide: (req) => consent.decide(req), say: log, debug: log, loadCore: () => (core ??= loadMediaCore(mediaCoreWasm)) });
  channels.register('screen', screen.handle);
  const shells = new ShellService({ consent: (rep) => consent.decide({ rep, action: 'open a command shell on this computer' }), say: log, debug: log });
  channels.register('shell', (open) => void shells.open(open));
  let current: CustomerLink | undefined;
  const actions = new SpecialActionRunner(consent, (result) => void current?.post({ ...result }), log);
  const jump = new JumpClient({
    config,
    system,
    log,
    open: () => openPinnedJump(url, trust),
    runSession: (token, rep) =>
      new Promise<void>((resolve) => {
        const link = new CustomerLink({
          credential: { token },
          name: config.name,
          system,
          open: () => openPinnedSocket(url, trust),
          listener: jumpSessionListener(log, rep, resolve),
          onChannel: (msg) => channels.dispatch(msg),
          onSpecialAction: (msg) => void actions.handle(msg),
        });
        current = link;
        link.start();
      }),
    removed: (why) => {
      log(`${why}; uninstalling from ${dir}`);
      uninstallJumpClient(dir);
      process.exit(EXIT.ok);
    },
  });
  const stop = (): void => {
    jump.stop();
    process.exit(EXIT.ok);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log(`jump client ${config.name} starting (${url})`);
  jump.start();
}

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
    if (flags.jump !== undefined) return runJumpClient(flags.jump);
    target = resolveTarget(flags, embeddedConfig());
  } catch (err) {
    const text = err instanceof UsageError ? `${err.message}\nRun with --help for the options.` : `Cannot start: ${(err as Error).message}`;
    process.stderr.write(`${text}\n`);
    process.exit(EXIT.usage);
  }

  const terminal = new Terminal({ input: process.stdin, output: process.stdout, errors: process.stderr });
  const system = systemInfo();
  // Asks the customer before a rep may act on this computer (command shells, special actions).
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
    onRefused: (code) => {
      // A support button whose button was removed or expired cleans up after itself.
      if (flags.button !== undefined && code === EXIT.refused) {
        uninstallSupportButton(flags.button);
        terminal.line('This support button is no longer valid and was removed from this computer. Ask your support team for a new way to reach them.');
      }
      finish(code);
    },
  }, Boolean(flags.verbose));

  const channels = channelRouter(target.url, target.trust, (text) => view.debug(text));
  let core: Promise<MediaCore> | undefined;
  const screen = new ScreenShare({
    decide: (req) => consent.decide(req),
    say: (text) => terminal.line(text),
    debug: (text) => view.debug(text),
    loadCore: () => (core ??= loadMediaCore(mediaCoreWasm)),
  });
  channels.register('screen', screen.handle);
  const shells = new ShellService({
    consent: (rep) => consent.decide({ rep, action: 'open a command shell on this computer' }),
    say: (text) => terminal.line(text),
    debug: (text) => view.debug(text),
  });
  channels.register('shell', (open) => void shells.open(open));

  const link = new CustomerLink({
    credential: target.credential,
    name: customerName(flags.name, system),
    system,
    open: () => openPinnedSocket(target.url, target.trust),
    listener: view,
    onChannel: (msg) => channels.dispatch(msg),
    onSpecialAction: (msg) => void actions.handle(msg),
    onButtonInstall: (msg) => {
      if (!process.argv[1]) return;
      try {
        const installed = installSupportButton(process.argv[1], flags['button-dir'] ?? defaultButtonDir(msg.buttonId), msg);
        terminal.line(`Your representative left a support button here ("${msg.description}"). To reach support later, run: ${installed.launcher}`);
      } catch (err) {
        terminal.line(`Could not install the support button: ${(err as Error).message}`);
      }
    },
    onJumpPin: (msg) => {
      if (!process.argv[1]) return;
      const dir = flags['jump-dir'] ?? defaultJumpDir();
      const config: JumpConfig = { v: 1, jumpId: msg.jumpId, secret: msg.secret, name: msg.name, url: target.url, trust: target.trust, installedAt: Date.now() };
      try {
        const installed = installJumpClient(process.argv[1], dir, config);
        terminal.line(`Your representative pinned this computer as "${msg.name}": support can reach it later without a key.`);
        terminal.line(`The jump client runs from ${installed.dir}. To start it at boot: ${installed.command}`);
      } catch (err) {
        terminal.line(`Could not install the jump client: ${(err as Error).message}`);
      }
    },
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
