/**
 * What the public portal learns from the appliance (`GET /api/portal/info`):
 * the reps available right now, the problem types of the issue form, and the
 * customer client's file and SHA-256.
 */
export interface PortalInfo {
  reps: Array<{ id: string; name: string }>;
  issues: Array<{ codeName: string; description: string }>;
  client: { file: string; sha256: string; size: number; url: string } | null;
}
