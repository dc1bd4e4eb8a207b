-- TwinCity's own tables. Safe to run again.

-- Every decoded uplink, appended in bulk with COPY and read back as a time
-- range of one twin. The key makes a redelivered uplink (same twin, frame
-- counter and receive time) a duplicate instead of a second row. Its column
-- order puts received_at before f_cnt so the same btree answers
-- "kind + twin between two instants" in time order.
--
-- COPY aborts on a duplicate key; a writer that may see redeliveries copies
-- into a temporary table first and moves rows with
-- INSERT ... SELECT ... ON CONFLICT DO NOTHING.
CREATE TABLE IF NOT EXISTS uplink_history
(
    dev_eui     bigint      NOT NULL,
    kind        smallint    NOT NULL,
    twin_id     text        NOT NULL,
    f_cnt       bigint      NOT NULL,
    received_at timestamptz NOT NULL,
    payload     jsonb       NOT NULL,
    inserted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uplink_history_pkey PRIMARY KEY (kind, twin_id, received_at, f_cnt)
);

-- Rows arrive roughly in time order, so a BRIN index stays tiny and serves
-- city-wide time windows and retention deletes.
CREATE INDEX IF NOT EXISTS uplink_history_received_at_brin
    ON uplink_history USING brin (received_at);

-- Device-centred lookups (a sensor's recent frames, whatever twin it feeds).
CREATE INDEX IF NOT EXISTS uplink_history_dev_eui_received_at
    ON uplink_history (dev_eui, received_at);

-- Who did what to which twin, and whether it was allowed.
CREATE TABLE IF NOT EXISTS audit_log
(
    id          bigserial   NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    agency      text        NULL,
    action      text        NOT NULL,
    target_kind text        NULL,
    target_id   text        NULL,
    outcome     text        NOT NULL,
    details     jsonb       NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (id)
);

CREATE INDEX IF NOT EXISTS audit_log_at
    ON audit_log (at);

CREATE INDEX IF NOT EXISTS audit_log_agency_at
    ON audit_log (agency, at);

-- Uplinks and messages that could not be processed, kept verbatim for replay.
CREATE TABLE IF NOT EXISTS dead_letters
(
    id      bigserial   NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    source  text        NOT NULL,
    reason  text        NOT NULL,
    dev_eui bigint      NULL,
    topic   text        NULL,
    payload bytea       NULL,
    CONSTRAINT dead_letters_pkey PRIMARY KEY (id)
);

CREATE INDEX IF NOT EXISTS dead_letters_at
    ON dead_letters (at);
