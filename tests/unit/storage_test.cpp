// The repository, on SQLite and (run again by ctest) on PostgreSQL: what is written is read back, a failed command
// leaves nothing behind, and the outbox keeps each incident's order.
#include "storage/database.hpp"
#include "storage/copy.hpp"
#include "storage/incident_repository.hpp"
#include "storage/statements.hpp"
#include "test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>
#include <date/date.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace warroom;
using commands::time_point;

namespace {

using testing::temp_db;

time_point at(std::int64_t s) { return time_point{std::chrono::seconds{s}}; }

commands::decision declare(std::int64_t number, const std::string& title, time_point now) {
    commands::incident inc;
    inc.number = number;
    inc.title = title;
    inc.severity = "P1";
    inc.declared_by = "U1";
    inc.declared_in = "C0GENERAL";
    inc.channel_name = "incident-20261124-" + std::to_string(number);
    inc.declared_at = now;
    inc.update_clock_from = now;
    inc.roles["commander"] = "U2";
    inc.due.ack = now + std::chrono::minutes(5);
    inc.due.update = now + std::chrono::minutes(30);
    commands::decision d;
    d.save = inc;
    d.is_new = true;
    d.timeline.push_back({0, now, "U1", "declared", "Declared " + title});
    commands::action create;
    create.kind = commands::action_kind::create_channel;
    create.users = {"U1", "U2"};
    d.actions.push_back(create);
    commands::action summary;
    summary.body = {"summary of " + title, R"([{"type":"section"}])"};
    summary.pin = true;
    d.actions.push_back(summary);
    return d;
}

}  // namespace

TEST_CASE("an incident is stored and read back whole") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    REQUIRE(repo.next_number() == 1);
    repo.apply(declare(1, "Checkout down 🔥", at(1000)), at(1000));

    auto inc = repo.find(1);
    REQUIRE(inc);
    CHECK(inc->title == "Checkout down 🔥");
    CHECK(inc->severity == "P1");
    CHECK(inc->roles.at("commander") == "U2");
    CHECK(inc->due.ack == at(1300));
    CHECK(inc->due.update == at(2800));
    CHECK_FALSE(inc->due.resolve);
    CHECK_FALSE(inc->acked_at);
    CHECK(repo.next_number() == 2);
    CHECK(repo.channel_name_taken("incident-20261124-1"));
    CHECK_FALSE(repo.channel_name_taken("incident-20261124-2"));
    CHECK(repo.find_by_channel("incident-20261124-1")->number == 1);
    CHECK_FALSE(repo.find(2));

    auto tl = repo.timeline(1);
    REQUIRE(tl.size() == 1);
    CHECK(tl[0].kind == "declared");
    CHECK(tl[0].actor == "U1");

    repo.set_channel(1, "C123", "incident-20261124-1-2");
    CHECK(repo.find_by_channel("C123")->channel_name == "incident-20261124-1-2");
    // By id or by name, as find_by_channel finds it; nothing else is one.
    CHECK(repo.is_incident_channel("C123"));
    CHECK(repo.is_incident_channel("incident-20261124-1-2"));
    CHECK_FALSE(repo.is_incident_channel("C999"));
    CHECK_FALSE(repo.is_incident_channel(""));
}

// A query's text is the cache key whatever string holds it: one statement,
// prepared once, for every call.
TEST_CASE("a statement is prepared once for its text, whichever string carries it") {
    temp_db t;
    storage::database db(t.location);
    const std::string owned = "SELECT count(*) FROM incidents";
    storage::statement* first = nullptr;
    { auto h = db.prepare(owned); first = &*h; }
    { auto h = db.prepare(std::string_view(owned)); CHECK(&*h == first); }
    { auto h = db.prepare("SELECT count(*) FROM incidents"); CHECK(&*h == first); }
    { auto h = db.prepare("SELECT count(*) FROM timeline"); CHECK(&*h != first); }
}

TEST_CASE("timers follow the incident's deadlines") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "a", at(1000)), at(1000));
    repo.apply(declare(2, "b", at(1100)), at(1100));
    CHECK(repo.armed_timer_count() == 4);
    CHECK(repo.next_deadline() == at(1300));
    CHECK(repo.due_timers(at(1299)).empty());
    auto due = repo.due_timers(at(1400));
    REQUIRE(due.size() == 2);
    CHECK(due[0].incident == 1);
    CHECK(due[0].kind == commands::timer_kind::ack);
    CHECK(due[1].incident == 2);

    // Acknowledging disarms the ack timer: the stored row goes with it.
    auto inc = *repo.find(1);
    inc.due.ack.reset();
    inc.acked_at = at(1200);
    commands::decision d;
    d.save = inc;
    repo.apply(d, at(1200));
    CHECK(repo.armed_timer_count() == 3);
    CHECK(repo.next_deadline() == at(1400));
    CHECK(repo.find(1)->acked_at == at(1200));
}

TEST_CASE("every kind of deadline is stored with its own time, and a later save replaces the set") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    auto d = declare(1, "a", at(1000));
    auto& due = d.save->due;
    due.ack = at(2001);
    due.update = at(2002);
    due.resolve = at(2003);
    due.postmortem_draft = at(2004);
    due.postmortem_review = at(2005);
    due.archive = at(2006);
    due.public_update = at(2007);
    repo.apply(d, at(1000));
    CHECK(repo.armed_timer_count() == 7);
    auto stored = repo.find(1)->due;
    CHECK(stored.ack == at(2001));
    CHECK(stored.update == at(2002));
    CHECK(stored.resolve == at(2003));
    CHECK(stored.postmortem_draft == at(2004));
    CHECK(stored.postmortem_review == at(2005));
    CHECK(stored.archive == at(2006));
    CHECK(stored.public_update == at(2007));

    auto inc = *repo.find(1);
    inc.due = {};
    inc.due.resolve = at(3003);
    inc.due.archive = at(3006);
    inc.roles["scribe"] = "U3";
    commands::decision later;
    later.save = inc;
    repo.apply(later, at(1100));
    CHECK(repo.armed_timer_count() == 2);
    auto after = *repo.find(1);
    CHECK_FALSE(after.due.ack);
    CHECK(after.due.resolve == at(3003));
    CHECK(after.due.archive == at(3006));
    CHECK(after.roles.size() == 2);
    CHECK(after.roles.at("commander") == "U2");
    CHECK(after.roles.at("scribe") == "U3");
}

