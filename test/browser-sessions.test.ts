/**
 * Support sessions in real Chromium against the real appliance (F7–F11,
 * F20, F21, F27, F30): Rep A creates a session key in the console and copies
 * it; a customer joins with it over a raw customer socket; the popup's Show
 * leads to the session, Rep A accepts and chats both ways; a message that
 * arrives while Rep A is on Home marks the Sessions drop-down; Rep A
 * transfers to a team queue, Rep B (second browser) accepts it there, Rep A
 * sees the owner-only actions greyed out, Rep B ends it and the customer is
 * told. The portal's issue form and click-to-chat run in Chromium too, and
 * the key's invitation goes through a real SMTP server on 127.0.0.1. No page
 * may log a CSP violation. Screenshots go to /tmp for review.
 */
import t from 'tap';
import type { BrowserContext, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { launchTrusting } from './helpers/browser.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createTeam, createUser, joinCustomer } from './helpers/rep.ts';

const SCREENSHOT_DIR = '/tmp';

t.test('sessions in the browser: console, portal and click-to-chat', async (t) => {
  const app = await startAppliance();
  t.teardown(async () => {
    if (!t.passing()) t.comment(app.output().slice(-4000));
    await app.stop();
  });
  const admin = await adminAgent(app);
  const aliceId = await createUser(admin, 'alice');
  const bobId = await createUser(admin, 'bob');
  await createTeam(admin, 'Tier 1', [[aliceId, 'member'], [bobId, 'member']]);
  const escalation = await createTeam(admin, 'Escalation', [[bobId, 'member']]);
  t.equal((await admin.post('/api/admin/issues', { codeName: 'printer', description: 'Printer problems', teamId: escalation })).status, 201);

  const mails: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => {
        mails.push(text);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  const smtpPort = (smtp.server.address() as { port: number }).port;
  t.equal((await admin.put('/api/admin/settings/smtp', { host: '127.0.0.1', port: smtpPort, security: 'none', from: 'support@example.test' })).status, 200);

  const chromium = await launchTrusting(app.caPem);
  t.teardown(() => chromium.close());
  const { origin } = app;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const watch = (page: Page, name: string): Page => {
    page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(`${name}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
    return page;
  };
  const newContext = (): Promise<BrowserContext> => chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const aliceKey = async (): Promise<{ shortKey: string }> => {
    const agent = new Agent(origin, app.caPem);
    agent.cookies.set('__Host-rd_console', (await aCtx.cookies(origin)).find((c) => c.name === '__Host-rd_console')!.value);
    agent.csrf = await repA.evaluate(async () => (await (await fetch('/api/console/me', { headers: { 'X-Requested-With': 'relaydesk' } })).json()).csrf);
    return (await agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  };
  const signIn = async (page: Page, username: string): Promise<void> => {
    await page.goto(`${origin}/console`);
    await page.fill('#login-username', username);
    await page.fill('#login-password', `${username}-password`);
    await page.click('#login-submit');
    await page.locator('#link-state[data-state="online"]').waitFor();
  };

  const aCtx = await newContext();
  await aCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const repA = watch(await aCtx.newPage(), 'repA');
  const bCtx = await newContext();
  const repB = watch(await bCtx.newPage(), 'repB');
  await signIn(repA, 'alice');
  await signIn(repB, 'bob');

  let key = '';
  await t.test('Start New Session: a 7-digit key that copies, and server email', async (t) => {
    await repA.click('#start-session');
    const dialog = repA.locator('[data-testid="start-session-dialog"]');
    await dialog.waitFor();
    await repA.click('#key-generate');
    await repA.locator('#key-short').waitFor();
    key = (await repA.textContent('#key-short')) ?? '';
    t.match(key, /^\d{7}$/, 'a 7-digit key');
    t.match(await repA.textContent('#key-url'), /\/\?ak=[A-Za-z0-9_-]{20,}$/);
    t.match(await repA.getAttribute('#key-mailto', 'href'), /^mailto:\?subject=/);
    await repA.click('#key-short');
    await repA.locator('#key-copy-status', { hasText: 'Copied' }).waitFor();
    t.equal(await repA.evaluate(() => navigator.clipboard.readText()), key, 'the key is on the clipboard');
    await repA.fill('#key-email-to', 'cora@example.test');
    await repA.click('#key-send-email');
    await repA.locator('#key-mail-status.ok').waitFor();
    t.equal(mails.length, 1, 'the SMTP sink got one message');
    t.match(mails[0], key, 'the key is in the mail');
    await repA.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  let customer: Awaited<ReturnType<typeof joinCustomer>>;
  await t.test('a customer joins with the key: popup, Show, details, Accept', async (t) => {
    customer = await joinCustomer(app, { key, name: 'Cora', hostname: 'cora-pc', os: 'Linux', privateIps: ['10.0.0.7'] });
    const popup = repA.locator('.popup', { hasText: 'Cora' });
    await popup.waitFor();
    const box = await popup.boundingBox();
    t.ok(box && box.x < 100 && box.y > 500, 'the popup sits bottom left');
    await repA.locator('.queue-item[data-kind="personal"] .count.lit', { hasText: '1' }).waitFor();
    await repA.screenshot({ path: `${SCREENSHOT_DIR}/relaydesk-home-waiting.png` });
    await popup.locator('[data-action="show"]').click();
    await repA.locator('#session-facts').waitFor();
    t.match(await repA.textContent('#session-facts'), /Cora.*cora-pc.*Linux.*10\.0\.0\.7.*Session key/s);
    const row = repA.locator('.session-row', { hasText: 'Cora' });
    t.match(await row.textContent(), /Client.*Cora.*Personal.*Waiting/s);
    await repA.click('#accept-session');
    await repA.locator('.session-view:not([hidden]) h1', { hasText: 'Session with Cora' }).waitFor();
    await repA.locator('.session-view:not([hidden]) [data-testid="customer-presence"]', { hasText: 'Customer connected' }).waitFor();
    await repA.locator('.session-view:not([hidden]) .event-line[data-kind="accepted"]', { hasText: 'Alice accepted' }).waitFor();
    t.match(await repA.textContent('#sessions-button'), /Sessions\s*1/);
  });

  await t.test('chat both ways; unread mark while on Home', async (t) => {
    const view = repA.locator('.session-view:not([hidden])');
    customer.socket.send({ t: 'chat', body: 'My printer is on fire' });
    await view.locator('.chat-line', { hasText: 'My printer is on fire' }).waitFor();
    await view.locator('.chat-input').fill('Please step away from it');
    await view.locator('.chat-input').press('Enter');
    const got = await customer.socket.next((m) => m.t === 'chat' && m.msg.body === 'Please step away from it');
    t.same(got.msg.from.kind, 'rep');
    await view.locator('.chat-line.mine', { hasText: 'Please step away' }).waitFor();
    await repA.screenshot({ path: `${SCREENSHOT_DIR}/relaydesk-session-view.png` });

    await repA.click('#nav-home');
    customer.socket.send({ t: 'chat', body: 'It stopped' });
    await repA.locator('#sessions-unread:not([hidden])').waitFor();
    await repA.click('#sessions-button');
    const item = repA.locator('.sessions-item', { hasText: 'Cora' });
    t.match(await item.textContent(), /1/);
    await item.click();
    await view.locator('.chat-line', { hasText: 'It stopped' }).waitFor();
    await repA.locator('#sessions-unread[hidden]').waitFor({ state: 'attached' });
    t.equal(await view.locator('.chat-input').inputValue(), '', 'the view came back as it was');
  });

  await t.test('transfer to a team queue; Rep B accepts; Rep A loses the owner actions; Rep B ends', async (t) => {
    const view = repA.locator('.session-view:not([hidden])');
    await view.locator('[data-action="transfer"]').click();
    const dialog = repA.locator('[data-testid="transfer-dialog"]');
    await dialog.locator('label', { hasText: 'Escalation' }).click();
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'detached' });

    await repB.locator('.popup', { hasText: 'Cora' }).locator('[data-action="show"]').click();
    t.match(await repB.textContent('#queue-title'), /Escalation/);
    await repB.click('#accept-session');
    const bView = repB.locator('.session-view:not([hidden])');
    await bView.locator('h1', { hasText: 'Session with Cora' }).waitFor();
    await bView.locator('.chat-line', { hasText: 'My printer is on fire' }).waitFor();
    t.pass('Rep B sees the chat history');

    await view.locator('[data-action="end"][aria-disabled="true"]').waitFor();
    t.equal(await view.locator('[data-action="pause"]').getAttribute('aria-disabled'), 'true');
    t.equal(await view.locator('[data-action="transfer"]').getAttribute('aria-disabled'), 'true');
    t.equal(await view.locator('[data-action="leave"]').isVisible(), true, 'Rep A may leave instead');
    await view.locator('.event-line[data-kind="transferred"]', { hasText: 'to Escalation' }).waitFor();

    await bView.locator('[data-action="end"]').click();
    await repB.locator('[data-testid="end-dialog"] button.danger').click();
    const end = await customer.socket.next((m) => m.t === 'end');
    t.equal(end.reason, 'ended');
    await repA.locator('#console-notice', { hasText: 'The session has ended' }).waitFor();
    await repA.locator('#console-home:not([hidden])').waitFor();
    t.match(await repA.textContent('#sessions-button'), /Sessions\s*0/);
  });

  const custCtx = await newContext();
  const portal = watch(await custCtx.newPage(), 'portal');

  await t.test('portal: a wrong key is refused clearly; a good key leads to the download and command', async (t) => {
    await portal.goto(origin);
    await portal.fill('#portal-key', '0000001');
    await portal.press('#portal-key', 'Enter');
    await portal.locator('#portal-key-error', { hasText: 'not valid' }).waitFor();
    const fresh = (await aliceKey()).shortKey;
    await portal.fill('#portal-key', fresh);
    await portal.click('#portal-key-submit');
    await portal.locator('#download-link').waitFor();
    t.equal(await portal.textContent('#download-command'), `node relaydesk-client.mjs --key ${fresh}`);
    t.match(await portal.textContent('#download-sha'), /^[0-9a-f]{64}$/);
    await portal.screenshot({ path: `${SCREENSHOT_DIR}/relaydesk-portal.png`, fullPage: true });
  });

  await t.test('portal: the issue form lands in that team queue', async (t) => {
    await portal.goto(origin);
    await portal.selectOption('#portal-issue-choice', 'printer');
    await portal.fill('#portal-issue-name', 'Pia');
    await portal.fill('#portal-issue-details', 'Paper jam');
    await portal.click('#portal-issue-client');
    await portal.locator('#download-link').waitFor();
    const href = await portal.getAttribute('#download-link', 'href');
    t.match(href, /^blob:/);
    // The customer runs the per-session client; its socket presents the token in the file.
    const token = await portal.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('?ak='))?.split('?ak=')[1] ?? '');
    const pia = await joinCustomer(app, { token, hostname: 'pia-pc' });
    await repB.locator('.popup', { hasText: 'Pia' }).locator('[data-action="show"]').click();
    t.match(await repB.textContent('#queue-title'), /Escalation/);
    t.match(await repB.textContent('#session-facts'), /Pia.*Paper jam.*Printer problems/s);
    pia.socket.ws.close();
  });

  await t.test('click-to-chat from the portal: [Browser] in the queue, chat both ways, survives a reload', async (t) => {
    await portal.goto(origin);
    await portal.selectOption('#portal-rep-choice', { label: 'Alice' });
    await portal.fill('#portal-rep-name', 'Bea');
    await portal.click('#portal-rep-chat');
    await portal.locator('#chat-state', { hasText: 'Waiting for a support technician' }).waitFor();
    await repA.locator('.popup', { hasText: 'Bea' }).locator('[data-action="show"]').click();
    const row = repA.locator('.session-row', { hasText: 'Bea' });
    t.match(await row.textContent(), /\[Browser\]/);
    await repA.click('#accept-session');
    await portal.locator('#chat-state', { hasText: 'Alice joined' }).waitFor();
    await portal.fill('#customer-chat-input', 'Hello from the browser');
    await portal.press('#customer-chat-input', 'Enter');
    const view = repA.locator('.session-view:not([hidden])');
    await view.locator('.chat-line', { hasText: 'Hello from the browser' }).waitFor();
    await portal.reload();
    await portal.locator('#chat-state', { hasText: 'Alice joined' }).waitFor();
    await portal.locator('.chat-line', { hasText: 'Hello from the browser' }).waitFor();
    await view.locator('.chat-input').fill('Welcome back');
    await view.locator('.chat-input').press('Enter');
    await portal.locator('.chat-line', { hasText: 'Welcome back' }).waitFor();
    // Elevation (F26): the rep offers the full client; the chat page shows the download for this session.
    await view.locator('[data-action="elevate"]').click();
    await portal.locator('#elevate-offer:not([hidden])').waitFor();
    t.match(await portal.getAttribute('#elevate-download', 'href'), /^\/download\/relaydesk-client\.mjs\?ak=/, 'the page offers a download for this session');
    await view.locator('[data-action="end"]').click();
    await repA.locator('[data-testid="end-dialog"] button.danger').click();
    await portal.locator('#chat-state', { hasText: 'The chat has ended' }).waitFor();
    t.equal(await portal.evaluate(() => sessionStorage.getItem('relaydesk.chat.resume')), null, 'the resume secret is gone');
  });

  await t.test('admin: portal issues, mail server and grace period pages', async (t) => {
    const adminCtx = await newContext();
    t.teardown(() => adminCtx.close());
    const page = watch(await adminCtx.newPage(), 'admin');
    await page.goto(`${origin}/login`);
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', ADMIN_PASSWORD);
    await page.click('#login-submit');
    await page.waitForURL(`${origin}/account`);
    await page.click('[data-testid="nav-issues"]');
    await page.locator('[data-testid="issue-printer"]').waitFor();
    await page.fill('#new-issue-code', 'vpn');
    await page.fill('#new-issue-description', 'VPN trouble');
    await page.selectOption('#new-issue-team', { label: 'Tier 1' });
    await page.press('#new-issue-description', 'Enter');
    await page.locator('[data-testid="issue-vpn"]', { hasText: 'Tier 1' }).waitFor();
    const offered = (await admin.get('/api/portal/info')).json().issues.map((i: { codeName: string }) => i.codeName).sort();
    t.same(offered, ['printer', 'vpn'], 'the portal offers it');
    await page.locator('[data-testid="issue-vpn"] [data-action="delete"]').click();
    await page.locator('[data-testid="issue-vpn"]').waitFor({ state: 'detached' });

    await page.click('[data-testid="nav-mail"]');
    await page.waitForFunction(() => (document.getElementById('mail-host') as HTMLInputElement | null)?.value === '127.0.0.1', undefined, { polling: 50 });
    t.match(await page.textContent('#mail-password-state'), /No password/);
    await page.fill('#mail-password', 'smtp-secret');
    await page.click('#save-mail');
    await page.locator('#mail-password-state', { hasText: 'A password is stored' }).waitFor();
    t.equal(await page.inputValue('#mail-password'), '', 'the password is never shown back');

    await page.click('[data-testid="nav-security"]');
    await page.waitForFunction(() => (document.getElementById('rep-grace') as HTMLInputElement | null)?.disabled === false, undefined, { polling: 50 });
    await page.fill('#rep-grace', '45');
    await page.click('#save-grace');
    await page.locator('.notice-success', { hasText: 'grace period' }).waitFor();
    t.equal((await admin.get('/api/admin/settings/sessions')).json().repGraceSeconds, 45);

    // Session reports: find Cora's session, read its events and chat, and the text download link.
    await page.click('[data-testid="nav-reports"]');
    await page.waitForURL(`${origin}/reports`);
    await page.fill('#report-q', 'cora-pc');
    await page.click('#report-search');
    await page.locator('#report-table[aria-busy="false"]').waitFor();
    const row = page.locator('#report-table tbody tr', { hasText: 'Cora (cora-pc)' });
    await row.waitFor();
    t.equal(await page.locator('#report-table tbody tr').count(), 1, 'the search finds exactly her session');
    await row.locator('[data-action="open"]').click();
    await page.locator('#report-detail').waitFor();
    t.match(await page.textContent('#report-chat'), /My printer is on fire[\s\S]*Please step away from it[\s\S]*It stopped/, 'the whole chat, in order');
    t.match(await page.textContent('#report-events'), /accepted the session/);
    t.match(await page.textContent('#report-events'), /ended the session/);
    const href = await page.getAttribute('#report-download', 'href');
    const text = await admin.get(href!);
    t.match(text.text, /Cora: My printer is on fire/, 'the download link serves the report as text');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/relaydesk-reports.png`, fullPage: true });

    // API accounts: the secret is shown once, and it works at /oauth2/token.
    await page.click('[data-testid="nav-api"]');
    await page.fill('#api-name', 'Ticket system');
    await page.click('#create-api');
    await page.locator('#api-client-secret').waitFor();
    const clientId = (await page.textContent('#api-client-id'))!;
    const secret = (await page.textContent('#api-client-secret'))!;
    const tok = await new Agent(origin, app.caPem).request('POST', '/oauth2/token', {
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    t.equal(tok.json().token_type, 'Bearer', 'the secret from the page signs the integration in');
    await page.reload();
    await page.locator('#api-table tbody tr', { hasText: 'Ticket system' }).waitFor();
    t.equal(await page.locator('#api-client-secret').count(), 0, 'after a reload the secret is gone for good');

    await page.click('[data-testid="nav-webhooks"]');
    await page.locator('#webhook-event-ended').waitFor();
    await page.fill('#webhook-url', 'https://127.0.0.1:9/hook');
    await page.check('#webhook-event-ended');
    await page.click('#create-webhook');
    const hookRow = page.locator('#webhook-table tbody tr', { hasText: 'https://127.0.0.1:9/hook' });
    await hookRow.waitFor();
    t.match(await hookRow.textContent(), /ended/, 'the webhook lists its one event');
    t.same((await admin.get('/api/admin/webhooks')).json().webhooks.map((w: { events: string[] }) => w.events), [['ended']]);

    await page.click('[data-testid="nav-status"]');
    await page.locator('#status-facts[aria-busy="false"]').waitFor();
    t.match(await page.textContent('[data-testid="status-cert-names"]'), /127\.0\.0\.1/, 'the status page shows the certificate names');
    t.match(await page.textContent('[data-testid="status-reps"]'), /^\d+$/);
  });

  t.same(cspViolations, [], 'no Content-Security-Policy violations');
  t.same(pageErrors, [], 'no uncaught page errors');
});
