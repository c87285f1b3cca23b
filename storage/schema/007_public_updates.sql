-- The status page (issue #14): the components each incident affects, with
-- the impact customers see, and public updates as records of their own
-- (never an internal update's text). A public update is a draft until
-- published_at is set (approval); seq counts within its incident.
CREATE TABLE incident_components (
    incident   INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    component  TEXT NOT NULL,
    impact     TEXT NOT NULL,  -- degraded, partial_outage, major_outage, maintenance
    PRIMARY KEY (incident, component)
);
CREATE TABLE public_updates (
    incident      INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    status        TEXT NOT NULL,  -- investigating, identified, monitoring, resolved
    body          TEXT NOT NULL,
    author        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    published_at  INTEGER,
    published_by  TEXT NOT NULL DEFAULT '',
    -- The public title it gives the incident (customers' name for it); the
    -- first published update's names the incident on the page.
    title         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident, seq)
);
-- Scheduled maintenance (M-n): shown on the status page ahead of time; its
-- components read under maintenance during [starts_at, ends_at). Ids are
-- given by warroom (max + 1), never reused while the row is kept.
CREATE TABLE maintenances (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    components    TEXT NOT NULL,  -- component names, one a line
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    cancelled_at  INTEGER
);
CREATE INDEX maintenances_by_end ON maintenances (ends_at);
