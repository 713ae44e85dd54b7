/**
 * The command line and what it may change: a build connects only to its
 * embedded appliance with its embedded trust; development flags are refused
 * there and required in an unbuilt template.
 */
import t from 'tap';
import { helpText, parseFlags, UsageError, FLAGS } from './flags.ts';
import { resolveTarget } from './target.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const built = { url: 'wss://support.example:443', caPem: CA, serverSpkiSha256: 'pin' };

t.test('flags parse strictly', async (t) => {
  t.same(parseFlags(['--key', '123 456 7', '--say', 'hi', '--keep']), { key: '1234567', say: 'hi', keep: true });
  t.throws(() => parseFlags(['--insecure']), UsageError, 'unknown flags are refused');
  t.throws(() => parseFlags(['stray']), UsageError);
  t.throws(() => parseFlags(['--key', '12ab']), UsageError);
  t.throws(() => parseFlags(['--key', '1234567', '--token', 'a'.repeat(24)]), UsageError);
  t.throws(() => parseFlags(['--allow-all', '--deny-all']), UsageError);
});

t.test('help lists every flag', async (t) => {
  const help = helpText('relaydesk-client.mjs');
  for (const name of Object.keys(FLAGS)) t.match(help, `--${name}`);
});

t.test('a build uses its embedded address, trust and token', async (t) => {
  const target = resolveTarget({}, { ...built, token: 't'.repeat(24) });
  t.same(target, { url: 'wss://support.example', trust: { caPem: CA, serverSpkiSha256: 'pin' }, credential: { token: 't'.repeat(24) }, built: true });
  t.same(resolveTarget({ key: '1234567' }, built).credential, { key: '1234567' }, 'a typed key is used with a generic build');
  t.throws(() => resolveTarget({}, built), /--key/, 'a generic build needs a key');
});

t.test('a build refuses another appliance or CA', async (t) => {
  t.throws(() => resolveTarget({ key: '1234567', appliance: 'wss://evil.example' }, built), /trusts only that appliance/);
  t.throws(() => resolveTarget({ key: '1234567', ca: '/tmp/other.pem' }, built), /trusts only that appliance/);
});

t.test('an unbuilt template needs --appliance and --ca, over wss only', async (t) => {
  t.throws(() => resolveTarget({ key: '1234567' }, undefined), /unbuilt/);
  const read = (): string => CA;
  t.same(resolveTarget({ key: '1234567', appliance: 'wss://127.0.0.1:8443', ca: 'ca.pem' }, undefined, read), {
    url: 'wss://127.0.0.1:8443',
    trust: { caPem: CA },
    credential: { key: '1234567' },
    built: false,
  });
  t.throws(() => resolveTarget({ key: '1234567', appliance: 'ws://127.0.0.1:8080', ca: 'ca.pem' }, undefined, read), /wss:\/\//);
  t.throws(() => resolveTarget({ key: '1234567', appliance: 'wss://x', ca: 'ca.pem' }, undefined, () => 'junk'), /not a PEM/);
});
