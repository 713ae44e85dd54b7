/**
 * Sends mail through the SMTP server configured in the admin UI (nodemailer).
 * TLS to the mail server is verified against the system roots plus the CA
 * the admin may paste for an in-house server; there is no "ignore" switch.
 */
import nodemailer from 'nodemailer';
import { AppError } from '../../../common/errors.ts';
import type { SettingsStore } from '../store/settings.ts';

/** Give up on a mail server that does not answer within 15 s. */
const SMTP_TIMEOUT_MS = 15_000;

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export class Mailer {
  constructor(private readonly settings: SettingsStore) {}

  async send(mail: Mail): Promise<void> {
    const smtp = this.settings.smtp();
    if (!smtp) throw new AppError('SMTP_NOT_CONFIGURED');
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === 'tls',
      requireTLS: smtp.security === 'starttls',
      ignoreTLS: smtp.security === 'none',
      auth: smtp.username ? { user: smtp.username, pass: smtp.password } : undefined,
      tls: smtp.caPem ? { ca: [smtp.caPem], servername: smtp.host } : { servername: smtp.host },
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
    try {
      await transport.sendMail({ from: smtp.from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (err) {
      throw new AppError('SMTP_FAILED', (err as Error).message.slice(0, 200));
    } finally {
      transport.close();
    }
  }
}
