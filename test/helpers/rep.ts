/**
 * Test helpers for the rep side: an admin that sets things up, reps signed
 * into the console with their live socket, and request/ack over that socket.
 */
import { ADMIN_PASSWORD, type RunningAppliance } from './appliance.ts';
import { Agent } from './http.ts';
import { openSocket, type TestSocket } from './ws.ts';

export interface Rep {
  readonly id: string;
  readonly agent: Agent;
  readonly socket: TestSocket;
  readonly welcome: any;
  /** Sends a request with a fresh rid and resolves with its ack or error. */
  request(msg: Record<string, unknown>): Promise<any>;
}

let rid = 1;

export async function adminAgent(app: RunningAppliance): Promise<Agent> {
  const admin = new Agent(app.origin, app.caPem);
  const r = await admin.signIn('admin', ADMIN_PASSWORD);
  if (r.status !== 200) throw new Error(r.text);
  await admin.put('/api/admin/settings/security', { allowWebConsole: true });
  return admin;
}

export async function createUser(admin: Agent, username: string): Promise<string> {
  const r = await admin.post('/api/admin/users', { username, displayName: username[0]!.toUpperCase() + username.slice(1), password: `${username}-password` });
  if (r.status !== 201) throw new Error(r.text);
  return r.json().user.id;
}

export async function createTeam(admin: Agent, name: string, members: Array<[string, 'member' | 'lead' | 'manager']>): Promise<string> {
  const r = await admin.post('/api/admin/teams', { name, members: members.map(([userId, role]) => ({ userId, role })) });
  if (r.status !== 201) throw new Error(r.text);
  return r.json().team.id;
}

export async function consoleSocket(app: RunningAppliance, agent: Agent): Promise<{ socket: TestSocket; welcome: any }> {
  const socket = await openSocket(app.origin, app.caPem, '/ws/console', `__Host-rd_console=${agent.cookies.get('__Host-rd_console')}`);
  socket.send({ t: 'hello', v: 1 });
  const welcome = await socket.next((m) => m.t === 'welcome');
  return { socket, welcome };
}

export async function signInRep(app: RunningAppliance, username: string): Promise<Rep> {
  const agent = new Agent(app.origin, app.caPem);
  const r = await agent.signIn(username, username === 'admin' ? ADMIN_PASSWORD : `${username}-password`, 'console');
  if (r.status !== 200) throw new Error(r.text);
  const { socket, welcome } = await consoleSocket(app, agent);
  return {
    id: welcome.user.id,
    agent,
    socket,
    welcome,
    async request(msg) {
      const id = rid++;
      socket.send({ ...msg, rid: id });
      return socket.next((m) => typeof m.rid === 'number' && m.rid === id);
    },
  };
}

/** A customer on /ws/customer that joined with `hello` fields; resolves with its socket and `joined`. */
export async function joinCustomer(app: RunningAppliance, hello: Record<string, unknown>): Promise<{ socket: TestSocket; joined: any }> {
  const socket = await openSocket(app.origin, app.caPem, '/ws/customer', '');
  socket.send({ t: 'hello', v: 1, ...hello });
  const joined = await socket.next((m) => m.t === 'joined' || m.t === 'error');
  if (joined.t === 'error') throw Object.assign(new Error(joined.code), { code: joined.code });
  return { socket, joined };
}
