-- The claim batch's audit entry waits in audit_pending and is chained moments later (platform
-- migration 0003, docs/adr/0007-deferred-audit-chaining.md): the audit head is no longer held from
-- a batch's append until its commit.
ALTER FUNCTION subsidy_claim_batch(text[], text[], text[], text[], text[], text[], timestamptz)
  SET haihe.audit_deferred = 'on';
