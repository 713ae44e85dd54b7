/**
 * Unit and property tests of the permission rules: merging grants (most
 * permissive wins, path lists), the lexical remote-path check and its coded
 * errors, and strict parsing of an admin's grant.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  DEFAULT_USER_PERMISSIONS,
  FILE_TRANSFER_LEVELS,
  NO_PERMISSIONS,
  SCREEN_LEVELS,
  mergePermissions,
  parsePermissions,
  pathAllowed,
  samePermissions,
  validateRemotePath,
  type RepPermissions,
} from './permissions.ts';

const segment = fc.stringMatching(/^[A-Za-z0-9_ .-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
const absPath = fc.array(segment, { minLength: 1, maxLength: 6 }).map((xs) => `/${xs.join('/')}`);
const grant: fc.Arbitrary<RepPermissions> = fc.record({
  screen: fc.constantFrom(...SCREEN_LEVELS),
  privacyScreen: fc.boolean(),
  specialActions: fc.boolean(),
  shell: fc.boolean(),
  shellJump: fc.boolean(),
  fileTransfer: fc.constantFrom(...FILE_TRANSFER_LEVELS),
  allowedPaths: fc.array(absPath, { maxLength: 3 }),
});

const rank = <T>(levels: readonly T[], v: T) => levels.indexOf(v);

t.test('merge: a team grant of NO_PERMISSIONS adds nothing', async (t) => {
  const restricted: RepPermissions = { ...DEFAULT_USER_PERMISSIONS, shell: false, allowedPaths: ['/srv/share'] };
  t.same(mergePermissions(restricted, NO_PERMISSIONS), restricted);
  t.same(mergePermissions(NO_PERMISSIONS, restricted), restricted);
  t.same(mergePermissions(NO_PERMISSIONS, NO_PERMISSIONS), NO_PERMISSIONS);
});

t.test('merge: most permissive wins field by field', async (t) => {
  const a: RepPermissions = { screen: 'view', privacyScreen: false, specialActions: true, shell: false, shellJump: false, fileTransfer: 'upload', allowedPaths: ['/home/al'] };
  const b: RepPermissions = { screen: 'none', privacyScreen: true, specialActions: false, shell: false, shellJump: true, fileTransfer: 'both', allowedPaths: ['/tmp', '/home/al'] };
  t.same(mergePermissions(a, b), { screen: 'view', privacyScreen: true, specialActions: true, shell: false, shellJump: true, fileTransfer: 'both', allowedPaths: ['/home/al', '/tmp'] });
  // Unrestricted on one side (with file transfer) makes the result unrestricted.
  t.same(mergePermissions(a, { ...b, allowedPaths: [] }).allowedPaths, []);
});

t.test('merge properties: commutative, associative, idempotent, never narrower', async () => {
  fc.assert(
    fc.property(grant, grant, (a, b) => samePermissions(mergePermissions(a, b), mergePermissions(b, a))),
  );
  fc.assert(
    fc.property(grant, grant, grant, (a, b, c) => samePermissions(mergePermissions(mergePermissions(a, b), c), mergePermissions(a, mergePermissions(b, c)))),
  );
  fc.assert(fc.property(grant, (a) => samePermissions(mergePermissions(a, a), a)));
  fc.assert(fc.property(grant, (a) => samePermissions(mergePermissions(a, NO_PERMISSIONS), a)));
  fc.assert(
    fc.property(grant, grant, absPath, (a, b, p) => {
      const m = mergePermissions(a, b);
      for (const side of [a, b]) {
        if (rank(SCREEN_LEVELS, m.screen) < rank(SCREEN_LEVELS, side.screen)) return false;
        if (rank(FILE_TRANSFER_LEVELS, m.fileTransfer) < rank(FILE_TRANSFER_LEVELS, side.fileTransfer)) return false;
        if ((side.shell && !m.shell) || (side.shellJump && !m.shellJump) || (side.privacyScreen && !m.privacyScreen) || (side.specialActions && !m.specialActions)) return false;
        // A path one side may transfer to stays allowed after the merge.
        if (side.fileTransfer !== 'none' && pathAllowed(side.allowedPaths, p) && !pathAllowed(m.allowedPaths, p)) return false;
      }
      return true;
    }),
  );
});

t.test('pathAllowed: segment-wise prefixes', async (t) => {
  t.ok(pathAllowed([], '/anything/at/all'), 'empty list = anywhere');
  t.ok(pathAllowed(['/home/al'], '/home/al'));
  t.ok(pathAllowed(['/home/al'], '/home/al/docs/a.txt'));
  t.notOk(pathAllowed(['/home/al'], '/home/alice'), 'a longer name is not below');
  t.notOk(pathAllowed(['/home/al'], '/home/alice/x'));
  t.notOk(pathAllowed(['/home/al'], '/home'));
  t.ok(pathAllowed(['/'], '/etc/passwd'), '/ allows everything');
  t.notOk(pathAllowed(['/home/al'], '/home/al/../bob'), 'traversal out');
  t.notOk(pathAllowed(['/home/al'], '/home/al/./x'));
  t.notOk(pathAllowed(['/home/al'], '/home/al//x'));
  t.notOk(pathAllowed(['/home/al'], '/home/al/'), 'trailing slash is not normalised');
  t.notOk(pathAllowed(['/home/al'], 'home/al/x'), 'relative');
  t.notOk(pathAllowed(['/home/al'], '/home/al/x\u0000.txt'), 'NUL');
  t.notOk(pathAllowed([], '/home/../etc'), 'invalid paths are refused even without restriction');
  t.notOk(pathAllowed(['home/al'], '/home/al/x'), 'an invalid entry allows nothing');
  t.notOk(pathAllowed(['/home/al/..'], '/home/bob'));
  t.ok(pathAllowed(['/srv', '/home/al'], '/home/al/x'), 'any entry may allow');
});

t.test('pathAllowed properties', async () => {
  fc.assert(fc.property(absPath, segment, (base, s) => pathAllowed([base], `${base}/${s}`) && pathAllowed([base], base)));
  // A sibling whose name merely starts with the allowed name is refused.
  fc.assert(fc.property(absPath, fc.stringMatching(/^[a-z0-9]{1,8}$/), (base, tail) => !pathAllowed([base], `${base}${tail}`)));
  // Any path with a .. segment is refused, whatever the list.
  fc.assert(
    fc.property(fc.array(absPath, { maxLength: 3 }), fc.array(fc.oneof(segment, fc.constant('..')), { minLength: 1, maxLength: 6 }), (allowed, segs) => {
      const p = `/${segs.join('/')}`;
      return segs.includes('..') ? !pathAllowed(allowed, p) : true;
    }),
  );
  // Allowed implies the path is lexically below (or at) one entry.
  fc.assert(
    fc.property(fc.array(absPath, { minLength: 1, maxLength: 3 }), absPath, (allowed, p) =>
      pathAllowed(allowed, p) === allowed.some((a) => p === a || p.startsWith(`${a}/`)),
    ),
  );
});

t.test('validateRemotePath: coded errors', async (t) => {
  t.equal(validateRemotePath('/'), undefined);
  t.equal(validateRemotePath('/home/al/file.txt'), undefined);
  t.equal(validateRemotePath('relative/x')?.code, 'PATH_NOT_ABSOLUTE');
  t.equal(validateRemotePath('')?.code, 'PATH_NOT_ABSOLUTE');
  t.equal(validateRemotePath(42)?.code, 'PATH_NOT_ABSOLUTE');
  t.equal(validateRemotePath('/a/../b')?.code, 'PATH_TRAVERSAL');
  t.equal(validateRemotePath('/a/..')?.code, 'PATH_TRAVERSAL');
  t.equal(validateRemotePath('/a/./b')?.code, 'PATH_TRAVERSAL');
  t.equal(validateRemotePath('/a/b\u0000c')?.code, 'PATH_NUL');
  t.equal(validateRemotePath('/a//b')?.code, 'PATH_BAD_NAME');
  t.equal(validateRemotePath('/a/b/')?.code, 'PATH_BAD_NAME');
  t.equal(validateRemotePath(`/${'x'.repeat(256)}`)?.code, 'PATH_BAD_NAME');
  t.equal(validateRemotePath(`/${'x'.repeat(255)}`), undefined, '255 bytes is fine');
  // 128 two-byte characters = 256 bytes: too long a name although only 128 characters.
  t.equal(validateRemotePath(`/${'ä'.repeat(128)}`)?.code, 'PATH_BAD_NAME');
  const long = `/${Array.from({ length: 17 }, () => 'y'.repeat(250)).join('/')}`;
  t.ok(long.length > 4096);
  t.equal(validateRemotePath(long)?.code, 'PATH_TOO_LONG');
  const exact = `/${'z'.repeat(200)}`.repeat(20) + `/${'z'.repeat(4096 - 201 * 20 - 1)}`;
  t.equal(new TextEncoder().encode(exact).length, 4096);
  t.equal(validateRemotePath(exact), undefined, 'exactly 4096 bytes is fine');
  t.equal(validateRemotePath('/a\u0000/../b')?.code, 'PATH_NUL', 'NUL is reported first');
});

t.test('parsePermissions: strict shape', async (t) => {
  const good = { screen: 'view', privacyScreen: false, specialActions: true, shell: false, fileTransfer: 'upload', allowedPaths: ['/srv', '/srv'] };
  // shellJump came later: absent means not granted; present, it must be a boolean.
  t.same(parsePermissions(good), { ...good, shellJump: false, allowedPaths: ['/srv'] });
  t.same(parsePermissions({ ...good, shellJump: true }), { ...good, shellJump: true, allowedPaths: ['/srv'] });
  t.throws(() => parsePermissions({ ...good, shellJump: 'yes' }), { code: 'BAD_FIELD' });
  t.throws(() => parsePermissions({ ...good, extra: 1 }), { code: 'UNKNOWN_FIELD' });
  t.throws(() => parsePermissions({ ...good, screen: 'full' }), { code: 'BAD_FIELD' });
  t.throws(() => parsePermissions({ ...good, shell: 'yes' }), { code: 'BAD_FIELD' });
  t.throws(() => parsePermissions({ ...good, fileTransfer: undefined }), { code: 'BAD_FIELD' });
  t.throws(() => parsePermissions({ ...good, allowedPaths: '/srv' }), { code: 'BAD_FIELD' });
  t.throws(() => parsePermissions({ ...good, allowedPaths: ['/srv/../etc'] }), { code: 'PATH_TRAVERSAL' });
  t.throws(() => parsePermissions({ ...good, allowedPaths: ['srv'] }), { code: 'PATH_NOT_ABSOLUTE' });
  t.throws(() => parsePermissions({ ...good, allowedPaths: [7] }), { code: 'PATH_NOT_ABSOLUTE' });
  t.throws(() => parsePermissions(null), { code: 'BAD_FIELD' });
  t.throws(() => parsePermissions([]), { code: 'BAD_FIELD' });
});

/** The plain statement of the rules, to hold the fast implementation to. */
function referenceProblem(p: string): string | undefined {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (p === '') return 'PATH_NOT_ABSOLUTE';
  if (p.includes('\u0000')) return 'PATH_NUL';
  if (bytes(p) > 4096) return 'PATH_TOO_LONG';
  if (!p.startsWith('/')) return 'PATH_NOT_ABSOLUTE';
  if (p === '/') return undefined;
  const segs = p.slice(1).split('/');
  if (segs.some((s) => s === '.' || s === '..')) return 'PATH_TRAVERSAL';
  if (segs.some((s) => s === '' || bytes(s) > 255)) return 'PATH_BAD_NAME';
  return undefined;
}

t.test('validateRemotePath matches the plain rules on arbitrary strings (unicode, lone surrogates, long names)', async () => {
  const piece = fc.oneof(
    fc.constantFrom('/', '//', '.', '..', '/./', '/../', '\u0000', 'ä', '€', '😀', '\ud800', '\udc00'),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
    fc.integer({ min: 80, max: 300 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 60, max: 140 }).map((n) => '€'.repeat(n)),
    fc.integer({ min: 1000, max: 1500 }).map((n) => 'é'.repeat(n)),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const p = parts.join('');
      return validateRemotePath(p)?.code === referenceProblem(p) && pathAllowed([], p) === (referenceProblem(p) === undefined);
    }),
    { numRuns: 3000 },
  );
});
