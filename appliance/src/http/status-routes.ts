/**
 * Appliance status for administrators (F31 "status"): what is connected
 * right now, open sessions, process health and the certificates customers
 * pin. `GET /api/admin/status`, read-only.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.ts';
import type { TemplatedApp } from '../uws.ts';
import { route } from './kit.ts';

export interface ApplianceStatus {
  version: string;
  startedAt: number;
  uptimeSeconds: number;
  node: string;
  memory: { rssBytes: number; heapUsedBytes: number };
  connections: { consoles: number; repsOnline: number; customers: number; channels: number };
  sessions: { waiting: number; active: number };
  storeBytes: number;
  certificate: { names: string[]; notAfter: number; serverSpkiSha256: string; caSpkiSha256: string };
}

const STARTED_AT = Date.now();

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export function mountStatusRoutes(app: TemplatedApp, ctx: Context, version: string): void {
  route(app, ctx, 'get', '/api/admin/status', (req, reply) => {
    ctx.auth.requireAdmin(req);
    const cert = new X509Certificate(readFileSync(ctx.certs.serverCert));
    const names = (cert.subjectAltName ?? '')
      .split(/,\s*/)
      .map((n) => n.replace(/^(DNS|IP Address):/, ''))
      .filter(Boolean);
    const mem = process.memoryUsage();
    const status: ApplianceStatus = {
      version,
      startedAt: STARTED_AT,
      uptimeSeconds: Math.round(process.uptime()),
      node: process.version,
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
      connections: { consoles: ctx.hub.count, repsOnline: ctx.hub.onlineUsers().length, customers: ctx.customers.count, channels: ctx.channels.count },
      sessions: ctx.sessions.openCounts(),
      storeBytes: fileSize(path.join(ctx.options.data, 'db', 'data.mdb')),
      certificate: { names, notAfter: Date.parse(cert.validTo), serverSpkiSha256: ctx.certs.serverSpkiSha256, caSpkiSha256: ctx.certs.caSpkiSha256 },
    };
    reply.json(200, status);
  });
}