TEST_CASE("follow-ups are stored whole, their reminders are timers after a restart, and closing one disarms it") {
    temp_db t;
    {
        storage::database db(t.location);
        storage::incident_repository repo(db);
        repo.apply(declare(1, "a", at(1000)), at(1000));
        repo.apply(declare(2, "b", at(1000)), at(1000));
        REQUIRE(repo.next_followup_id() == 1);
        commands::followup f;
        f.id = 1;
        f.incident = 1;
        f.text = "Add <@U9> to the rota";
        f.owner = "U3";
        f.due = commands::day(date::sys_days(date::year(2026) / 12 / 4).time_since_epoch());
        f.created_by = "U1";
        f.created_at = at(1000);
        f.remind_at = at(5000);
        auto g = f;
        g.id = 2;
        g.incident = 2;
        g.due.reset();
        g.remind_at = at(4000);
        auto h = f;
        h.id = 3;
        h.remind_at = at(4500);
        commands::decision add;
        add.followups = {f, g, h};
        repo.apply(add, at(1000));
        CHECK(repo.next_followup_id() == 4);
    }
    // A restart: what was armed is armed again, from the file alone.
    storage::database db(t.location);
    storage::incident_repository repo(db);
    auto back = repo.find_followup(1);
    REQUIRE(back);
    CHECK(back->incident == 1);
    CHECK(back->text == "Add <@U9> to the rota");
    CHECK(back->owner == "U3");
    CHECK(commands::format_day(*back->due) == "2026-12-04");
    CHECK(back->state == commands::followup_state::open);
    CHECK(back->created_by == "U1");
    CHECK(back->created_at == at(1000));
    CHECK(back->remind_at == at(5000));
    CHECK_FALSE(repo.find_followup(2)->due);
    CHECK_FALSE(repo.find_followup(9));
    CHECK(repo.followups_of(1).size() == 2);
    CHECK(repo.open_followups().size() == 3);
    CHECK(repo.followups_created_since(at(1001)).empty());
    CHECK(repo.followups_created_since(at(1000)).size() == 3);

    // Four incident timers (ack and update of each) and the reminders: an
    // incident with two due reminders is one followup timer, at its earliest.
    CHECK(repo.armed_timer_count() == 4 + 3);
    CHECK(repo.next_deadline() == at(1300));
    auto followup_timers = [&](time_point now) {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        for (const auto& d : repo.due_timers(now))
            if (d.kind == commands::timer_kind::followup) out.push_back({d.incident, d.at.time_since_epoch().count()});
        return out;
    };
    using pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;
    CHECK(followup_timers(at(3999)).empty());
    CHECK(repo.due_timers(at(6000)).size() == 4 + 2);
    CHECK(followup_timers(at(6000)) == pairs{{2, 4000}, {1, 4500}});

    // Done: no reminder kept, even when the decision carried one.
    auto done = *repo.find_followup(3);
    done.state = commands::followup_state::done;
    done.closed_at = at(2000);
    done.note = "shipped";
    commands::decision d;
    d.followups = {done};
    repo.apply(d, at(2000));
    CHECK(repo.find_followup(3)->state == commands::followup_state::done);
    CHECK(repo.find_followup(3)->note == "shipped");
    CHECK(repo.find_followup(3)->closed_at == at(2000));
    CHECK_FALSE(repo.find_followup(3)->remind_at);
    CHECK(repo.open_followups().size() == 2);
    CHECK(followup_timers(at(6000)) == pairs{{2, 4000}, {1, 5000}});
    // Only reminders left: the earliest is the next deadline once the incidents' timers are gone.
    for (std::int64_t n : {1, 2}) {
        auto inc = *repo.find(n);
        inc.due = {};
        commands::decision quiet;
        quiet.save = inc;
        repo.apply(quiet, at(2000));
    }
    CHECK(repo.next_deadline() == at(4000));
}

TEST_CASE("a failed command's transaction leaves nothing behind") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    try {
        storage::transaction txn(db);
        repo.apply(declare(1, "half made", at(1000)), at(1000));
        throw std::runtime_error("crash before commit");
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(repo.find(1));
    CHECK(repo.timeline(1).empty());
    CHECK(repo.pending_action_count() == 0);
    CHECK(repo.armed_timer_count() == 0);
    CHECK(repo.next_number() == 1);
}

TEST_CASE("incident numbers are never reused") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "a", at(1000)), at(1000));
    repo.apply(declare(2, "b", at(1000)), at(1000));
    db.execute("DELETE FROM incidents WHERE number = 2");
    CHECK(repo.next_number() == 3);
}

