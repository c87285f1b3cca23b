// Every migration upgrades a database made by the schema before it without
// losing data, and a newer schema than the binary knows is refused.
#include "storage/database.hpp"
#include "storage/incident_repository.hpp"
#include "storage/migrations.hpp"
#include "test_db.hpp"

#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <date/date.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace warroom;

namespace {
struct temp_db {
    fs::path path = fs::temp_directory_path() / ("warroom-migrate-" + std::to_string(std::random_device{}()) + ".db");
    ~temp_db() {
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
        // The copy taken before an upgrade (storage/database.cpp).
        fs::remove(path.string() + ".before-v" + std::to_string(storage::latest_version()) + ".bak");
    }
};

// A row in every table the given schema version has, as that version's binary would write it.
void fill_v1(SQLite::Database& db) {
    db.exec("INSERT INTO incidents (number, title, severity, status, declared_by, channel_name, declared_at, "
            "update_clock_from) VALUES (7, 'Old incident', 'P2', 'investigating', 'U1', 'incident-20260101-old', "
            "1767225600, 1767225600)");
    db.exec("INSERT INTO roles VALUES (7, 'commander', 'U2')");
    db.exec("INSERT INTO timeline (incident, at, kind, text) VALUES (7, 1767225600, 'declared', 'x')");
    db.exec("INSERT INTO timers VALUES (7, 'update', 1767227400)");
    db.exec("INSERT INTO outbox (incident, kind, payload, next_attempt_at, created_at) "
            "VALUES (7, 'post', '{\"text\":\"hello\"}', 1767225600, 1767225600)");
    db.exec("UPDATE counters SET value = 8 WHERE name = 'incident'");
}
}  // namespace

// Numbers may be missing while parallel work lands (each piece has its own
// number), but never repeated, and the newest is the schema version.
TEST_CASE("the migrations are numbered upwards, each number once", "[sqlite]") {
    const auto& all = storage::migrations();
    REQUIRE(all.size() >= 2);
    CHECK(all.front().version == 1);
    for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].version > all[i - 1].version);
    CHECK(storage::database::latest_schema_version() == all.back().version);
}

TEST_CASE("a fresh database gets the latest schema") {
    warroom::testing::temp_db t;
    storage::database db(t.location);
    CHECK(db.schema_version() == storage::latest_version());
}

