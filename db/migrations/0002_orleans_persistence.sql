-- Orleans ADO.NET grain storage for PostgreSQL 15, matching the
-- Microsoft.Orleans.Persistence.AdoNet 10.4.x provider (AddAdoNetGrainStorage).
--
-- The provider loads four query texts from OrleansQuery: WriteToStorageKey,
-- ReadFromStorageKey, ClearStorageKey and the optional DeleteStorageKey (only
-- needed with DeleteStateOnClear = true). Each call binds:
--   @GrainIdHash   int     hash of the grain key, computed by the provider
--   @GrainIdN0     bigint  first half of a Guid key, 0 otherwise
--   @GrainIdN1     bigint  second half of a Guid key, or the integer key
--   @GrainTypeHash int     hash of @GrainTypeString
--   @GrainTypeString        grain type name
--   @GrainIdExtensionString key extension, or the whole key for string keys; may be NULL
--   @ServiceId
--   @GrainStateVersion int  the ETag the grain holds; NULL before the first write
--   @PayloadBinary  bytea   (writes only) the serialized state
--
-- The hashes only make lookups cheap: collisions are resolved by also matching
-- the full identity. Versioning: the first write inserts version 1; every later
-- write or clear must present the current version and gets version + 1 back.
-- A write or clear that returns NULL (or the same version it sent) is read by
-- the provider as a conflict and surfaces as InconsistentStateException.
-- Reads return PayloadBinary and Version; a NULL payload with a version means
-- "cleared, but the row and its version live on".
--
-- Safe to run again.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NOT NULL,
    -- One row per grain identity; it also makes concurrent first writes
    -- race safely through ON CONFLICT. The hash columns lead so that the
    -- index narrows on small integers before comparing strings.
    CONSTRAINT UQ_OrleansStorage_Identity UNIQUE NULLS NOT DISTINCT
        (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, GrainIdExtensionString)
);

CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grain_id_hash   integer,
    p_grain_id_n0     bigint,
    p_grain_id_n1     bigint,
    p_grain_type_hash integer,
    p_grain_type      text,
    p_key_extension   text,
    p_service_id      text,
    p_expected        integer,
    p_payload         bytea)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    v_new integer;
BEGIN
    IF p_expected IS NULL THEN
        -- First write of a grain that found nothing on read. Losing the race
        -- to another activation leaves no row inserted and returns NULL.
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
             GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES
            (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type,
             p_key_extension, p_service_id, p_payload, now(), 1)
        ON CONFLICT ON CONSTRAINT UQ_OrleansStorage_Identity DO NOTHING
        RETURNING Version INTO v_new;
        RETURN v_new;
    END IF;

    UPDATE OrleansStorage
    SET PayloadBinary = p_payload,
        ModifiedOn    = now(),
        Version       = Version + 1
    WHERE GrainIdHash = p_grain_id_hash
      AND GrainTypeHash = p_grain_type_hash
      AND GrainIdN0 = p_grain_id_n0
      AND GrainIdN1 = p_grain_id_n1
      AND ServiceId = p_service_id
      AND GrainTypeString = p_grain_type
      AND GrainIdExtensionString IS NOT DISTINCT FROM p_key_extension
      AND Version = p_expected
    RETURNING Version INTO v_new;
    RETURN v_new;
END
$fn$;

-- Keeps the row and its version so a later write continues the sequence.
CREATE OR REPLACE FUNCTION orleans_storage_clear(
    p_grain_id_hash   integer,
    p_grain_id_n0     bigint,
    p_grain_id_n1     bigint,
    p_grain_type_hash integer,
    p_grain_type      text,
    p_key_extension   text,
    p_service_id      text,
    p_expected        integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    v_new integer;
BEGIN
    UPDATE OrleansStorage
    SET PayloadBinary = NULL,
        ModifiedOn    = now(),
        Version       = Version + 1
    WHERE GrainIdHash = p_grain_id_hash
      AND GrainTypeHash = p_grain_type_hash
      AND GrainIdN0 = p_grain_id_n0
      AND GrainIdN1 = p_grain_id_n1
      AND ServiceId = p_service_id
      AND GrainTypeString = p_grain_type
      AND GrainIdExtensionString IS NOT DISTINCT FROM p_key_extension
      AND Version = p_expected
    RETURNING Version INTO v_new;
    RETURN v_new;
END
$fn$;

-- Removes the row; returns a value that differs from the presented version on
-- success (the provider then forgets the ETag) and NULL on a conflict.
CREATE OR REPLACE FUNCTION orleans_storage_delete(
    p_grain_id_hash   integer,
    p_grain_id_n0     bigint,
    p_grain_id_n1     bigint,
    p_grain_type_hash integer,
    p_grain_type      text,
    p_key_extension   text,
    p_service_id      text,
    p_expected        integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    v_old integer;
BEGIN
    DELETE FROM OrleansStorage
    WHERE GrainIdHash = p_grain_id_hash
      AND GrainTypeHash = p_grain_type_hash
      AND GrainIdN0 = p_grain_id_n0
      AND GrainIdN1 = p_grain_id_n1
      AND ServiceId = p_service_id
      AND GrainTypeString = p_grain_type
      AND GrainIdExtensionString IS NOT DISTINCT FROM p_key_extension
      AND Version = p_expected
    RETURNING Version INTO v_old;
    RETURN v_old + 1;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'ReadFromStorageKey',
    $q$SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash
      AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString;$q$
),
(
    'WriteToStorageKey',
    $q$SELECT orleans_storage_write(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;$q$
),
(
    'ClearStorageKey',
    $q$SELECT orleans_storage_clear(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion) AS NewGrainStateVersion;$q$
),
(
    'DeleteStorageKey',
    $q$SELECT orleans_storage_delete(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion) AS NewGrainStateVersion;$q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
