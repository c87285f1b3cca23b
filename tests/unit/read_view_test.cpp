// The in-memory read view (#16): `show`, `list` and `timeline` answered on
// the network thread from what the database thread published after its commit.
// Every check compares the view's answer with the database's own answer to
// the same command at the same instant: the view is right when it says
// exactly what the database path would, and it says nothing when it cannot.
// Readers on other threads while the writer commits: read_view_threads_test.cpp.
#include "bot/db_worker.hpp"
#include "bot/read_view.hpp"
#include "bot/runtime.hpp"
#include "bot/store_ops.hpp"
#include "storage/incident_repository.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace warroom;
namespace asio = boost::asio;

namespace {

struct fixed_clock : bot::clock {
    commands::time_point t{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours(9)};
    commands::time_point now() const override { return t; }
};

// serve's wiring in miniature: the runtime with its view, the database
// thread, and a reader used from the test's own (network) thread.
struct served {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("warroom-read-view-" + std::to_string(std::random_device{}()));
    fixed_clock clk;
    bot::config cfg;
    std::unique_ptr<bot::runtime> rt;
    std::unique_ptr<bot::read_view> view;
    std::unique_ptr<bot::db_worker> db;
    std::unique_ptr<bot::view_reader> reader;
    asio::io_context io;

