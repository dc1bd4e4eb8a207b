-- Orleans ADO.NET reminder table for PostgreSQL 15, matching the
-- Microsoft.Orleans.Reminders.AdoNet 10.4.x provider (UseAdoNetReminderService).
--
-- Parameters the provider binds: @ServiceId, @GrainId (GrainId.ToString()),
-- @ReminderName, @StartTime (UTC), @Period (milliseconds; int or bigint
-- depending on size), @GrainHash (the grain's uniform hash, an unsigned value
-- bound as a signed int), @BeginHash/@EndHash (ring range, same signedness),
-- @Version (the reminder's ETag).
--
-- Result columns it reads: GrainId, ReminderName, StartTime, Period, Version.
--
-- Ring ranges are half open, (BeginHash, EndHash]. The provider uses
-- ReadRangeRows1Key when BeginHash < EndHash as signed integers and
-- ReadRangeRows2Key otherwise (the range wraps past the end of the ring).
--
-- Safe to run again.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    text           NOT NULL,
    GrainId      text           NOT NULL,
    ReminderName text           NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Each silo loads the reminders of its ring range on start and on refresh.
CREATE INDEX IF NOT EXISTS IX_RemindersTable_ServiceId_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    -- Returns the new ETag: 0 for a new reminder, previous + 1 for a change.
    'UpsertReminderRowKey',
    $q$INSERT INTO OrleansRemindersTable AS r
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES
        (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
        SET StartTime = EXCLUDED.StartTime,
            Period    = EXCLUDED.Period,
            GrainHash = EXCLUDED.GrainHash,
            Version   = r.Version + 1
    RETURNING r.Version AS Version;$q$
),
(
    'ReadReminderRowsKey',
    $q$SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainId = @GrainId;$q$
),
(
    'ReadReminderRowKey',
    $q$SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainId = @GrainId
      AND ReminderName = @ReminderName;$q$
),
(
    'ReadRangeRows1Key',
    $q$SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainHash > @BeginHash
      AND GrainHash <= @EndHash;$q$
),
(
    'ReadRangeRows2Key',
    $q$SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);$q$
),
(
    -- Deletes only the version the caller holds; one integer column, > 0 on success.
    'DeleteReminderRowKey',
    $q$WITH gone AS (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId
          AND GrainId = @GrainId
          AND ReminderName = @ReminderName
          AND Version = @Version
        RETURNING 1)
    SELECT count(*)::integer AS row_count FROM gone;$q$
),
(
    'DeleteReminderRowsKey',
    $q$DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;$q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