TEST_CASE("everything survives closing and reopening the file") {
    temp_db t;
    {
        storage::database db(t.location);
        storage::incident_repository repo(db);
        repo.apply(declare(1, "persisted", at(1000)), at(1000));
    }
    storage::database db(t.location);
    storage::incident_repository repo(db);
    CHECK(repo.find(1)->title == "persisted");
    CHECK(repo.next_deadline() == at(1300));
    CHECK(repo.pending_action_count() == 2);
    if (!t.postgres) {
        CHECK(db.sql().execAndGet("PRAGMA journal_mode").getString() == "wal");
        CHECK(db.sql().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
    }
}

TEST_CASE("an outbox action reads back as queued, whatever its text holds") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    auto d = declare(1, "a", at(1000));
    commands::action head;
    head.body = {"quote \" backslash \\ tab\t line\nnext \x01 é 🔥", R"([{"text":"say \"hi\""}])"};
    head.pin = true;
    commands::action reply;
    reply.body.text = "part two";
    reply.thread_of = 2;
    commands::action topic;
    topic.kind = commands::action_kind::set_topic;
    topic.topic = "P1 \"down\"";
    commands::action dm;
    dm.kind = commands::action_kind::direct_message;
    dm.users = {"U9"};
    dm.body.text = std::string("bad \xff byte");
    d.actions.insert(d.actions.end(), {head, reply, topic, dm});
    repo.apply(d, at(1000));

    auto pending = repo.pending_actions(at(1000), 10);
    REQUIRE(pending.size() == 6);
    const auto& h = pending[2];
    CHECK(h.act.body.text == head.body.text);
    CHECK(h.act.body.blocks_json == head.body.blocks_json);
    CHECK(h.act.pin);
    CHECK(h.thread_head);
    CHECK(h.thread_of == 0);
    CHECK(pending[3].act.body.text == "part two");
    CHECK(pending[3].thread_of == h.id);
    CHECK_FALSE(pending[3].thread_head);
    CHECK_FALSE(pending[3].act.pin);
    CHECK(pending[4].act.topic == "P1 \"down\"");
    CHECK(pending[5].act.users == std::vector<std::string>{"U9"});
    CHECK(pending[5].act.body.text == "bad \uFFFD byte");  // invalid UTF-8 is replaced, not refused
}

TEST_CASE("a decision's many actions are queued in their order, each with its own fields") {
    // More than one multi-row INSERT's worth (8), so the rows are split across statements.
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    auto d = declare(1, "a", at(1000));
    for (int i = 0; i < 11; ++i) {
        commands::action a;
        a.kind = i % 3 == 0 ? commands::action_kind::set_topic : commands::action_kind::post;
        a.incident = i == 5 ? 7 : 0;
        a.channel = "C" + std::to_string(i);
        a.body.text = "part " + std::to_string(i);
        a.topic = i % 3 == 0 ? "topic " + std::to_string(i) : "";
        d.actions.push_back(a);
    }
    repo.apply(d, at(1000));

    auto pending = repo.pending_actions(at(1000), 50);
    REQUIRE(pending.size() == d.actions.size());
    for (std::size_t i = 0; i < pending.size(); ++i) {
        const auto& want = d.actions[i];
        const auto& got = pending[i];
        CAPTURE(i);
        if (i) CHECK(got.id > pending[i - 1].id);
        CHECK(got.act.kind == want.kind);
        CHECK(got.act.incident == (want.incident ? want.incident : 1));
        CHECK(got.act.channel == want.channel);
        CHECK(got.act.body.text == want.body.text);
        CHECK(got.act.topic == want.topic);
        CHECK(got.created_at == at(1000));
        CHECK(got.next_attempt_at == at(1000));
        CHECK(got.thread_of == 0);
        CHECK_FALSE(got.thread_head);
    }
}

TEST_CASE("the outbox delivers in order and holds an incident's later actions behind a retry") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "a", at(1000)), at(1000));
    repo.apply(declare(2, "b", at(1000)), at(1000));

    auto pending = repo.pending_actions(at(1000));
    REQUIRE(pending.size() == 4);
    CHECK(pending[0].act.kind == commands::action_kind::create_channel);
    CHECK(pending[0].act.users == std::vector<std::string>{"U1", "U2"});
    CHECK(pending[1].act.pin);
    CHECK(pending[1].act.body.text == "summary of a");
    CHECK(pending[1].act.body.blocks_json == R"([{"type":"section"}])");
    CHECK(pending[2].act.incident == 2);

    // Incident 1's channel creation failed: its summary waits; incident 2 goes on.
    repo.mark_failed(pending[0].id, "ratelimited", at(1010));
    auto now = repo.pending_actions(at(1001));
    REQUIRE(now.size() == 2);
    CHECK(now[0].act.incident == 2);
    CHECK(now[1].act.incident == 2);
    CHECK(repo.next_outbox_attempt() == at(1000));

    repo.mark_delivered(now[0].id, at(1001));
    repo.mark_delivered(now[1].id, at(1001));
    CHECK(repo.next_outbox_attempt() == at(1010));

    auto later = repo.pending_actions(at(1010));
    REQUIRE(later.size() == 2);
    CHECK(later[0].attempts == 1);
    CHECK(later[0].last_error == "ratelimited");

    using counts_by_state = std::map<std::string, std::size_t>;
    CHECK(repo.outbox_counts() == counts_by_state{{"pending", 2}, {"done", 2}, {"dead", 0}});
    repo.mark_dead(later[0].id, "invalid_auth", at(1010));
    repo.mark_delivered(later[1].id, at(1010));
    CHECK(repo.pending_action_count() == 0);
    CHECK(repo.outbox_counts() == counts_by_state{{"pending", 0}, {"done", 3}, {"dead", 1}});
    auto dead = repo.dead_actions();
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].last_error == "invalid_auth");
    CHECK(dead[0].state == storage::outbox_state::dead);

    // The operator fixed the cause: the dead letter is delivered again, now.
    CHECK(repo.retry_dead(at(2000)) == 1);
    CHECK(repo.dead_actions().empty());
    auto again = repo.pending_actions(at(2000));
    REQUIRE(again.size() == 1);
    CHECK(again[0].id == dead[0].id);
    CHECK(repo.retry_dead(at(2001)) == 0);
}

