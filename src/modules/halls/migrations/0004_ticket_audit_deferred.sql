-- The ticket batch's audit entry waits in audit_pending and is chained moments later
-- (platform migration 0003, docs/adr/0007-deferred-audit-chaining.md): two ticket lines no longer
-- wait for each other's commit at the audit head.
ALTER FUNCTION hall_take_tickets(text[], text[], text[], text[], text[], text[], text[], timestamptz[], timestamptz[], text[], text[], text[], text[], date, timestamptz)
  SET haihe.audit_deferred = 'on';
