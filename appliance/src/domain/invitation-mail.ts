/**
 * The text of a session-key invitation (F10), in the rep's language. Used for
 * both "send local email" (a mailto link the console opens) and "send server
 * email" (the appliance's SMTP).
 */

export type MailLang = 'en' | 'de';

export interface Invitation {
  shortKey: string;
  url: string;
  repName: string;
  expiresAt: number;
}

export function invitationMail(inv: Invitation, lang: MailLang): { subject: string; body: string } {
  const until = new Date(inv.expiresAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  if (lang === 'de') {
    return {
      subject: `Einladung zur Support-Sitzung mit ${inv.repName}`,
      body:
        `${inv.repName} lädt Sie zu einer Support-Sitzung ein.\n\n` +
        `Öffnen Sie diesen Link:\n${inv.url}\n\n` +
        `oder geben Sie auf unserem Support-Portal den Sitzungsschlüssel ${inv.shortKey} ein.\n\n` +
        `Der Schlüssel kann bis ${until} verwendet werden.\n`,
    };
  }
  return {
    subject: `Support session invitation from ${inv.repName}`,
    body:
      `${inv.repName} invites you to a support session.\n\n` +
      `Open this link:\n${inv.url}\n\n` +
      `or enter the session key ${inv.shortKey} on our support portal.\n\n` +
      `The key can be used until ${until}.\n`,
  };
}
