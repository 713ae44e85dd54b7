/**
 * Support buttons (F25): a launcher a rep leaves on a customer's computer.
 * When the customer clicks it later, the client starts a session that lands
 * straight in the button's queue (the rep's own or a team's), with the
 * customer's name already known. A button may expire; removing it makes the
 * launcher useless and it deletes itself the next time it is clicked.
 */
export interface SupportButton {
  id: string;
  description: string;
  queue: string;
  queueName: string;
  hostname: string;
  customerName: string;
  createdAt: number;
  createdBy: string;
  /** null: never expires. */
  expiresAt: number | null;
  canRemove: boolean;
}

/** Buttons without an expiry still need one in the start-token store: 100 years. */
export const NO_EXPIRY_MS = 100 * 365 * 86_400_000;
