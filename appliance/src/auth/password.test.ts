/** Password hashing: right and wrong passwords, salts, the stored format, malformed hashes. */
import t from 'tap';
import { hashPassword, verifyPassword } from './password.ts';

t.test('a hash verifies its own password and no other', async (t) => {
  const h = await hashPassword('correct horse battery');
  t.match(h, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.equal(await verifyPassword('correct horse battery', h), true);
  t.equal(await verifyPassword('correct horse batterY', h), false);
  t.equal(await verifyPassword('', h), false);
});

t.test('the same password hashes differently each time (random salt)', async (t) => {
  t.not(await hashPassword('same password!'), await hashPassword('same password!'));
});

t.test('Unicode compatibility forms compare equal (NFKC)', async (t) => {
  const h = await hashPassword('ﬁle-cabinet-key');
  t.equal(await verifyPassword('file-cabinet-key', h), true);
});

t.test('malformed or hostile stored hashes never verify and never throw', async (t) => {
  for (const bad of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$10$x$y$z$w', 'scrypt$abc$8$1$AAAA$AAAA', `scrypt$${2 ** 30}$8$1$AAAA$AAAA`]) {
    t.equal(await verifyPassword('anything at all', bad), false, JSON.stringify(bad));
  }
});