TEST_CASE("a repeated request key is recognised") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    CHECK(repo.remember_request("Ev123", at(1000)));
    CHECK_FALSE(repo.remember_request("Ev123", at(1001)));
    repo.forget_requests_before(at(1001));
    CHECK(repo.remember_request("Ev123", at(1002)));
}

// Follow-up `id` of incident `number`, written at 2500 s.
static commands::followup followup_of(std::int64_t number, std::int64_t id) {
    commands::followup f;
    f.id = id;
    f.incident = number;
    f.text = "follow-up " + std::to_string(id);
    f.created_by = "U1";
    f.created_at = at(2500);
    return f;
}

// Incident `number` resolved, as the engine saves it: no deadlines left.
static void resolve(storage::incident_repository& repo, std::int64_t number, time_point now) {
    auto resolved = *repo.find(number);
    resolved.status = commands::incident_status::resolved;
    resolved.due = {};
    commands::decision d;
    d.save = resolved;
    repo.apply(d, now);
}

TEST_CASE("open incidents are counted by severity and listed with their roles") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "a", at(1000)), at(1000));
    repo.apply(declare(2, "b", at(2000)), at(2000));
    resolve(repo, 2, at(3000));

    auto open = repo.list_open();
    REQUIRE(open.size() == 1);
    CHECK(open[0].roles.at("commander") == "U2");
    CHECK(open[0].due.ack == at(1300));
    CHECK(repo.open_by_severity() == std::map<std::string, std::size_t>{{"P1", 1}});
    CHECK(repo.list_declared_since(at(1500)).size() == 1);
    CHECK(repo.list_declared_since(at(0)).size() == 2);
}

TEST_CASE("every open incident's timeline and follow-ups in one read each, as each incident's own reads give them") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    for (std::int64_t n = 1; n <= 3; ++n) repo.apply(declare(n, "i" + std::to_string(n), at(1000)), at(1000));
    // Rows of the three interleaved, and incident 2 resolved with its own.
    commands::decision more;
    for (int i = 0; i < 3; ++i)
        for (std::int64_t n : {3, 1, 2}) more.timeline.push_back({n, at(2000 + i), "U1", "note", "n" + std::to_string(n) + "." + std::to_string(i)});
    std::int64_t id = 1;
    for (std::int64_t n : {3, 2, 1, 3}) more.followups.push_back(followup_of(n, id++));
    repo.apply(more, at(2500));
    resolve(repo, 2, at(3000));

    std::vector<commands::timeline_entry> expected_timeline;
    std::vector<commands::followup> expected_followups;
    for (std::int64_t n : {1, 3}) {
        for (auto& e : repo.timeline(n)) expected_timeline.push_back(e);
        for (auto& f : repo.followups_of(n)) expected_followups.push_back(f);
    }
    REQUIRE(expected_timeline.size() == 8);
    auto timelines = repo.open_timelines();
    REQUIRE(timelines.size() == expected_timeline.size());
    for (std::size_t i = 0; i < timelines.size(); ++i) {
        INFO(i);
        CHECK(timelines[i].incident == expected_timeline[i].incident);
        CHECK(timelines[i].at == expected_timeline[i].at);
        CHECK(timelines[i].actor == expected_timeline[i].actor);
        CHECK(timelines[i].kind == expected_timeline[i].kind);
        CHECK(timelines[i].text == expected_timeline[i].text);
    }
    CHECK(timelines[1].text == "n1.0");
    CHECK(timelines[4].incident == 3);
    auto followups = repo.open_incidents_followups();
    REQUIRE(followups.size() == 3);
    std::vector<std::int64_t> ids;
    for (const auto& f : followups) ids.push_back(f.id);
    CHECK(ids == std::vector<std::int64_t>{3, 1, 4});
    CHECK(followups[2].text == "follow-up 4");

    // Every incident's channel, the resolved one's too.
    repo.set_channel(3, "C3", "incident-20261124-3-renamed");
    auto channels = repo.incident_channels();
    REQUIRE(channels.size() == 3);
    CHECK(channels[1].number == 2);
    CHECK(channels[1].name == "incident-20261124-2");
    CHECK(channels[1].id.empty());
    CHECK(channels[2].id == "C3");
    CHECK(channels[2].name == "incident-20261124-3-renamed");
}

