-- The audit trail names the credential that acted (an API key's id or a token's subject), and keeps
-- refusals apart from actions, so that each has its own retention and a flood of refusals never
-- removes an action. Dead letters keep the reason in words beside its code. Safe to run again.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS key_id text NULL;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS refusal boolean NOT NULL DEFAULT false;

CREATE INDEX IF NOT EXISTS audit_log_refusal_id
    ON audit_log (refusal, id);

ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS detail text NULL;
