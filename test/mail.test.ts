/**
 * "Send server email" (F10) through a real SMTP server on 127.0.0.1 with
 * STARTTLS and a login: the invitation arrives with the key and its link;
 * without settings the console gets a clear code; a mail server whose
 * certificate is not trusted is refused rather than used blindly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { SMTPServer } from 'smtp-server';
import { ensureCertificatesSync } from '../certs/ca.ts';
import { startAppliance } from './helpers/appliance.ts';
import { adminAgent, createUser, signInRep } from './helpers/rep.ts';

const certDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-smtp-'));
t.teardown(() => rmSync(certDir, { recursive: true, force: true }));
const mailCerts = ensureCertificatesSync(certDir, ['localhost', '127.0.0.1']);

const received: Array<{ from: string; to: string[]; data: string; user: string }> = [];
const server = new SMTPServer({
  key: readFileSync(mailCerts.serverKey),
  cert: readFileSync(mailCerts.serverCert),
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, _session, cb) {
    if (auth.username === 'appliance' && auth.password === 'mail-secret') cb(null, { user: 'appliance' });
    else cb(new Error('bad credentials'));
  },
  onData(stream, session, cb) {
    let data = '';
    stream.on('data', (c: Buffer) => (data += c.toString()));
    stream.on('end', () => {
      received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data, user: String(session.user) });
      cb();
    });
  },
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => server.close(() => r())));
const smtpPort = (server.server.address() as AddressInfo).port;

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = await adminAgent(app);
await createUser(admin, 'mara');
const rep = await signInRep(app, 'mara');

t.test('without mail settings the console gets SMTP_NOT_CONFIGURED', async (t) => {
  const key = (await rep.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const r = await rep.agent.post('/api/console/session-keys/email', { token: key.token, to: 'cust@example.test' });
  t.equal(r.json().error.code, 'SMTP_NOT_CONFIGURED');
});

t.test('an untrusted mail server certificate is refused', async (t) => {
  await admin.put('/api/admin/settings/smtp', { host: '127.0.0.1', port: smtpPort, security: 'starttls', username: 'appliance', password: 'mail-secret', from: 'support@example.test' });
  const key = (await rep.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const r = await rep.agent.post('/api/console/session-keys/email', { token: key.token, to: 'cust@example.test' });
  t.equal(r.json().error.code, 'SMTP_FAILED');
  t.equal(received.length, 0, 'nothing was sent');
});

t.test('with STARTTLS, the mail server CA and a login, the invitation arrives', async (t) => {
  await admin.put('/api/admin/settings/smtp', { host: '127.0.0.1', port: smtpPort, security: 'starttls', username: 'appliance', from: 'support@example.test', caPem: mailCerts.caCertPem });
  const stored = (await admin.get('/api/admin/settings/smtp')).json().smtp;
  t.equal(stored.password, undefined, 'the password is never sent back');
  t.equal(stored.hasPassword, true, 'an omitted password keeps the stored one');
  const key = (await rep.agent.post('/api/console/session-keys', { ttlMinutes: 10, lang: 'de' })).json();
  const r = await rep.agent.post('/api/console/session-keys/email', { token: key.token, to: 'cust@example.test', lang: 'de' });
  t.equal(r.status, 200, r.text);
  t.equal(received.length, 1);
  const mail = received[0]!;
  t.same(mail.to, ['cust@example.test']);
  t.equal(mail.from, 'support@example.test');
  t.equal(mail.user, 'appliance');
  const body = mail.data.replace(/=\r?\n/g, '');
  t.match(body, key.shortKey, 'the key is in the mail');
  t.match(body, /Support-Sitzung/, 'in the language the rep asked for');
  t.match(body, key.token.slice(0, 12), 'and the link with its token');

  const other = await signInRep(app, 'admin');
  const r2 = await other.agent.post('/api/console/session-keys/email', { token: key.token, to: 'x@example.test' });
  t.equal(r2.json().error.code, 'KEY_UNKNOWN', 'another rep cannot mail someone else’s key');
  t.equal((await rep.agent.post('/api/console/session-keys/email', { token: key.token, to: 'not an address' })).json().error.code, 'BAD_FIELD');
});

t.test('the stored mail password can be removed explicitly; issue code names are unique', async (t) => {
  await admin.put('/api/admin/settings/smtp', { host: '127.0.0.1', port: smtpPort, security: 'starttls', from: 'support@example.test', clearPassword: true });
  t.equal((await admin.get('/api/admin/settings/smtp')).json().smtp.hasPassword, false);
  const team = (await admin.post('/api/admin/teams', { name: 'Mail team' })).json().team.id;
  t.equal((await admin.post('/api/admin/issues', { codeName: 'mail', description: 'Mail', teamId: team })).status, 201);
  t.equal((await admin.post('/api/admin/issues', { codeName: 'mail', description: 'Other', teamId: team })).json().error.code, 'NAME_TAKEN');
});
