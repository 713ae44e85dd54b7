/**
 * The integration APIs (F33) against the real appliance, as a help desk
 * would call them: an administrator makes an API account (secret shown
 * once), the integration gets a token with client credentials, then uses
 * the command API (session key for a queue, reps, teams, chat, custom
 * attributes, transfer, terminate) and the reporting API. Refusals: no or
 * bad token, wrong secret, a regenerated secret revoking old tokens, a
 * disabled account, an account without the reporting permission, bad
 * parameters and unknown actions — each a clear XML error, nothing changed.
 */
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createTeam, createUser, joinCustomer, signInRep } from './helpers/rep.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = await adminAgent(app);
const aliceId = await createUser(admin, 'alice');
const tier1 = await createTeam(admin, 'Tier 1', [[aliceId, 'member']]);
const alice = await signInRep(app, 'alice');
const anon = new Agent(app.origin, app.caPem);

async function token(clientId: string, secret: string): Promise<{ status: number; body: any }> {
  const r = await anon.request('POST', '/oauth2/token', {
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return { status: r.status, body: r.json() };
}

function call(bearer: string, path: string, form?: Record<string, string>) {
  if (!form) return anon.request('GET', path, { headers: { authorization: `Bearer ${bearer}` } });
  return anon.request('POST', path, { headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
}

const created = await admin.post('/api/admin/api-accounts', { name: 'Helpdesk', command: true, reporting: true });
const account = created.json().account;
let secret: string = created.json().clientSecret;

t.test('the secret is shown once and never listed', async (t) => {
  t.equal(created.status, 201);
  t.match(secret, /^[A-Za-z0-9_-]{40,}$/);
  const list = (await admin.get('/api/admin/api-accounts')).json().accounts;
  t.equal(list.length, 1);
  t.notOk(JSON.stringify(list).includes(secret), 'not in the listing');
  t.notOk('secretHash' in list[0]);
  t.equal((await alice.agent.get('/api/admin/api-accounts')).status === 200, false, 'reps cannot see API accounts');
});

t.test('client credentials give a bearer token; wrong ones do not', async (t) => {
  const ok = await token(account.clientId, secret);
  t.equal(ok.status, 200);
  t.equal(ok.body.token_type, 'Bearer');
  t.equal(ok.body.expires_in, 3600);
  t.equal((await token(account.clientId, 'wrong-secret')).body.error, 'invalid_client');
  t.equal((await anon.request('POST', '/oauth2/token', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).status, 401, 'no credentials');
  const badGrant = await anon.request('POST', '/oauth2/token', {
    headers: { authorization: `Basic ${Buffer.from(`${account.clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=password',
  });
  t.equal(badGrant.json().error, 'unsupported_grant_type');
});

t.test('command API: a session key for a team, chat, attributes, transfer, terminate', async (t) => {
  const bearer = (await token(account.clientId, secret)).body.access_token;
  const key = await call(bearer, `/api/command?action=generate_session_key&type=support&queue_id=team:${tier1}&ttl=600`);
  t.equal(key.status, 200, key.text);
  t.match(key.headers['content-type'], /application\/xml/);
  const shortKey = /<short_key>(\d+)<\/short_key>/.exec(key.text)?.[1];
  t.ok(shortKey, 'a short key');
  t.match(key.text, /<key_url>https:\/\/[^<]+\/\?ak=[A-Za-z0-9_-]+<\/key_url>/);
  t.match(key.text, /<queue>Tier 1<\/queue>/);
  t.match(key.text, /<ttl>600<\/ttl>/);

  const customer = await joinCustomer(app, { key: shortKey, name: 'Paula' });
  const lsid: string = customer.joined.sessionId;
  const waiting = await alice.socket.next((m) => m.t === 'session' && m.session.id === lsid);
  t.equal(waiting.session.queueName, 'Tier 1', 'the session waits in the team queue');

  t.match((await call(bearer, '/api/command', { action: 'send_chat_message', lsid, body: 'Your ticket is #4711' })).text, /<success>/);
  const chat = await customer.socket.next((m) => m.t === 'chat' && m.msg.body === 'Your ticket is #4711');
  t.equal(chat.msg.from.kind, 'system', 'the customer sees it as a system line');

  t.match((await call(bearer, '/api/command', { action: 'set_session_attributes', lsid, 'session.custom.ticket_id': '4711' })).text, /<success>/);
  t.match((await call(bearer, `/api/command?action=get_session_attributes&lsid=${lsid}`)).text, /<custom_attribute code_name="ticket_id"><value>4711<\/value>/);
  const badAttr = await call(bearer, '/api/command', { action: 'set_session_attributes', lsid, 'session.custom.Bad-Name': 'x' });
  t.equal(badAttr.status, 400);

  const reps = await call(bearer, '/api/command?action=get_logged_in_reps');
  t.match(reps.text, new RegExp(`<rep id="${aliceId}"><display_name>Alice</display_name>`));
  t.match((await call(bearer, '/api/command?action=get_support_teams')).text, /<support_team id="[^"]+"><name>Tier 1<\/name>/);

  t.match((await call(bearer, '/api/command', { action: 'transfer_session', lsid, queue_id: 'rep_username:alice' })).text, /<success>/);
  const moved = await alice.socket.next((m) => m.t === 'session' && m.session.id === lsid && m.session.queueKind === 'personal');
  t.equal(moved.session.queueName, 'Alice');

  t.match((await call(bearer, '/api/command', { action: 'terminate_session', lsid })).text, /<success>/);
  t.equal((await customer.socket.next((m) => m.t === 'end')).reason, 'ended', 'the customer is told');

  const report = await call(bearer, `/api/reporting?generate_report=SupportSession&lsid=${lsid}`);
  t.equal(report.status, 200);
  t.match(report.text, new RegExp(`<session lsid="${lsid}">`));
  t.match(report.text, /<username>Paula<\/username>/);
  t.match(report.text, /event_type="Chat Message"><performed_by type="system">System<\/performed_by><body>Your ticket is #4711<\/body>/);
  t.match(report.text, /API: Helpdesk transferred the session to Alice/);
  t.match(report.text, /API: Helpdesk ended the session/);
  t.match(report.text, /<custom_attribute code_name="ticket_id"><value>4711<\/value>/);
  const today = new Date().toISOString().slice(0, 10);
  const listing = await call(bearer, `/api/reporting?generate_report=SupportSessionListing&start_date=${today}&duration=0`);
  t.match(listing.text, new RegExp(`<session_summary lsid="${lsid}">`));
});

t.test('refusals are clear XML errors and change nothing', async (t) => {
  const bearer = (await token(account.clientId, secret)).body.access_token;
  t.equal((await call('x'.repeat(40), '/api/command?action=get_api_info')).status, 401, 'unknown token');
  t.equal((await anon.get('/api/command?action=get_api_info')).status, 401, 'no token');
  const unknown = await call(bearer, '/api/command?action=drop_database');
  t.equal(unknown.status, 400);
  t.match(unknown.text, /<error>unknown action: drop_database<\/error>/);
  t.equal((await call(bearer, '/api/command?action=generate_session_key&queue_id=team:nope')).status, 400);
  t.equal((await call(bearer, '/api/command?action=generate_session_key&queue_id=general&ttl=5')).status, 400, 'ttl too short');
  t.equal((await call(bearer, '/api/command?action=terminate_session&lsid=AAAAAAAAAAAAAAAAAAAAAA')).status, 404);
  t.equal((await call(bearer, '/api/command?action=join_session&lsid=AAAAAAAAAAAAAAAAAAAAAA')).status, 400, 'API accounts do not join');
  t.match((await call(bearer, '/api/command?action=generate_session_key&queue_id=general&ttl=60<script>')).text, /&lt;|ttl must be/, 'input is never echoed unescaped');

  // Reporting permission off: the command API still works, reporting does not.
  await admin.patch(`/api/admin/api-accounts/${account.id}`, { reporting: false });
  t.equal((await call(bearer, '/api/reporting?generate_report=SupportTeam')).status, 403);
  t.equal((await call(bearer, '/api/command?action=get_api_info')).status, 200);
  await admin.patch(`/api/admin/api-accounts/${account.id}`, { reporting: true });

  // A new secret revokes every token of the old one.
  secret = (await admin.post(`/api/admin/api-accounts/${account.id}/secret`)).json().clientSecret;
  t.equal((await call(bearer, '/api/command?action=get_api_info')).status, 401, 'the old token is revoked');
  const fresh = (await token(account.clientId, secret)).body.access_token;
  t.equal((await call(fresh, '/api/command?action=check_health')).status, 200);

  await admin.patch(`/api/admin/api-accounts/${account.id}`, { enabled: false });
  t.equal((await call(fresh, '/api/command?action=check_health')).status, 401, 'a disabled account is refused');
  t.equal((await token(account.clientId, secret)).status, 401);
});
