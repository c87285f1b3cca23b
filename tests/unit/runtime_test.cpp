// The runtime: engine decisions through SQLite, and the transport's
// de-duplication keys (Slack resends a slash command on a double submit).
#include "bot/runtime.hpp"
#include "tests/support/runtime_access.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <random>

using namespace warroom;
using Catch::Matchers::Contains;

namespace {

struct fixed_clock : bot::clock {
    commands::time_point t{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours(10)};
    commands::time_point now() const override { return t; }
};

struct scratch_runtime {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("warroom-runtime-" + std::to_string(std::random_device{}()));
    fixed_clock clk;
    bot::config cfg;
    std::unique_ptr<bot::runtime> rt;
    scratch_runtime() {
        std::filesystem::create_directories(dir);
        cfg.db_path = (dir / "w.db").string();
        rt = std::make_unique<bot::runtime>(cfg, clk);
    }
    ~scratch_runtime() {
        rt.reset();
        std::filesystem::remove_all(dir);
    }
    storage::incident_repository& repo() { return bot::runtime_test_access::repository(*rt); }
    std::size_t open() { return repo().list_open().size(); }
};

commands::request from_slack(const std::string& text, const std::string& trigger) {
    return {"U1", "C1", text, "trigger:" + trigger};
}

}  // namespace

TEST_CASE("a slash command that reaches warroom twice is carried out once") {
    scratch_runtime s;
    auto first = s.rt->handle(from_slack("declare P2 disk full on db-3", "111.1"));
    CHECK_THAT(first.reply.text, Contains("INC-1"));
    CHECK(first.incident == 1);
    CHECK(first.created);
    auto again = s.rt->handle(from_slack("declare P2 disk full on db-3", "111.1"));
    CHECK_THAT(again.reply.text, Contains("twice"));
    CHECK_FALSE(again.incident);  // nothing was done the second time
    CHECK(s.open() == 1);
    CHECK(s.repo().pending_action_count() > 0);

    SECTION("a different trigger is a different command") {
        s.rt->handle(from_slack("declare P2 disk full on db-3", "111.2"));
        CHECK(s.open() == 2);
    }
    SECTION("the same key twice in one group commit") {
        auto replies = s.rt->handle_batch({from_slack("declare P3 flaky test", "222.1"),
                                           from_slack("declare P3 flaky test", "222.1")});
        REQUIRE(replies.size() == 2);
        CHECK_THAT(replies[0].reply.text, Contains("INC-2"));
        CHECK_THAT(replies[1].reply.text, Contains("twice"));
        CHECK(s.open() == 2);
    }
    SECTION("reads answer every time and leave no key behind") {
        CHECK_THAT(s.rt->handle(from_slack("show INC-1", "333.1")).reply.text, Contains("disk full"));
        CHECK_THAT(s.rt->handle(from_slack("show INC-1", "333.1")).reply.text, Contains("disk full"));
        CHECK_FALSE(s.repo().seen_request("trigger:333.1"));
    }
    SECTION("an error is not remembered, so the corrected retry is not refused") {
        CHECK_THAT(s.rt->handle(from_slack("severity INC-1 P9", "444.1")).reply.text, Contains("P9"));
        CHECK_FALSE(s.repo().seen_request("trigger:444.1"));
    }
}

TEST_CASE("the console's commands carry no key and are never refused as repeats") {
    scratch_runtime s;
    s.rt->handle({"ULOCAL", "CLOCAL", "declare P3 one"});
    s.rt->handle({"ULOCAL", "CLOCAL", "declare P3 one"});
    CHECK(s.open() == 2);
}
