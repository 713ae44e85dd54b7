/**
 * Sets up N chat pairs on the real appliance — N reps (their own users,
 * each signed in at the console with a live console socket) and N customers
 * joined with a session key of their rep, accepted — and exposes them as
 * `ChatPair`s: the customer chats on `/ws/customer`, the rep with console
 * `chat` requests; each side hears the other through the appliance's
 * pub/sub (own echoes are skipped).
 */
import { ADMIN_PASSWORD, type RunningAppliance } from '../../test/helpers/appliance.ts';
import { Agent } from '../../test/helpers/http.ts';
import type { ChatPair } from './chat-load.ts';
import { openJsonSocket, type JsonSocket } from './sockets.ts';

export interface ApplianceChat {
  readonly pairs: ChatPair[];
  close(): void;
}

export async function adminAgent(app: RunningAppliance): Promise<Agent> {
  const admin = new Agent(app.origin, app.caPem);
  if ((await admin.signIn('admin', ADMIN_PASSWORD)).status !== 200) throw new Error('admin sign-in failed');
  await admin.put('/api/admin/settings/security', { allowWebConsole: true });
  return admin;
}

/** Creates rep `username` and signs it in at the console; returns its agent. */
export async function consoleAgent(app: RunningAppliance, admin: Agent, username: string): Promise<Agent> {
  const password = `${username}-bench-password`;
  const r = await admin.post('/api/admin/users', { username, displayName: username, password });
  if (r.status !== 201) throw new Error(r.text);
  const agent = new Agent(app.origin, app.caPem);
  const s = await agent.signIn(username, password, 'console');
  if (s.status !== 200) throw new Error(s.text);
  return agent;
}

export async function sessionKey(agent: Agent): Promise<string> {
  const r = await agent.post('/api/console/session-keys', { ttlMinutes: 60 });
  if (r.status !== 200 && r.status !== 201) throw new Error(r.text);
  return r.json().shortKey;
}

export async function setUpApplianceChat(app: RunningAppliance, admin: Agent, n: number): Promise<ApplianceChat> {
  const wss = app.origin.replace(/^https/, 'wss');
  const sockets: JsonSocket[] = [];
  let rid = 1;
  const pairs = await Promise.all(
    Array.from({ length: n }, async (_, i): Promise<ChatPair> => {
      const agent = await consoleAgent(app, admin, `chatrep${i}`);
      const rep = await openJsonSocket(`${wss}/ws/console`, app.caPem, { cookie: `__Host-rd_console=${agent.cookies.get('__Host-rd_console')}` });
      const welcome = rep.next((m) => m.t === 'welcome');
      rep.send({ t: 'hello', v: 1 });
      await welcome;
      const key = await sessionKey(agent);
      const customer = await openJsonSocket(`${wss}/ws/customer`, app.caPem);
      const joinedP = customer.next((m) => m.t === 'joined' || m.t === 'error');
      customer.send({ t: 'hello', v: 1, key, name: `customer${i}` });
      const joined = await joinedP;
      if (joined.t !== 'joined') throw new Error(`customer ${i}: ${joined.code}`);
      const sessionId: string = joined.sessionId;
      const accept = rid++;
      const acked = rep.next((m) => m.rid === accept);
      rep.send({ t: 'accept', rid: accept, sessionId });
      if ((await acked).t !== 'ack') throw new Error(`rep ${i} could not accept`);
      sockets.push(rep, customer);
      return {
        customer: {
          send: (body) => customer.send({ t: 'chat', body }),
          onBody: (cb) => customer.onMessage((m) => m.t === 'chat' && m.msg?.from?.kind === 'rep' && cb(m.msg.body)),
        },
        rep: {
          send: (body) => rep.send({ t: 'chat', rid: rid++, sessionId, body }),
          onBody: (cb) => rep.onMessage((m) => m.t === 'chat' && m.sessionId === sessionId && m.msg?.from?.kind === 'customer' && cb(m.msg.body)),
        },
      };
    }),
  );
  return { pairs, close: () => sockets.forEach((s) => s.ws.terminate()) };
}
