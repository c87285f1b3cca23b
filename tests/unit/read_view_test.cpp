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
#include <string>

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