TEST_CASE("a set of incidents with their details, timelines and follow-ups in one read each, as each one's own reads give them") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    // More than one IN list's worth (in_list_max), so the set is read in slices.
    const std::int64_t count = static_cast<std::int64_t>(storage::in_list_max) + 20;
    for (std::int64_t n = 1; n <= count; ++n) {
        auto d = declare(n, "i" + std::to_string(n), at(1000));
        if (n % 3 == 0) {
            d.save->roles["scribe"] = "U" + std::to_string(n);
            d.save->impacts["api"] = commands::component_impact::degraded;
            commands::public_note note;
            note.seq = 1;
            note.text = "first note of " + std::to_string(n);
            note.author = "U1";
            note.created_at = at(1000);
            d.save->public_notes.push_back(note);
            note.seq = 2;
            note.text = "second note of " + std::to_string(n);
            d.save->public_notes.push_back(note);
            for (const char* target : {"team-b", "team-a"}) {
                commands::page_state p;
                p.target = target;
                p.paged_at = at(1000);
                p.paged_by = "U1";
                p.changed_at = at(1000);
                d.save->pages.push_back(p);
            }
        }
        repo.apply(d, at(1000));
    }
    commands::decision more;
    std::int64_t id = 1;
    for (int i = 0; i < 2; ++i)
        for (std::int64_t n = count; n >= 1; n -= 7) {
            more.timeline.push_back({n, at(2000 + i), "U1", "note", "n" + std::to_string(n) + "." + std::to_string(i)});
            more.followups.push_back(followup_of(n, id++));
        }
    repo.apply(more, at(2500));

    // Every third, the last ones (a second, padded slice), and one that does not exist.
    std::vector<std::int64_t> numbers;
    for (std::int64_t n = 1; n <= count + 1; ++n)
        if (n % 3 == 0 || n > count - 10) numbers.push_back(n);
    auto found = repo.find_incidents(numbers);
    auto timelines = repo.timelines_of(numbers);
    auto followups = repo.followups_of_incidents(numbers);
    std::size_t at_timeline = 0, at_followup = 0;
    auto f = found.begin();
    for (auto n : numbers) {
        INFO("incident " << n);
        auto one = repo.find(n);
        if (!one) {
            CHECK((f == found.end() || f->number != n));
            continue;
        }
        REQUIRE(f != found.end());
        const auto& many = *f++;
        CHECK(many.number == n);
        CHECK(many.title == one->title);
        CHECK(many.roles == one->roles);
        CHECK(many.due.ack == one->due.ack);
        CHECK(many.due.update == one->due.update);
        CHECK(many.impacts == one->impacts);
        REQUIRE(many.public_notes.size() == one->public_notes.size());
        for (std::size_t i = 0; i < many.public_notes.size(); ++i) {
            CHECK(many.public_notes[i].seq == one->public_notes[i].seq);
            CHECK(many.public_notes[i].text == one->public_notes[i].text);
        }
        REQUIRE(many.pages.size() == one->pages.size());
        for (std::size_t i = 0; i < many.pages.size(); ++i) CHECK(many.pages[i].target == one->pages[i].target);
        for (const auto& e : repo.timeline(n)) {
            REQUIRE(at_timeline < timelines.size());
            CHECK(timelines[at_timeline].incident == n);
            CHECK(timelines[at_timeline].at == e.at);
            CHECK(timelines[at_timeline++].text == e.text);
        }
        for (const auto& e : repo.followups_of(n)) {
            REQUIRE(at_followup < followups.size());
            CHECK(followups[at_followup++].id == e.id);
        }
    }
    CHECK(f == found.end());
    CHECK(at_timeline == timelines.size());
    CHECK(at_followup == followups.size());
    CHECK(found.size() == numbers.size() - 1);
    CHECK(found[0].public_notes.size() == 2);
    CHECK(found[0].pages.size() == 2);
    CHECK(found[0].pages[0].target == "team-b");
    CHECK_FALSE(timelines.empty());
    CHECK_FALSE(followups.empty());
    CHECK(repo.find_incidents({}).empty());
}

TEST_CASE("recent open incidents: newest first, bounded, resolved ones left out") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    for (int n = 1; n <= 8; ++n) repo.apply(declare(n, "storm " + std::to_string(n), at(1000 + n)), at(1000 + n));
    auto resolved = repo.find(7);
    REQUIRE(resolved);
    resolved->status = commands::incident_status::resolved;
    resolved->resolved_at = at(1100);
    commands::decision close;
    close.save = *resolved;
    repo.apply(close, at(1100));

    auto recent = repo.recent_open(at(1003), 3);
    REQUIRE(recent.size() == 3);
    CHECK(recent[0].number == 8);
    CHECK(recent[1].number == 6);  // 7 is resolved
    CHECK(recent[2].number == 5);
    CHECK(repo.recent_open(at(1007), 10).size() == 1);  // only 8: 7 is resolved

    // Resolved since a time: by when it was resolved, not when it was declared.
    auto resolved_recently = repo.list_resolved_since(at(1050));
    REQUIRE(resolved_recently.size() == 1);
    CHECK(resolved_recently[0].number == 7);
    CHECK(repo.list_resolved_since(at(1101)).empty());
}

TEST_CASE("the summary's ts is stored once posted and survives later saves of the incident") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "a", at(1000)), at(1000));
    auto before = repo.find(1);  // as the engine read it before the summary went out
    REQUIRE(before);
    CHECK(before->summary_ts.empty());

    repo.set_channel(1, "C123", "incident-20261124-1");
    repo.set_summary(1, "1764000000.000100");
    CHECK(repo.find(1)->summary_ts == "1764000000.000100");
    CHECK(repo.find_by_channel("C123")->summary_ts == "1764000000.000100");
    REQUIRE(repo.list_open().size() == 1);
    CHECK(repo.list_open()[0].summary_ts == "1764000000.000100");

    // An engine save of the incident as read now keeps it...
    auto current = repo.find(1);
    current->severity = "P2";
    commands::decision change;
    change.save = *current;
    repo.apply(change, at(1100));
    CHECK(repo.find(1)->severity == "P2");
    CHECK(repo.find(1)->summary_ts == "1764000000.000100");

    // ...and so does a save of a copy read before the summary was posted.
    before->status = commands::incident_status::mitigating;
    commands::decision stale;
    stale.save = *before;
    repo.apply(stale, at(1200));
    auto after = repo.find(1);
    CHECK(after->status == commands::incident_status::mitigating);
    CHECK(after->summary_ts == "1764000000.000100");

    // Still there after a reopen.
    {
        storage::database again(t.location);
        storage::incident_repository repo2(again);
        CHECK(repo2.find(1)->summary_ts == "1764000000.000100");
    }
}

