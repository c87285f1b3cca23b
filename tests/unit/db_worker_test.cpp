// The database thread's order of work: what waits behind what. Driven through
// the real db_worker, runtime and SQLite file; the only hand-made part is the
// clock, which can hold the thread inside a command for as long as the test
// needs to queue work behind it.
#include "bot/db_worker.hpp"
#include "bot/runtime.hpp"
#include "bot/store_ops.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>

using namespace warroom;
namespace asio = boost::asio;

namespace {

// A fixed time; once gated, the next caller of now() (the database thread,
// handling a command) stops there until the test opens the gate.
struct gated_clock : bot::clock {
    commands::time_point t{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours(9)};
    mutable std::mutex m;
    mutable std::condition_variable cv;
    mutable bool armed = false, holding = false;

    commands::time_point now() const override {
        std::unique_lock lock(m);
        if (armed) {
            armed = false;
            holding = true;
            cv.notify_all();
            cv.wait(lock, [&] { return !holding; });
        }
        return t;
    }
    void arm() {
        std::lock_guard lock(m);
        armed = true;
    }
    bool wait_until_holding() {
        std::unique_lock lock(m);
        return cv.wait_for(lock, std::chrono::seconds(20), [&] { return holding; });
    }
    void open() {
        {
            std::lock_guard lock(m);
            holding = false;
        }
        cv.notify_all();
    }
};

// Runs the io_context until `done` says so (the database thread resumes its
// callers there), for at most 20 s.
template <class Done>
void run_until(asio::io_context& io, Done done) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < until) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

TEST_CASE("a due escalation is not queued behind the commands waiting for the database thread", "[db_worker][timers]") {
    auto dir = std::filesystem::temp_directory_path() / ("warroom-db-worker-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    gated_clock clk;
    bot::config cfg;
    cfg.db_path = (dir / "w.db").string();
    {
        bot::runtime rt(cfg, clk);
        bot::db_worker db(rt);
        asio::io_context io;
        std::atomic<int> finished{0};
        auto submit = [&](std::string text) {
            asio::co_spawn(
                io,
                [&, text]() -> net::task<void> {
                    // Named: GCC 12 copies a temporary in a co_await expression bytewise.
                    commands::request req{"U1", "C1", text};
                    co_await db.submit(std::move(req));
                    ++finished;
                },
                asio::detached);
        };

        submit("declare P0 checkout is down");  // INC-1
        run_until(io, [&] { return finished == 1; });
        REQUIRE(finished == 1);
        clk.t += std::chrono::minutes(6);  // P0's acknowledgement (5 min) is overdue

        // INC-2's declare holds the thread; INC-3's declare and the timer pass queue meanwhile.
        clk.arm();
        submit("declare P2 search is slow");
        io.restart();
        io.poll();
        REQUIRE(clk.wait_until_holding());
        submit("declare P2 login errors");
        bot::store_ops::timer_pass pass;
        asio::co_spawn(
            io,
            [&]() -> net::task<void> {
                pass = co_await db.run_first(&bot::store_ops::fire_due);
                ++finished;
            },
            asio::detached);
        io.restart();
        io.poll();  // both are queued now, behind INC-2
        clk.open();
        run_until(io, [&] { return finished == 4; });
        REQUIRE(finished == 4);
        CHECK(pass.fired >= 1);
        db.stop();
    }
    // The escalation's messages were written before anything of INC-3, the
    // declare that was already waiting when the escalation fell due.
    SQLite::Database file(cfg.db_path);
    auto last_of_1 = file.execAndGet("SELECT max(id) FROM outbox WHERE incident = 1").getInt64();
    auto first_of_3 = file.execAndGet("SELECT min(id) FROM outbox WHERE incident = 3").getInt64();
    auto escalations = file.execAndGet("SELECT count(*) FROM timeline WHERE incident = 1 AND kind = 'escalation'").getInt();
    CHECK(escalations >= 1);
    CHECK(last_of_1 < first_of_3);
    std::filesystem::remove_all(dir);
}
