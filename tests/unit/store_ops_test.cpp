// The database thread's named operations, against real SQLite in a temp dir:
// what delivery reads for a round and what it writes back after Slack answers.
#include "bot/store_ops.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <random>
#include <set>

using namespace warroom;
using namespace std::chrono_literals;

namespace {

struct fixed_clock : bot::clock {
    commands::time_point t{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours(10)};
    commands::time_point now() const override { return t; }
};

// The outbox ids a round would deliver.
std::set<std::int64_t> ids(const bot::store_ops::outbox_round& r) {
    std::set<std::int64_t> out;
    for (const auto& e : r.entries) out.insert(e.id);
    return out;
}

struct scratch_store {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("warroom-store-ops-" + std::to_string(std::random_device{}()));
    fixed_clock clk;
    bot::config cfg;
    std::unique_ptr<bot::runtime> rt;
    std::unique_ptr<bot::store_ops> ops;
    scratch_store() {
        std::filesystem::create_directories(dir);
        cfg.db_path = (dir / "w.db").string();
        rt = std::make_unique<bot::runtime>(cfg, clk);
        ops = std::make_unique<bot::store_ops>(*rt);
    }
    ~scratch_store() {
        ops.reset();
        rt.reset();
        std::filesystem::remove_all(dir);
    }
    void run(const std::string& text, const std::string& trigger) { rt->handle({"U1", "C1", text, "trigger:" + trigger}); }
    const storage::outbox_entry* first_of(const bot::store_ops::outbox_round& r, commands::action_kind k) {
        auto it = std::find_if(r.entries.begin(), r.entries.end(), [&](const auto& e) { return e.act.kind == k; });
        return it == r.entries.end() ? nullptr : &*it;
    }
};

}  // namespace

TEST_CASE("a delivery round reads what is due with its incident, and marks older summary edits as superseded") {
    scratch_store s;
    s.run("declare P2 disk full on db-3", "1");
    s.run("severity INC-1 P1", "2");
    s.run("severity INC-1 P3", "3");

    auto round = s.ops->read_outbox_round(s.clk.t, 100);
    REQUIRE_FALSE(round.entries.empty());
    REQUIRE(s.first_of(round, commands::action_kind::create_channel));
    REQUIRE(round.incidents.count(1) == 1);
    CHECK(round.incidents.at(1).title == "disk full on db-3");

    std::vector<std::int64_t> summaries;
    for (const auto& e : round.entries)
        if (e.act.kind == commands::action_kind::update_summary) summaries.push_back(e.id);
    REQUIRE(summaries.size() == 2);
    CHECK(round.superseded.count(summaries[0]) == 1);  // the P3 edit replaces the P1 one
    CHECK(round.superseded.count(summaries[1]) == 0);

    SECTION("the round's limit is the caller's") {
        CHECK(s.ops->read_outbox_round(s.clk.t, 1).entries.size() == 1);
    }
    SECTION("an empty queue says nothing is due and when the next attempt is") {
        scratch_store empty;
        auto none = empty.ops->read_outbox_round(empty.clk.t, 100);
        CHECK(none.entries.empty());
        CHECK_FALSE(none.next);
    }
    SECTION("a queue whose heads are all deferred says when the first of them falls due") {
        std::vector<std::pair<std::int64_t, commands::time_point>> later;
        for (const auto& e : round.entries)
            if (e.act.kind == commands::action_kind::create_channel) later.emplace_back(e.id, s.clk.t + 30s);
        REQUIRE(later.size() == 1);
        s.ops->settle_round(later, {}, s.clk.t);
        auto waiting = s.ops->read_outbox_round(s.clk.t, 100);
        CHECK(waiting.entries.empty());  // the rest of INC-1's queue waits behind its channel
        REQUIRE(waiting.next);
        CHECK(*waiting.next == s.clk.t + 30s);
        CHECK(s.ops->read_outbox_round(s.clk.t + 30s, 100).entries.size() == round.entries.size());
    }
}

TEST_CASE("recording a delivered action stores what Slack taught us and takes it off the queue") {
    scratch_store s;
    s.run("declare P2 disk full on db-3", "1");
    auto round = s.ops->read_outbox_round(s.clk.t, 100);
    const auto* create = s.first_of(round, commands::action_kind::create_channel);
    REQUIRE(create);

    bot::store_ops::delivery_outcome o;
    o.result = bot::store_ops::delivery_outcome::delivered;
    o.id = create->id;
    o.incident = 1;
    o.channel_id = "C777";
    o.channel_name = "inc-1-disk-full";
    o.posted_ts = "1700000000.000100";
    o.now = s.clk.t;
    s.ops->record_outcome(o);

    auto inc = s.ops->find(1);
    REQUIRE(inc);
    CHECK(inc->channel_id == "C777");
    CHECK(s.ops->is_incident_channel("C777"));
    CHECK(s.ops->posted_ts(create->id) == "1700000000.000100");
    auto after = s.ops->read_outbox_round(s.clk.t, 100);
    CHECK(std::none_of(after.entries.begin(), after.entries.end(), [&](const auto& e) { return e.id == create->id; }));
    CHECK(s.ops->gauges().outbox.at("done") == 1);
}