TEST_CASE("a summary update is superseded by a newer one, pending or delivered, not by a dead one") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "a", at(1000)), at(1000));
    repo.apply(declare(2, "b", at(1000)), at(1000));
    auto update = [&](std::int64_t incident, const std::string& text) {
        commands::decision d;
        commands::action a;
        a.kind = commands::action_kind::update_summary;
        a.incident = incident;
        a.body = {text, ""};
        d.actions.push_back(a);
        repo.apply(d, at(1100));
    };
    update(1, "first");
    update(2, "other incident");
    update(1, "second");
    std::vector<storage::outbox_entry> updates;
    for (auto& e : repo.pending_actions(at(1100)))
        if (e.act.kind == commands::action_kind::update_summary) updates.push_back(e);
    REQUIRE(updates.size() == 3);
    CHECK(updates[0].act.body.text == "first");
    CHECK(storage::describe_action(updates[0]) == "update_summary for INC-1 (edits the pinned summary)");

    CHECK(repo.has_newer_summary_update(1, updates[0].id));        // "second" is queued
    CHECK_FALSE(repo.has_newer_summary_update(1, updates[2].id));  // the newest
    CHECK_FALSE(repo.has_newer_summary_update(2, updates[1].id));  // incident 1's do not count

    repo.mark_delivered(updates[2].id, at(1101));
    CHECK(repo.has_newer_summary_update(1, updates[0].id));  // delivered: still newer
    repo.mark_dead(updates[2].id, "message_not_found", at(1101));
    CHECK_FALSE(repo.has_newer_summary_update(1, updates[0].id));  // dead: never shown
}

TEST_CASE("a database file deleted under the open connection is noticed, and stays noticed", "[sqlite]") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "kept", at(1000)), at(1000));
    CHECK_FALSE(db.problem());
    CHECK_NOTHROW(db.ensure_usable());
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(t.path.string() + suffix);
    REQUIRE(db.problem());
    CHECK_THAT(*db.problem(), Catch::Matchers::Contains("deleted") && Catch::Matchers::Contains(t.path.string()));
    CHECK_THROWS_WITH(db.ensure_usable(), Catch::Matchers::Contains("nothing can be saved"));
    // A new file at the path is not the one this connection writes to.
    { storage::database other(t.path.string()); }
    CHECK(db.problem());
}

TEST_CASE("a database file replaced by another under the open connection is noticed", "[sqlite]") {
    temp_db t, other;
    storage::database db(t.location);
    { storage::database second(other.path.string()); }
    fs::rename(other.path, t.path);
    REQUIRE(db.problem());
    CHECK_THAT(*db.problem(), Catch::Matchers::Contains("replaced"));
}

TEST_CASE("an in-memory database has no file to lose", "[sqlite]") {
    storage::database db(":memory:");
    CHECK_FALSE(db.problem());
}

TEST_CASE("a new database and its -wal and -shm are readable by their owner only", "[sqlite]") {
    temp_db t;
    auto old = ::umask(022);
    {
        storage::database db(t.location);
        storage::incident_repository repo(db);
        repo.apply(declare(1, "secret title", at(1000)), at(1000));
        for (const char* suffix : {"", "-wal", "-shm"}) {
            auto p = fs::path(t.path.string() + suffix);
            INFO(p);
            REQUIRE(fs::exists(p));
            auto perms = fs::status(p).permissions();
            CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
        }
    }
    ::umask(old);
}