TEST_CASE("each migration upgrades the previous schema with its data", "[sqlite]") {
    for (const auto& m : storage::migrations()) {
        int from = m.version;
        if (from == storage::latest_version()) break;
        DYNAMIC_SECTION("from schema " << from) {
            temp_db t;
            {
                SQLite::Database raw(t.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
                storage::migrate(raw, t.path.string(), from);
                REQUIRE(storage::current_version(raw) == from);
                fill_v1(raw);
            }
            storage::database db(t.path.string());
            CHECK(db.schema_version() == storage::latest_version());
            storage::incident_repository repo(db);
            auto inc = repo.find(7);
            REQUIRE(inc);
            CHECK(inc->title == "Old incident");
            CHECK(inc->roles.at("commander") == "U2");
            CHECK(inc->due.update.has_value());
            CHECK(repo.timeline(7).size() == 1);
            CHECK(repo.next_number() == 8);
            auto pending = repo.pending_actions(commands::time_point{std::chrono::seconds{1767225600}});
            REQUIRE(pending.size() == 1);
            CHECK(pending[0].act.body.text == "hello");
            // What the newer schema added works on the upgraded file.
            CHECK(repo.remember_request("Ev1", commands::time_point{}));
        }
    }
}

TEST_CASE("schema 3 adds the pinned summary's ts: empty for existing incidents, then settable", "[sqlite]") {
    temp_db t;
    {
        SQLite::Database raw(t.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        storage::migrate(raw, t.path.string(), 2);
        REQUIRE(storage::current_version(raw) == 2);
        fill_v1(raw);
        raw.exec("UPDATE incidents SET channel_id = 'C0OLD' WHERE number = 7");
        raw.exec("INSERT INTO seen_requests VALUES ('Ev0', 1767225600)");
    }
    storage::database db(t.path.string());
    REQUIRE(db.schema_version() >= 3);
    storage::incident_repository repo(db);
    auto inc = repo.find(7);
    REQUIRE(inc);
    CHECK(inc->title == "Old incident");
    CHECK(inc->channel_id == "C0OLD");
    CHECK(inc->roles.at("commander") == "U2");
    CHECK(inc->summary_ts.empty());  // posted by an older warroom, or not at all: unknown
    CHECK(repo.seen_request("Ev0"));
    CHECK(repo.pending_actions(commands::time_point{std::chrono::seconds{1767225600}}).size() == 1);

    repo.set_summary(7, "1767225601.000200");
    CHECK(repo.find(7)->summary_ts == "1767225601.000200");
    CHECK(repo.find_by_channel("C0OLD")->summary_ts == "1767225601.000200");
}

TEST_CASE("schema 4 adds follow-ups to a schema 3 database in use: its data kept, follow-ups stored and reminded", "[sqlite]") {
    temp_db t;
    {
        SQLite::Database raw(t.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        storage::migrate(raw, t.path.string(), 3);
        REQUIRE(storage::current_version(raw) == 3);
        fill_v1(raw);
        raw.exec("UPDATE incidents SET summary_ts = '1767225601.000200' WHERE number = 7");
        raw.exec("INSERT INTO seen_requests VALUES ('Ev0', 1767225600)");
    }
    storage::database db(t.path.string());
    REQUIRE(db.schema_version() >= 4);
    storage::incident_repository repo(db);
    auto inc = repo.find(7);
    REQUIRE(inc);
    CHECK(inc->title == "Old incident");
    CHECK(inc->summary_ts == "1767225601.000200");
    CHECK(inc->roles.at("commander") == "U2");
    CHECK(repo.timeline(7).size() == 1);
    CHECK(repo.seen_request("Ev0"));
    CHECK(repo.next_number() == 8);
    CHECK(repo.pending_actions(commands::time_point{std::chrono::seconds{1767225600}}).size() == 1);
    // The incident's own timer is still there, alone.
    CHECK(repo.next_deadline() == commands::time_point{std::chrono::seconds{1767227400}});

    // No follow-ups yet; the first one is F-1, on the old incident.
    CHECK(repo.open_followups().empty());
    CHECK(repo.followups_of(7).empty());
    REQUIRE(repo.next_followup_id() == 1);
    commands::followup f;
    f.id = 1;
    f.incident = 7;
    f.text = "Add a readiness probe";
    f.owner = "U3";
    f.due = commands::day(date::sys_days(date::year(2026) / 1 / 5).time_since_epoch());
    f.created_at = commands::time_point{std::chrono::seconds{1767225700}};
    f.remind_at = commands::time_point{std::chrono::seconds{1767600000}};
    commands::decision d;
    d.followups.push_back(f);
    repo.apply(d, f.created_at);
    CHECK(repo.next_followup_id() == 2);
    auto back = repo.find_followup(1);
    REQUIRE(back);
    CHECK(back->text == "Add a readiness probe");
    CHECK(commands::format_day(*back->due) == "2026-01-05");
    CHECK(repo.armed_timer_count() == 2);
    auto due = repo.due_timers(commands::time_point{std::chrono::seconds{1767600000}});
    REQUIRE(due.size() == 2);
    CHECK(due[1].incident == 7);
    CHECK(due[1].kind == commands::timer_kind::followup);
}

// (No ";" in a test name: ctest cuts the name there and the filter then matches nothing, which passed.)
TEST_CASE("schema 5 adds private and archived incidents to a schema 4 database in use, and the archive timer survives a restart", "[sqlite]") {
    temp_db t;
    {
        SQLite::Database raw(t.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        storage::migrate(raw, t.path.string(), 4);
        REQUIRE(storage::current_version(raw) == 4);
        fill_v1(raw);
        raw.exec("INSERT INTO followups (id, incident, text, owner, due, created_at) "
                 "VALUES (1, 7, 'Add a readiness probe', 'U3', '2026-01-05', 1767225700)");
        raw.exec("UPDATE counters SET value = 2 WHERE name = 'followup'");
    }
    const commands::time_point resolved{std::chrono::seconds{1767300000}};
    {
        storage::database db(t.path.string());
        REQUIRE(db.schema_version() == storage::latest_version());
        storage::incident_repository repo(db);
        auto inc = repo.find(7);
        REQUIRE(inc);
        CHECK(inc->title == "Old incident");
        CHECK_FALSE(inc->is_private);  // declared before private incidents existed
        CHECK_FALSE(inc->archived);
        CHECK(inc->roles.at("commander") == "U2");
        CHECK(repo.followups_of(7).size() == 1);
        CHECK(repo.next_followup_id() == 2);

        // Resolved, private, its channel to be archived a week later.
        inc->status = commands::incident_status::resolved;
        inc->resolved_at = resolved;
        inc->is_private = true;
        inc->due = {};
        inc->due.archive = resolved + std::chrono::days(7);
        commands::decision d;
        d.save = *inc;
        repo.apply(d, resolved);
    }
    // A restart: the deadline is read back from the file and fires as an archive.
    storage::database db(t.path.string());
    storage::incident_repository repo(db);
    auto inc = repo.find(7);
    REQUIRE(inc);
    CHECK(inc->is_private);
    CHECK_FALSE(inc->archived);
    CHECK(inc->due.archive == resolved + std::chrono::days(7));
    CHECK(repo.next_deadline() == resolved + std::chrono::days(7));
    auto due = repo.due_timers(resolved + std::chrono::days(7));
    REQUIRE(due.size() == 1);
    CHECK(due[0].kind == commands::timer_kind::archive);

    inc->archived = true;
    inc->due.archive.reset();
    commands::decision d;
    d.save = *inc;
    repo.apply(d, resolved + std::chrono::days(7));
    CHECK(repo.find(7)->archived);
    CHECK(repo.find_by_channel("incident-20260101-old")->archived);
    CHECK(repo.armed_timer_count() == 0);
}

TEST_CASE("a database from a newer warroom is refused, untouched", "[sqlite]") {
    temp_db t;
    {
        storage::database db(t.path.string());
        db.sql().exec("PRAGMA user_version = " + std::to_string(storage::latest_version() + 1));
    }
    try {
        storage::database db(t.path.string());
        FAIL("opening a newer schema should throw");
    } catch (const storage::storage_error& e) {
        std::string msg = e.what();
        CHECK_THAT(msg, Catch::Contains("newer"));
        CHECK_THAT(msg, Catch::Contains(t.path.string()));
    }
    SQLite::Database raw(t.path.string());
    CHECK(storage::current_version(raw) == storage::latest_version() + 1);
}

TEST_CASE("a file that is not a database is reported, not crashed on", "[sqlite]") {
    temp_db t;
    { std::ofstream(t.path) << "this is not sqlite, just some text that is long enough to look like a header"; }
    CHECK_THROWS_AS(storage::database(t.path.string()), storage::storage_error);
}

// Parallel work lands in any order: a file that has 008 but not 005 (as one
// made by a branch merged before 005's) still gets 005, though it is lower.
TEST_CASE("a migration numbered below the newest applied is still applied, after a backup", "[sqlite]") {
    temp_db t;
    const auto& all = storage::migrations();
    auto newest = all.back();
    REQUIRE(newest.version > 5);
    {
        SQLite::Database raw(t.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        storage::migrate(raw, t.path.string(), 4);
        fill_v1(raw);
        raw.exec(std::string(newest.sql));
        raw.exec("INSERT INTO warroom_schema (version, name) VALUES (" + std::to_string(newest.version) + ", '" +
                 newest.name + "')");
        raw.exec("PRAGMA user_version = " + std::to_string(newest.version));
        REQUIRE_FALSE(storage::applied_versions(raw).count(5));
    }
    storage::database db(t.path.string());
    CHECK(storage::applied_versions(db.sql()).count(5));
    storage::incident_repository repo(db);
    CHECK(repo.find(7)->title == "Old incident");
    CHECK_FALSE(repo.find(7)->is_private);  // 005's column is there
    CHECK(fs::exists(t.path.string() + ".before-v" + std::to_string(storage::latest_version()) + ".bak"));
}
