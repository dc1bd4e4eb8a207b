-- Orleans ADO.NET clustering (membership) for PostgreSQL 15, matching the
-- Microsoft.Orleans.Clustering.AdoNet 10.4.x provider.
--
-- The provider ships no SQL. At start it runs
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and then executes the text stored under each key with named parameters
-- (@DeploymentId, @Address, ...). It reads results by column name, so the
-- column aliases below are part of the contract; table layout and function
-- names are ours.
--
-- Contract notes (from the provider's behaviour):
--  * Every membership write carries the table version the silo last read.
--    A write succeeds only if that version is still current, and it bumps
--    the version; the row change and the bump happen together or not at all.
--  * Insert/update/version-insert return one row with one integer column:
--    > 0 means success, 0 means "lost the race" (the provider then re-reads).
--  * SiloStatus values: 3 = Active, 6 = Dead.
--
-- Safe to run again: every object is created IF NOT EXISTS / OR REPLACE and
-- query texts are upserted.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per cluster (the provider calls the cluster id "DeploymentId").
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port and generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NOT NULL DEFAULT 0,
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    -- Cascade so that removing a cluster's version row removes its silos in one statement.
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE
);

-- Creates the version row of a cluster once; 1 when this call created it.
CREATE OR REPLACE FUNCTION orleans_membership_version_insert(p_deployment_id text)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
BEGIN
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (p_deployment_id)
    ON CONFLICT (DeploymentId) DO NOTHING;
    RETURN CASE WHEN FOUND THEN 1 ELSE 0 END;
END
$fn$;

-- Locks the version row only when it still holds the expected version.
-- Under READ COMMITTED a writer that waited for the lock re-checks the
-- version after the other writer committed, so stale writers get false.
CREATE OR REPLACE FUNCTION orleans_membership_claim_version(p_deployment_id text, p_version integer)
RETURNS boolean
LANGUAGE plpgsql AS
$fn$
BEGIN
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_deployment_id
      AND Version = p_version
      AND Version < 2147483647
    FOR UPDATE;
    RETURN FOUND;
END
$fn$;

CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_silo_name      text,
    p_host_name      text,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
BEGIN
    IF p_deployment_id IS NULL OR p_version IS NULL
       OR NOT orleans_membership_claim_version(p_deployment_id, p_version) THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName,
         Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name,
         p_status, COALESCE(p_proxy_port, 0), p_start_time, p_i_am_alive)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;

    -- Nothing changed yet, so returning leaves the version untouched.
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN 1;
END
$fn$;

CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
BEGIN
    IF p_deployment_id IS NULL OR p_version IS NULL
       OR NOT orleans_membership_claim_version(p_deployment_id, p_version) THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status       = p_status,
        SuspectTimes = p_suspect_times,
        -- Heartbeats may race with this write; never move liveness backwards.
        IAmAliveTime = GREATEST(IAmAliveTime, p_i_am_alive)
    WHERE DeploymentId = p_deployment_id
      AND Address = p_address
      AND Port = p_port
      AND Generation = p_generation;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN 1;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'InsertMembershipVersionKey',
    $q$SELECT orleans_membership_version_insert(@DeploymentId) AS row_count;$q$
),
(
    'InsertMembershipKey',
    $q$SELECT orleans_membership_insert(
        @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS row_count;$q$
),
(
    'UpdateMembershipKey',
    $q$SELECT orleans_membership_update(
        @DeploymentId, @Address, @Port, @Generation,
        @Status, @SuspectTimes, @IAmAliveTime, @Version) AS row_count;$q$
),
(
    -- Heartbeat; the provider neither reads a result nor bumps the version.
    'UpdateIAmAlivetimeKey',
    $q$UPDATE OrleansMembershipTable
    SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation;$q$
),
(
    -- The outer join yields the version even when the silo has no row yet;
    -- the provider treats a NULL StartTime as "no entry".
    'MembershipReadRowKey',
    $q$SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName,
           m.Status, m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m
           ON m.DeploymentId = v.DeploymentId
          AND m.Address = @Address
          AND m.Port = @Port
          AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;$q$
),
(
    'MembershipReadAllKey',
    $q$SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName,
           m.Status, m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;$q$
),
(
    'GatewaysQueryKey',
    $q$SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = @Status
      AND ProxyPort > 0;$q$
),
(
    'DeleteMembershipTableEntriesKey',
    $q$DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;$q$
),
(
    -- Bulk fallback: drop dead silos whose every timestamp predates the cut-off.
    -- Rows that still carry suspicion votes are kept; see the per-row query.
    'CleanupDefunctSiloEntriesKey',
    $q$DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = 6
      AND IAmAliveTime < @IAmAliveTime
      AND StartTime < @IAmAliveTime
      AND COALESCE(SuspectTimes, '') = '';$q$
),
(
    -- Preferred by the provider when present: it decides eligibility itself
    -- (dead, and start, heartbeat and votes all before the cut-off) and
    -- deletes each row only if it is still exactly what it read.
    'CleanupDefunctSiloEntryKey',
    $q$DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation
      AND Status = 6
      AND StartTime = @StartTime
      AND IAmAliveTime = @IAmAliveTime
      AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');$q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