TEST_CASE("create_owner_only makes a file 0600, and with replace a leftover too, emptied", "[sqlite]") {
    temp_db t;
    const std::string p = t.path.string() + ".out";
    auto old = ::umask(022);
    CHECK_FALSE(storage::create_owner_only(p));
    CHECK(fs::status(p).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(storage::create_owner_only(p) == std::errc::file_exists);  // never taken over without replace
    { std::ofstream(p) << "old report"; }
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    CHECK_FALSE(storage::create_owner_only(p, /*replace=*/true));
    CHECK(fs::status(p).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(fs::file_size(p) == 0);
    ::umask(old);
    fs::remove(p);
}

TEST_CASE("a database with a zeroed page is refused at open, saying it is damaged", "[sqlite]") {
    temp_db t;
    {
        storage::database db(t.location);
        storage::incident_repository repo(db);
        for (int n = 1; n <= 60; ++n) repo.apply(declare(n, std::string(400, 'x'), at(1000)), at(1000));
        db.sql().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    std::int64_t page = 0, pages = 0;
    {
        SQLite::Database raw(t.path.string(), SQLite::OPEN_READONLY);
        page = raw.execAndGet("PRAGMA page_size").getInt64();
        pages = raw.execAndGet("PRAGMA page_count").getInt64();
    }
    REQUIRE(pages > 4);
    {
        std::fstream f(t.path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(page * (pages - 2));  // a page near the end: the newest rows
        std::string zeros(static_cast<std::size_t>(page), '\0');
        f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    CHECK_THROWS_WITH(storage::database(t.path.string()),
                      Catch::Matchers::Contains("damaged") && Catch::Matchers::Contains("backup"));
}

TEST_CASE("an empty database file is started as a new database, with a warning", "[sqlite]") {
    temp_db t;
    { std::ofstream touch(t.path); }
    std::ostringstream logged;
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged)));
    {
        storage::database db(t.location);
        CHECK(db.schema_version() == storage::database::latest_schema_version());
    }
    spdlog::set_default_logger(previous);
    CHECK_THAT(logged.str(), Catch::Matchers::Contains("is empty (0 bytes)") &&
                                 Catch::Matchers::Contains(t.path.string()));
}

TEST_CASE("components, public updates and the status-page clock are stored with the incident and survive a restart") {
    temp_db t;
    {
        storage::database db(t.location);
        storage::incident_repository repo(db);
        auto d = declare(1, "Checkout down", at(1000));
        d.save->impacts = {{"API", commands::component_impact::major_outage}, {"Web app", commands::component_impact::degraded}};
        d.save->due.public_update = at(1600);
        commands::public_note draft;
        draft.seq = 1;
        draft.phase = commands::public_phase::identified;
        draft.text = "Payments fail for some customers 🔥";
        draft.author = "U3";
        draft.created_at = at(1100);
        draft.title = "Payments delayed";
        d.save->public_notes.push_back(draft);
        repo.apply(d, at(1000));

        // Published later, a component cleared: saved in place, nothing doubled.
        auto inc = *repo.find(1);
        REQUIRE(inc.public_notes.size() == 1);
        CHECK_FALSE(inc.public_notes[0].published());
        inc.public_notes[0].published_at = at(1200);
        inc.public_notes[0].published_by = "U2";
        inc.impacts.erase("Web app");
        commands::decision later;
        later.save = inc;
        repo.apply(later, at(1200));
        CHECK(repo.due_timers(at(1600)).back().kind == commands::timer_kind::public_update);
    }
    storage::database db(t.location);
    storage::incident_repository repo(db);
    // Read one by one and in a scan of many (more than 16), the same.
    for (int n = 2; n <= 20; ++n) repo.apply(declare(n, "x", at(1000 + n)), at(1000 + n));
    auto one = *repo.find(1);
    std::optional<commands::incident> scanned;
    for (auto& inc : repo.list_open())
        if (inc.number == 1) scanned = inc;
    REQUIRE(scanned);
    for (const auto* inc : {&one, &*scanned}) {
        REQUIRE(inc->impacts.size() == 1);
        CHECK(inc->impacts.at("API") == commands::component_impact::major_outage);
        REQUIRE(inc->public_notes.size() == 1);
        const auto& n = inc->public_notes[0];
        CHECK(n.seq == 1);
        CHECK(n.phase == commands::public_phase::identified);
        CHECK(n.text == "Payments fail for some customers 🔥");
        CHECK(n.author == "U3");
        CHECK(n.created_at == at(1100));
        CHECK(n.published_at == at(1200));
        CHECK(n.published_by == "U2");
        CHECK(n.title == "Payments delayed");
        CHECK(inc->due.public_update == at(1600));
    }
    CHECK(repo.find(2)->public_notes.empty());
}

TEST_CASE("scheduled maintenances are stored, found by their end, and cancelled in place") {
    temp_db t;
    storage::database db(t.location);
    storage::incident_repository repo(db);
    CHECK(repo.next_maintenance_id() == 1);
    commands::maintenance m;
    m.id = 1;
    m.title = "Database upgrade 🔧";
    m.starts_at = at(5000);
    m.ends_at = at(9000);
    m.components = {"API", "Web app"};
    m.created_by = "U1";
    m.created_at = at(1000);
    commands::decision d;
    d.maintenances.push_back(m);
    repo.apply(d, at(1000));
    CHECK(repo.next_maintenance_id() == 2);
    auto read = repo.find_maintenance(1);
    REQUIRE(read);
    CHECK(read->title == "Database upgrade 🔧");
    CHECK(read->components == std::vector<std::string>{"API", "Web app"});
    CHECK(read->starts_at == at(5000));
    CHECK(read->ends_at == at(9000));
    CHECK(read->created_by == "U1");
    CHECK_FALSE(read->cancelled_at);
    CHECK(repo.maintenances_ending_after(at(8999)).size() == 1);
    CHECK(repo.maintenances_ending_after(at(9000)).empty());

    read->cancelled_at = at(2000);
    commands::decision cancel;
    cancel.maintenances.push_back(*read);
    repo.apply(cancel, at(2000));
    CHECK(repo.find_maintenance(1)->cancelled_at == at(2000));
    CHECK(repo.maintenances_ending_after(at(0)).size() == 1);
}

TEST_CASE("page states are stored with their incident, in the order they were paged") {
    temp_db f;
    storage::database db(f.location);
    storage::incident_repository repo(db);
    auto d = declare(1, "checkout", at(1000));
    d.save->pages.push_back({"payments-oncall", commands::page_status::triggered, at(1000), "U1", at(1000), "U1", ""});
    d.save->pages.push_back({"a-security", commands::page_status::triggered, at(1001), "", at(1001), "", ""});
    repo.apply(d, at(1000));
    auto inc = *repo.find(1);
    inc.pages[0].status = commands::page_status::acknowledged;
    inc.pages[0].changed_by = "Jane Doe";
    inc.pages[0].via = "PagerDuty";
    inc.pages[0].changed_at = at(1100);
    commands::decision ack;
    ack.save = inc;
    repo.apply(ack, at(1100));
    auto back = *repo.find(1);
    REQUIRE(back.pages.size() == 2);
    CHECK(back.pages[0].target == "payments-oncall");  // not sorted by name: paged first, shown first
    CHECK(back.pages[0].status == commands::page_status::acknowledged);
    CHECK(back.pages[0].via == "PagerDuty");
    CHECK(back.pages[0].changed_by == "Jane Doe");
    CHECK(back.pages[0].changed_at == at(1100));
    CHECK(back.pages[0].paged_by == "U1");
    CHECK(back.pages[1].target == "a-security");
    CHECK(repo.list_open().front().pages.size() == 2);
}

TEST_CASE("the integration outbox keeps each target's order and never mixes with Slack's") {
    temp_db f;
    storage::database db(f.location);
    storage::incident_repository repo(db);
    repo.apply(declare(1, "checkout", at(1000)), at(1000));
    auto& q = repo.integrations();
    q.enqueue({{1, "pager", "pd", "[pagerduty pd] trigger INC-1", R"({"n":1})"},
               {1, "pager", "og", "[opsgenie og] trigger INC-1", R"({"n":2})"},
               {1, "pager", "pd", "[pagerduty pd] acknowledge INC-1", R"({"n":3})"}},
              at(1000));
    auto due = q.due(at(1000), 10);
    REQUIRE(due.size() == 2);  // pd's acknowledge waits behind its trigger
    CHECK(due[0].act.summary == "[pagerduty pd] trigger INC-1");
    CHECK(due[1].act.target == "og");
    q.mark_failed(due[0].id, "pagerduty: 500", at(1060));
    q.mark_delivered(due[1].id, at(1000));
    CHECK(q.due(at(1000), 10).empty());  // the trigger backs off, its acknowledge behind it
    CHECK(q.next_attempt() == at(1060));
    CHECK(q.due(at(1060), 10).front().attempts == 1);
    q.mark_dead(due[0].id, "pagerduty: 400 invalid event", at(1060));
    CHECK(q.due(at(1060), 10).front().act.summary == "[pagerduty pd] acknowledge INC-1");
    CHECK(q.dead(10).front().last_error == "pagerduty: 400 invalid event");
    CHECK(q.counts().at({"pager", "dead"}) == 1);
    CHECK(q.retry_dead(at(1100)) == 1);
    // Slack's delivery reads its own queue only: the declare's two actions.
    CHECK(repo.pending_actions(at(2000)).size() == 2);
// Several replicas share one database (PostgreSQL); the claim rules are
// plain SQL, so they are checked on both backends with two connections.
}

TEST_CASE("a replica's claim keeps an incident's queue its own until the lease runs out") {
    temp_db t;
    storage::database a_db(t.location), b_db(t.location);
    storage::incident_repository a(a_db), b(b_db);
    a.apply(declare(1, "a", at(1000)), at(1000));  // create_channel, summary
    a.apply(declare(2, "b", at(1000)), at(1000));

    auto mine = a.claim_actions(at(1000), 1, "one", at(1015));  // incident 1's head only
    REQUIRE(mine.size() == 1);
    CHECK(mine[0].act.incident == 1);
    // The other replica gets incident 2, and nothing of incident 1: not even
    // its summary, which must wait for the channel replica one is creating.
    auto theirs = b.claim_actions(at(1001), 10, "two", at(1016));
    REQUIRE(theirs.size() == 2);
    CHECK(theirs[0].act.incident == 2);
    CHECK(theirs[1].act.incident == 2);
    CHECK(a.live_leases(at(1001)) == std::map<std::string, std::size_t>{{"one", 1}, {"two", 2}});

    // Replica one delivers its head: the release lets anyone take the rest, in
    // order (replica two's next round also has again what it already holds).
    a.mark_delivered(mine[0].id, at(1002));
    auto next = b.claim_actions(at(1002), 10, "two", at(1017));
    REQUIRE(next.size() == 3);
    CHECK(next[0].act.incident == 1);
    CHECK(next[0].id > mine[0].id);

    // Replica two dies holding all of it: after its lease, replica one takes over.
    CHECK(a.claim_actions(at(1016), 10, "one", at(1031)).empty());
    auto taken = a.claim_actions(at(1017), 10, "one", at(1032));
    CHECK(taken.size() == 3);
    CHECK(a.live_leases(at(1017)) == std::map<std::string, std::size_t>{{"one", 3}});
    // Renewed while it works; a failed attempt releases the entry for a later retry by anyone.
    CHECK(a.renew_leases("one", at(1040)) == 3);
    a.mark_failed(taken[0].id, "ratelimited", at(1020));
    CHECK(a.live_leases(at(1017)) == std::map<std::string, std::size_t>{{"one", 2}});
}

// `warroom migrate-db`: from a SQLite file into the database under test (a
// second SQLite file, or PostgreSQL in the PostgreSQL pass), and back into a
// new SQLite file, which then reads as the original did.
TEST_CASE("every table is copied into an empty database and back, ids continuing after the copied ones") {
    temp_db original, back;
    temp_db t;
    {
        storage::database src(original.path.string());
        storage::incident_repository repo(src);
        repo.apply(declare(1, "Checkout down 🔥", at(1000)), at(1000));
        repo.apply(declare(2, "it's 'quoted'", at(1100)), at(1100));
        repo.remember_request("Ev1", at(1000));
        repo.mark_dead(repo.pending_actions(at(1000))[0].id, "channel_not_found", at(1001));
    }
    std::map<std::string, std::size_t> copied;
    {
        storage::database src(original.path.string());
        storage::database dest(t.location);
        for (const auto& c : storage::copy_database(src, dest)) {
            CHECK(c.copied_rows == c.source_rows);
            copied[c.table] = c.copied_rows;
        }
        CHECK(copied.at("incidents") == 2);
        CHECK(copied.at("timeline") == 2);
        CHECK(copied.at("outbox") == 4);
        CHECK(copied.at("seen_requests") == 1);
        CHECK(copied.at("roles") == 2);
        CHECK(copied.at("timers") == 4);

        storage::incident_repository repo(dest);
        CHECK(repo.find(2)->title == "it's 'quoted'");
        CHECK(repo.find(1)->roles.at("commander") == "U2");
        CHECK(repo.next_number() == 3);
        CHECK(repo.seen_request("Ev1"));
        CHECK(repo.dead_actions().size() == 1);
        CHECK(repo.next_deadline() == at(1300));
        // New rows get ids after the copied ones (PostgreSQL's identity sequences are moved on).
        auto before = repo.pending_actions(at(2000));
        repo.apply(declare(3, "after the move", at(2000)), at(2000));
        auto after = repo.pending_actions(at(2000), 100);
        CHECK(after.size() == before.size() + 2);
        CHECK(after.back().id > before.back().id);
        // Into a database in use: refused, nothing changed.
        storage::database again(original.path.string());
        CHECK_THROWS_WITH(storage::copy_database(again, dest), Catch::Matchers::Contains("already holds incidents"));
        CHECK(repo.find(3));
    }
    // And back, to move away from PostgreSQL.
    storage::database dest(t.location);
    storage::database home(back.path.string());
    storage::copy_database(dest, home);
    storage::incident_repository repo(home);
    CHECK(repo.find(3)->title == "after the move");
    CHECK(repo.next_number() == 4);
    CHECK(repo.timeline(1).size() == 1);
}
