// Every kind of audit entry, by family. The names are stored as they are: add new ones, never
// rename one (old entries keep the old name).

export const AUDIT_ACTIONS = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "user.create": "Created a user",
  "user.role_change": "Changed a user's role",
  "user.entra_link": "Linked or unlinked an Entra ID identity",
  "user.delete": "Removed a user",
  "token.create": "Created an API token",
  "token.revoke": "Revoked an API token",
  "organization.create": "Added an organization",
  "organization.update": "Edited an organization",
  "organization.privacy_accept": "Accepted privacy terms",
  "profile.create": "Created a profile",
  "profile.update": "Edited a profile",
  "profile.delete": "Deleted a profile",
  "profile.activate": "Activated a profile",
  "profile.deactivate": "Deactivated a profile",
  "profile.resync_table": "Asked to re-sync a table",
  "profile.resync_failed": "Asked to re-sync failed records",
  "profile.reconcile": "Asked to reconcile",
  "profile.reconcile_schedule": "Changed the reconciliation schedule",
  "profile.run_now": "Asked a scheduled export to run now",
  "alert.rule_create": "Added an alert rule",
  "alert.rule_delete": "Removed an alert rule",
  "alert.channel_create": "Added an alert channel",
  "alert.channel_update": "Changed an alert channel",
  "alert.channel_delete": "Removed an alert channel",
  "alert.test_send": "Sent a test alert",
  "connection.create": "Added a connection",
  "connection.update": "Edited a connection",
  "connection.delete": "Removed a connection",
  "connection.detach_export": "Detached an export from its connection",
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_OBJECT_TYPES = ["session", "user", "token", "organization", "profile", "connection", "alert"] as const;
export type AuditObjectType = (typeof AUDIT_OBJECT_TYPES)[number];

export function actionLabel(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}