    served() {
        std::filesystem::create_directories(dir);
        cfg.db_path = (dir / "w.db").string();
        start();
    }
    ~served() {
        stop();
        std::filesystem::remove_all(dir);
    }
    void start() {
        rt = std::make_unique<bot::runtime>(cfg, clk);
        view = std::make_unique<bot::read_view>();
        rt->attach_view(view.get());
        db = std::make_unique<bot::db_worker>(*rt);
        reader = std::make_unique<bot::view_reader>(*view, cfg, clk);
    }
    void stop() {
        reader.reset();
        db.reset();
        view.reset();
        rt.reset();
    }
    // Runs `body` as a coroutine on the test thread until it ends.
    template <class F>
    void on_network_thread(F body) {
        asio::co_spawn(io, std::move(body), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        io.restart();
        io.run();
    }
    // A command through the database thread (group commit), as serve submits it.
    commands::outcome submit(const std::string& text, const std::string& user = "U1", const std::string& channel = "C1") {
        commands::outcome out;
        on_network_thread([&]() -> net::task<void> {
            commands::request req{user, channel, text};
            out = co_await db->submit(req);
        });
        return out;
    }
    std::optional<commands::message> from_view(const std::string& text, const std::string& user = "U1",
                                               const std::string& channel = "C1") {
        return reader->try_answer({user, channel, text});
    }
    // The database path's answer to a read (what serve gave before the view).
    std::string from_database(const std::string& text, const std::string& user = "U1", const std::string& channel = "C1") {
        return submit(text, user, channel).reply.text;
    }
    // Both paths agree, and the view did answer.
    void same_answer(const std::string& text, const std::string& user = "U1", const std::string& channel = "C1") {
        INFO(text << " by " << user << " in " << channel);
        auto seen = from_view(text, user, channel);
        REQUIRE(seen);
        CHECK(seen->text == from_database(text, user, channel));
    }
};

}  // namespace

TEST_CASE("a declaration is in the view before its caller hears back, so the next show sees it", "[read_view]") {
    served s;
    // Checked in the declaring coroutine itself, the instant it resumes: a
    // publish after the resume would lose this race most of the time.
    for (int k = 1; k <= 40; ++k) {
        std::optional<commands::message> seen;
        s.on_network_thread([&]() -> net::task<void> {
            commands::request req{"U1", "C1", "declare P2 disk full on db-" + std::to_string(k)};
            auto done = co_await s.db->submit(req);
            REQUIRE(done.created);
            seen = s.reader->try_answer({"U2", "C2", "show INC-" + std::to_string(k)});
        });
        INFO("INC-" << k);
        REQUIRE(seen);
        CHECK(seen->text.find("disk full on db-" + std::to_string(k)) != std::string::npos);
    }
    s.same_answer("show INC-7", "U2", "C2");
    s.same_answer("list", "U3", "C3");
}

TEST_CASE("an update, an acknowledgement, a role and a follow-up reach the view's show, list and timeline", "[read_view]") {
    served s;
    s.submit("declare P1 checkout is failing");
    s.submit("declare P3 slow dashboards");
    std::string before = s.from_view("show INC-1", "U2", "C2")->text;

    s.submit("update INC-1 payments provider returns 502s");
    auto after = s.from_view("show INC-1", "U2", "C2");
    REQUIRE(after);
    CHECK(after->text != before);
    CHECK(after->text.find("payments provider returns 502s") != std::string::npos);
    s.same_answer("show INC-1", "U2", "C2");

    s.submit("ack INC-1", "U7");
    s.submit("commander INC-1 <@U8>");
    s.submit("followup INC-1 add a circuit breaker owner <@U9>");
    s.submit("status INC-1 mitigating");
    s.same_answer("show INC-1", "U2", "C2");
    s.same_answer("timeline INC-1", "U2", "C2");
    s.same_answer("list", "U2", "C2");
    CHECK(s.from_view("show INC-1")->text.find("U8") != std::string::npos);
}

TEST_CASE("a resolved incident leaves the view and is answered by the database, up to date", "[read_view]") {
    served s;
    s.submit("declare P2 queue backlog");
    REQUIRE(s.from_view("show INC-1"));
    s.submit("resolve INC-1 drained the queue");
    // Not answered from memory: the database path says it is resolved.
    CHECK_FALSE(s.from_view("show INC-1"));
    CHECK(s.from_database("show INC-1").find("drained the queue") != std::string::npos);
    // And list no longer has it, from the view.
    s.same_answer("list");
    s.submit("reopen INC-1");
    s.same_answer("show INC-1");
}

TEST_CASE("what the view cannot answer exactly goes to the database", "[read_view]") {
    served s;
    s.submit("declare P2 old outage");
    s.submit("resolve INC-1 fixed");
    s.submit("declare P2 current outage");
    // Restarted: the view is loaded from the database with the open ones only.
    s.stop();
    s.start();
    CHECK_FALSE(s.from_view("show INC-1"));   // resolved before the start: not in memory
    CHECK_FALSE(s.from_view("show INC-99"));  // unknown: the database says so
    CHECK_FALSE(s.from_view("list all"));     // resolved ones are not in memory
    CHECK_FALSE(s.from_view("timeline INC-2 all"));  // posts to the channel: a write
    CHECK_FALSE(s.from_view("declare P2 again"));    // not a read at all
    CHECK(s.from_database("show INC-99").find("does not exist") != std::string::npos);
    s.same_answer("show INC-2");  // loaded at the start
    s.same_answer("list");
}

TEST_CASE("loaded at the start, every open incident has its own timeline and follow-ups, however their rows interleave", "[read_view]") {
    served s;
    s.submit("declare P2 first outage");
    s.submit("declare P3 second outage");
    s.submit("declare P2 third outage");
    s.submit("followup INC-3 alert on queue depth owner <@U9>");
    s.submit("update INC-1 still failing");
    s.submit("followup INC-1 add a circuit breaker owner <@U8>");
    s.submit("note INC-2 looking at the dashboards");
    s.submit("followup INC-2 write the postmortem");
    s.submit("ack INC-3", "U7");
    s.submit("resolve INC-2 fixed");
    s.stop();
    s.start();
    CHECK_FALSE(s.from_view("show INC-2"));  // resolved: not loaded
    for (const char* n : {"INC-1", "INC-3"}) {
        s.same_answer(std::string("show ") + n);
        s.same_answer(std::string("timeline ") + n);
    }
    CHECK(s.from_view("timeline INC-1")->text.find("still failing") != std::string::npos);
    CHECK(s.from_view("timeline INC-1")->text.find("looking at the dashboards") == std::string::npos);
    s.same_answer("list");
    // No read renders follow-ups yet: compare what was loaded with each incident's own reads.
    storage::database db(s.cfg.db_path);
    storage::incident_repository repo(db);
    auto snap = s.view->current();
    CHECK_FALSE(snap->find(2));
    for (std::int64_t n : {1, 3}) {
        INFO("INC-" << n);
        const auto* e = snap->find(n);
        REQUIRE(e);
        auto timeline = repo.timeline(n);
        REQUIRE(e->timeline.size() == timeline.size());
        for (std::size_t i = 0; i < timeline.size(); ++i) {
            CHECK(e->timeline[i].kind == timeline[i].kind);
            CHECK(e->timeline[i].text == timeline[i].text);
            CHECK(e->timeline[i].at == timeline[i].at);
        }
        auto followups = repo.followups_of(n);
        REQUIRE(e->followups.size() == followups.size());
        REQUIRE(followups.size() == 1);
        CHECK(e->followups[0].id == followups[0].id);
        CHECK(e->followups[0].text == followups[0].text);
        CHECK(e->followups[0].owner == followups[0].owner);
    }
    CHECK(snap->find(1)->followups[0].text.find("circuit breaker") != std::string::npos);
    CHECK(snap->find(3)->followups[0].text.find("queue depth") != std::string::npos);
}

TEST_CASE("the view learns the channel Slack created, and answers a show typed in it", "[read_view]") {
    served s;
    s.submit("declare P2 dns flapping");
    // Typed in a channel no incident has: the view knows it is nobody's.
    s.same_answer("show", "U1", "C-none");
    s.on_network_thread([&]() -> net::task<void> {
        // Named first: no temporaries inside a co_await (GCC 12, see DEVELOPERS.md).
        std::int64_t number = 1;
        std::string id = "CINC1", channel_name = "inc-1-dns";
        co_await s.db->run(&bot::store_ops::set_channel, number, id, channel_name);
    });
    auto here = s.from_view("show", "U5", "CINC1");
    REQUIRE(here);
    CHECK(here->text.find("dns flapping") != std::string::npos);
    s.same_answer("show", "U5", "CINC1");
}

TEST_CASE("a private incident is refused to a non-member from the view exactly as from the database", "[read_view][private]") {
    served s;
    s.submit("declare private P1 leaked credentials", "U1", "C1");
    auto refused = s.from_view("show INC-1", "U9", "C9");
    REQUIRE(refused);
    CHECK(refused->text.find("is private") != std::string::npos);
    CHECK(refused->text.find("leaked credentials") == std::string::npos);
    s.same_answer("show INC-1", "U9", "C9");
    s.same_answer("timeline INC-1", "U9", "C9");
    // Listed to its members only.
    s.same_answer("list", "U9", "C9");
    CHECK(s.from_view("list", "U9", "C9")->text.find("leaked credentials") == std::string::npos);
    // Its declarer sees it; someone made commander becomes a member.
    CHECK(s.from_view("show INC-1", "U1", "C9")->text.find("leaked credentials") != std::string::npos);
    s.submit("commander INC-1 <@U9>", "U1", "C1");
    CHECK(s.from_view("show INC-1", "U9", "C9")->text.find("leaked credentials") != std::string::npos);
    s.same_answer("show INC-1", "U9", "C9");
}

TEST_CASE("one refresh of a batch that touched several incidents leaves the view as the database answers", "[read_view]") {
    served s;
    for (int k = 1; k <= 6; ++k) s.submit("declare P3 outage number " + std::to_string(k));
    s.submit("followup INC-5 rotate the keys");
    // A second view, behind by the batch below: refreshed once for all of it,
    // as the writer does after a group commit.
    storage::database db(s.cfg.db_path);
    storage::incident_repository repo(db);
    bot::read_view batch;
    batch.load(repo);
    auto before = batch.current();
    s.submit("update INC-2 the cache is cold");
    s.submit("ack INC-3", "U7");
    s.submit("commander INC-3 <@U8>");
    s.submit("followup INC-4 add an alert owner <@U9>");
    s.submit("note INC-4 looking at the graphs");
    s.submit("resolve INC-5 rotated");
    s.submit("declare P1 a brand new outage");  // INC-7
    s.on_network_thread([&]() -> net::task<void> {
        std::int64_t number = 6;
        std::string id = "CINC6", channel_name = "inc-6-outage";
        co_await s.db->run(&bot::store_ops::set_channel, number, id, channel_name);
    });
    batch.refresh(repo, {2, 3, 4, 5, 6, 7, 99});
    auto after = batch.current();
    CHECK(after->version == before->version + 1);
    // Untouched: the very entry it had, not read again.
    CHECK(after->find(1) == before->find(1));
    CHECK_FALSE(after->find(5));   // resolved: left the view
    CHECK_FALSE(after->find(99));  // never declared
    REQUIRE(after->find(7));       // new
    bot::view_reader reader(batch, s.cfg, s.clk);
    auto same = [&](const std::string& text, const std::string& channel = "C2") {
        INFO(text << " in " << channel);
        auto seen = reader.try_answer({"U2", channel, text});
        REQUIRE(seen);
        CHECK(seen->text == s.from_database(text, "U2", channel));
    };
    for (int n = 1; n <= 7; ++n) {
        if (n == 5) continue;
        same("show INC-" + std::to_string(n));
        same("timeline INC-" + std::to_string(n));
    }
    same("list");
    same("show", "CINC6");
    same("show", "inc-6-outage");
    CHECK_FALSE(reader.try_answer({"U2", "C2", "show INC-5"}));
    CHECK(after->find(3)->inc.roles.count("commander"));
    // Follow-ups (no read renders them): as each incident's own query gives them.
    for (std::int64_t n : {2, 3, 4, 6, 7}) {
        INFO("INC-" << n);
        auto followups = repo.followups_of(n);
        REQUIRE(after->find(n)->followups.size() == followups.size());
        for (std::size_t i = 0; i < followups.size(); ++i) CHECK(after->find(n)->followups[i].id == followups[i].id);
    }
    CHECK(after->find(4)->followups.size() == 1);
    // And the view the writer kept up one commit at a time says the same.
    for (int n = 1; n <= 7; ++n) {
        INFO("INC-" << n);
        const auto* a = after->find(n);
        const auto* b = s.view->current()->find(n);
        REQUIRE(bool(a) == bool(b));
        if (!a) continue;
        CHECK(a->timeline.size() == b->timeline.size());
        CHECK(a->followups.size() == b->followups.size());
        CHECK(a->inc.status == b->inc.status);
        CHECK(a->inc.channel_id == b->inc.channel_id);
    }
}

TEST_CASE("commands sent together and committed as one batch all reach the view", "[read_view]") {
    served s;
    for (int k = 1; k <= 4; ++k) s.submit("declare P3 outage number " + std::to_string(k));
    // All queued before the database thread is asked: group commit takes them together.
    std::vector<std::string> texts = {"update INC-1 still down", "resolve INC-2 fixed", "declare P2 another one",
                                      "followup INC-3 write it up", "ack INC-4", "note INC-1 paged the vendor"};
    int done = 0;
    for (const auto& text : texts)
        asio::co_spawn(
            s.io,
            [&, text]() -> net::task<void> {
                commands::request req{"U1", "C1", text};
                co_await s.db->submit(req);
                ++done;
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
    s.io.restart();
    s.io.run();
    REQUIRE(done == static_cast<int>(texts.size()));
    INFO("largest batch " << s.db->largest_batch());
    CHECK_FALSE(s.from_view("show INC-2"));
    for (const char* n : {"INC-1", "INC-3", "INC-4", "INC-5"}) {
        s.same_answer(std::string("show ") + n);
        s.same_answer(std::string("timeline ") + n);
    }
    s.same_answer("list");
}

TEST_CASE("every incident's channel stays known to the view, batch after batch and loaded at once", "[read_view]") {
    served s;
    // 1,100 declares, queued 100 at a time so that group commit batches them.
    // (The index's own growth: channel_index_test.cpp.)
    const int total = 1100;
    for (int from = 1; from <= total; from += 100) {
        for (int k = from; k < from + 100; ++k)
            asio::co_spawn(
                s.io,
                [&, k]() -> net::task<void> {
                    commands::request req{"U1", "C1", "declare P3 outage number " + std::to_string(k)};
                    co_await s.db->submit(req);
                },
                [](std::exception_ptr e) {
                    if (e) std::rethrow_exception(e);
                });
        s.io.restart();
        s.io.run();
    }
    storage::database db(s.cfg.db_path);
    storage::incident_repository repo(db);
    bot::read_view loaded;
    loaded.load(repo);
    auto kept = s.view->current();
    auto fresh = loaded.current();
    CHECK(kept->channels.size() == static_cast<std::size_t>(total));
    CHECK(fresh->channels.size() == kept->channels.size());
    // Each name names its incident, in the view kept up batch by batch and in
    // the one loaded at once.
    int named = 0;
    for (const auto& c : repo.incident_channels()) {
        INFO("INC-" << c.number << " " << c.name);
        REQUIRE_FALSE(c.name.empty());
        CHECK(kept->number_of(c.name) == std::optional<std::int64_t>(c.number));
        CHECK(fresh->number_of(c.name) == std::optional<std::int64_t>(c.number));
        ++named;
    }
    CHECK(named == total);
    CHECK_FALSE(kept->number_of("incident-nobody-has-this"));
    // And a show typed in a channel, by its name, is the database's answer.
    auto last = repo.incident_channels().back();
    s.same_answer("show", "U1", last.name);
    s.same_answer("show", "U1", repo.incident_channels().front().name);
}

// Not a check: what one refresh of 50 touched incidents costs, for callgrind
// (--toggle-collect='*bench_refresh_batch*').
__attribute__((noinline)) void bench_refresh_batch(bot::read_view& view, storage::incident_repository& repo,
                                                   const std::set<std::int64_t>& touched) {
    view.refresh(repo, touched);
}

TEST_CASE("refresh of a 50-incident batch, for measuring", "[.bench]") {
    served s;
    for (int k = 1; k <= 60; ++k) s.submit("declare P3 outage number " + std::to_string(k));
    for (int k = 1; k <= 50; k += 3) s.submit("followup INC-" + std::to_string(k) + " write it up");
    storage::database db(s.cfg.db_path);
    storage::incident_repository repo(db);
    std::set<std::int64_t> touched;
    for (std::int64_t n = 5; n < 55; ++n) touched.insert(n);
    for (int i = 0; i < 10; ++i) bench_refresh_batch(*s.view, repo, touched);
    CHECK(s.view->current()->find(54));
}

TEST_CASE("refresh of a one-incident batch, for measuring", "[.bench1]") {
    served s;
    for (int k = 1; k <= 10; ++k) s.submit("declare P3 outage number " + std::to_string(k));
    s.submit("followup INC-5 write it up");
    storage::database db(s.cfg.db_path);
    storage::incident_repository repo(db);
    for (int i = 0; i < 100; ++i) bench_refresh_batch(*s.view, repo, {5});
    CHECK(s.view->current()->find(5));
}