TEST_CASE("a failed delivery waits for its retry time, and a dead one leaves the queue") {
    scratch_store s;
    s.run("declare P2 disk full on db-3", "1");
    auto round = s.ops->read_outbox_round(s.clk.t, 100);
    REQUIRE(round.entries.size() >= 2);
    auto first = round.entries[0].id, second = round.entries[1].id;

    bot::store_ops::delivery_outcome retry;
    retry.result = bot::store_ops::delivery_outcome::retry;
    retry.id = first;
    retry.error = "ratelimited";
    retry.retry_at = s.clk.t + 5min;
    retry.now = s.clk.t;
    s.ops->record_outcome(retry);

    bot::store_ops::delivery_outcome dead = retry;
    dead.result = bot::store_ops::delivery_outcome::dead;
    dead.id = second;
    dead.error = "channel_not_found";
    s.ops->record_outcome(dead);

    auto now = ids(s.ops->read_outbox_round(s.clk.t + 1min, 100));
    CHECK(now.count(first) == 0);
    CHECK(now.count(second) == 0);
    auto later = s.ops->read_outbox_round(s.clk.t + 6min, 100);
    CHECK(ids(later).count(first) == 1);
    CHECK(ids(later).count(second) == 0);
    CHECK(later.entries.front().last_error == "ratelimited");
    CHECK(s.ops->gauges().outbox.at("dead") == 1);

    SECTION("Slack answering again releases what was backing off") {
        CHECK(s.ops->retry_backed_off(s.clk.t + 1min) == 1);
        CHECK(ids(s.ops->read_outbox_round(s.clk.t + 1min, 100)).count(first) == 1);
    }
}

TEST_CASE("settling a round defers the paced actions and retires the superseded ones together") {
    scratch_store s;
    s.run("declare P2 disk full on db-3", "1");
    auto round = s.ops->read_outbox_round(s.clk.t, 100);
    REQUIRE(round.entries.size() >= 2);
    auto paced = round.entries[0].id, replaced = round.entries[1].id;

    CHECK(s.ops->settle_round({{paced, s.clk.t + 30s}}, {replaced}, s.clk.t) == 2);

    // The paced head holds its incident's queue until its time comes.
    CHECK(ids(s.ops->read_outbox_round(s.clk.t, 100)).count(paced) == 0);
    auto later = ids(s.ops->read_outbox_round(s.clk.t + 31s, 100));
    CHECK(later.count(paced) == 1);
    CHECK(later.count(replaced) == 0);  // superseded: done, never sent
    CHECK(later.size() == round.entries.size() - 1);
    CHECK(s.ops->gauges().outbox.at("done") == 1);
}

TEST_CASE("the health check and the gauges read the same store") {
    scratch_store s;
    s.run("declare P1 api down", "1");
    auto counts = s.ops->health_check();
    CHECK(counts.at("pending") > 0);
    auto g = s.ops->gauges();
    CHECK(g.outbox == counts);
    CHECK(g.open_by_severity.at("P1") == 1);

    SECTION("event IDs are remembered until forgotten") {
        CHECK(s.ops->remember_request("event:Ev1", s.clk.t));
        CHECK_FALSE(s.ops->remember_request("event:Ev1", s.clk.t));
        s.ops->forget_requests_before(s.clk.t + 1s);
        CHECK(s.ops->remember_request("event:Ev1", s.clk.t));
    }
}

TEST_CASE("the status page reads open incidents and those of the window, each with its timeline") {
    scratch_store s;
    s.run("declare P2 old outage", "1");
    s.run("resolve INC-1 fixed", "2");
    s.clk.t += std::chrono::days(100);
    s.run("declare P1 checkout slow", "3");
    s.run("declare P3 search stale", "4");
    s.run("status INC-3 monitoring", "5");
    s.run("resolve INC-3 reindexed", "6");

    auto rows = s.ops->status_page_incidents(s.clk.t - std::chrono::days(91));
    std::vector<std::int64_t> numbers;
    for (const auto& r : rows) numbers.push_back(r.inc.number);
    CHECK(numbers == std::vector<std::int64_t>{2, 3});  // INC-1 was resolved before the window
    const auto& search = rows[1];
    std::vector<std::string> kinds;
    for (const auto& e : search.timeline) kinds.push_back(e.kind);
    CHECK(std::count(kinds.begin(), kinds.end(), "status") == 1);
    CHECK(std::count(kinds.begin(), kinds.end(), "resolved") == 1);

    SECTION("an incident still open from before the window is there too") {
        auto later = s.ops->status_page_incidents(s.clk.t + std::chrono::days(200));
        REQUIRE(later.size() == 1);
        CHECK(later[0].inc.number == 2);
    }
}

TEST_CASE("a timer pass says how late each timer it fired was against its deadline") {
    scratch_store s;
    s.run("declare P1 checkout is down", "1");
    auto armed = s.ops->fire_due();
    CHECK(armed.fired == 0);
    CHECK(armed.lateness.empty());
    REQUIRE(armed.next);

    // warroom was busy (or stopped) for 7 s past the first deadline.
    s.clk.t = *armed.next + 7s;
    auto p = s.ops->fire_due();
    REQUIRE(p.fired >= 1);
    REQUIRE(p.lateness.size() == p.fired);
    // The earliest deadline is the latest fired; any other came due since, so later, never before.
    CHECK(*std::max_element(p.lateness.begin(), p.lateness.end()) == std::chrono::duration<double>(7));
    for (auto late : p.lateness) CHECK(late.count() >= 0);
}
