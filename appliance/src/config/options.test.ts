/** Option parsing: flags beat environment, bad values are refused with the option named. */
import t from 'tap';
import { helpText, OPTION_SPECS, parseOptions } from './options.ts';

t.test('defaults, environment and flags', (t) => {
  const d = parseOptions([], {});
  if (d === 'help') throw new Error('unexpected');
  t.equal(d.host, '127.0.0.1');
  t.equal(d.port, 8443);
  t.same(d.names, ['localhost', '127.0.0.1', '::1']);
  const e = parseOptions(['--port', '9000', '--data=/tmp/x'], { RELAYDESK_PORT: '7000', RELAYDESK_HOST: '0.0.0.0', RELAYDESK_ADMIN_PASSWORD: 'long enough pw' });
  if (e === 'help') throw new Error('unexpected');
  t.equal(e.port, 9000, 'the flag wins over the environment');
  t.equal(e.host, '0.0.0.0');
  t.equal(e.data, '/tmp/x');
  t.equal(e.adminPassword, 'long enough pw');
  t.equal(parseOptions(['--help'], {}), 'help');
  t.end();
});

t.test('bad options are refused by name', (t) => {
  t.throws(() => parseOptions(['--port', '70000'], {}), /--port must be 0–65535/);
  t.throws(() => parseOptions(['--bogus', '1'], {}), /unknown option --bogus/);
  t.throws(() => parseOptions(['--port'], {}), /needs a value/);
  t.throws(() => parseOptions(['--log-level', 'loud'], {}), /log-level/);
  t.throws(() => parseOptions([], { RELAYDESK_ADMIN_PASSWORD: 'short' }), /at least 10/);
  t.end();
});

t.test('help lists every option and the password variable', (t) => {
  const text = helpText();
  for (const spec of Object.values(OPTION_SPECS)) t.match(text, spec.flag);
  t.match(text, 'RELAYDESK_ADMIN_PASSWORD');
  t.end();
});
