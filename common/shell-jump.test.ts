/**
 * Shell Jump targets and host patterns: what a rep may enter for an item
 * (host, port, username, fingerprint) and how a vault credential's host
 * pattern matches, checked against a regular-expression model.
 */
import fc from 'fast-check';
import t from 'tap';
import { checkTarget, hostMatches, targetLabel } from './shell-jump.ts';

const ok = { host: 'db1.example.com', port: 22, username: 'deploy' };

t.test('checkTarget accepts names, IPv4, IPv6 and a fingerprint; refuses the rest with the field', async (t) => {
  t.same(checkTarget(ok), { ...ok, fingerprint: null });
  t.equal(checkTarget({ ...ok, host: ' 10.0.0.7 ' }).host, '10.0.0.7', 'trimmed');
  t.equal(checkTarget({ ...ok, host: '::1' }).host, '::1');
  t.equal(checkTarget({ ...ok, fingerprint: `SHA256:${'a'.repeat(43)}` }).fingerprint, `SHA256:${'a'.repeat(43)}`);
  for (const [bad, field] of [
    [{ host: 'two words' }, 'host'],
    [{ host: '' }, 'host'],
    [{ host: 'a'.repeat(254) }, 'host'],
    [{ host: 'a;b' }, 'host'],
    [{ host: 'x:y' }, 'host'],
    [{ host: '-lead.example' }, 'host'],
    [{ port: 0 }, 'port'],
    [{ port: 65536 }, 'port'],
    [{ port: 1.5 }, 'port'],
    [{ port: '22' }, 'port'],
    [{ username: '' }, 'username'],
    [{ username: 'a b' }, 'username'],
    [{ username: 'u'.repeat(65) }, 'username'],
    [{ fingerprint: 'MD5:00' }, 'fingerprint'],
    [{ fingerprint: `SHA256:${'a'.repeat(42)}` }, 'fingerprint'],
  ] as Array<[Record<string, unknown>, string]>) t.throws(() => checkTarget({ ...ok, ...bad }), { code: 'SHELL_JUMP_BAD_TARGET', detail: field }, JSON.stringify(bad).slice(0, 40));
  t.equal(targetLabel({ host: '::1', port: 2222, username: 'u' }), 'u@[::1]:2222');
});

t.test('hostMatches: * is any run of characters, case-insensitive, empty matches all', async (t) => {
  t.ok(hostMatches('', 'anything'));
  t.ok(hostMatches('*.example.com', 'db1.Example.com'));
  t.notOk(hostMatches('*.example.com', 'example.com'));
  t.ok(hostMatches('db-*', 'db-7'));
  t.notOk(hostMatches('db-*', 'web-db-7'));
  t.ok(hostMatches('127.0.0.*', '127.0.0.1'));
  t.notOk(hostMatches('127.0.0.1', '127.0.0.10'), 'dots are literal and the whole name must match');
  const slow = `${'*a'.repeat(100)}b`;
  t.notOk(hostMatches(slow, 'a'.repeat(250)), 'many stars against a long name answer at once');
  const glob = fc.stringMatching(/^[ab.*]{0,8}$/);
  const name = fc.stringMatching(/^[abAB.]{0,10}$/);
  fc.assert(
    fc.property(glob, name, (p, h) => {
      const re = new RegExp(`^${p.split('*').map((x) => x.replace(/\./g, '\\.')).join('.*')}$`, 'i');
      return hostMatches(p, h) === (p === '' || re.test(h));
    }),
  );
});
