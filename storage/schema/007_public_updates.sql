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
    PRIMARY KEY (incident, seq)
);
