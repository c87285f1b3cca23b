// The runtime: engine decisions through SQLite, and the transport's
// de-duplication keys (Slack resends a slash command on a double submit).
#include "bot/paging/outbox_page.hpp"
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

namespace {

// In the incident's channel (`kind` post), or to the owner (direct_message).
std::size_t reminders_queued(bot::runtime& rt, commands::action_kind kind = commands::action_kind::post) {
    std::size_t n = 0;
    for (const auto& e : bot::runtime_test_access::repository(rt).pending_actions(rt.time().now(), 1000))
        if (e.act.kind == kind && e.act.body.text.find(":alarm_clock:") != std::string::npos) ++n;
    return n;
}

}  // namespace

TEST_CASE("a follow-up's reminder survives a restart, and reminders missed while down fire once") {
    scratch_runtime s;  // Wednesday 25 Nov 2026, 10:00 UTC
    // Only the follow-up's timers counted here: the channel's archive has a test of its own.
    s.rt.reset();
    for (auto& sev : s.cfg.settings.severities) sev.archive_after.reset();
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    REQUIRE(s.rt->handle({"U1", "C1", "declare P2 disk full on db-3"}).incident == 1);
    auto added = s.rt->handle({"U1", "C1", "followup INC-1 Add disk alerts owner <@U2> due fri"});
    CHECK_THAT(added.reply.text, Contains("F-1"));
    // Resolving stops the incident's clocks, not its follow-ups' reminders.
    REQUIRE(s.rt->handle({"U1", "C1", "resolve INC-1"}).incident == 1);

    // warroom stops; it is back on the due day, after the start of working hours.
    s.rt.reset();
    s.clk.t = commands::time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + std::chrono::hours(9) +
              std::chrono::minutes(30);
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    CHECK(s.rt->next_deadline() == commands::time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} +
                                       std::chrono::hours(9));
    CHECK(reminders_queued(*s.rt) == 0);
    CHECK(s.rt->fire_due() == 1);
    CHECK(reminders_queued(*s.rt) == 1);
    CHECK(s.rt->fire_due() == 0);  // said: nothing more until the next nag
    CHECK(reminders_queued(*s.rt) == 1);

    // Down again for three weeks, many nags missed: one reminder when back.
    s.rt.reset();
    s.clk.t += std::chrono::days(21);
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    CHECK(s.rt->fire_due() == 1);
    CHECK(s.rt->fire_due() == 0);
    CHECK(reminders_queued(*s.rt) == 2);
    // Each also went to the owner in a direct message (followup_dm is on by default).
    CHECK(reminders_queued(*s.rt, commands::action_kind::direct_message) == 2);

    // Done: nothing is armed any more.
    s.rt->handle({"U2", "C1", "followup done F-1 alerts live"});
    CHECK_FALSE(s.rt->next_deadline());
}

namespace {

std::size_t digests_queued(bot::runtime& rt) {
    std::size_t n = 0;
    for (const auto& e : bot::runtime_test_access::repository(rt).pending_actions(rt.time().now(), 1000))
        if (e.act.channel == "eng-followups") ++n;
    return n;
}

}  // namespace

TEST_CASE("the weekly digest is armed once, survives a restart, and digests missed while down post once") {
    scratch_runtime s;  // Wednesday 25 Nov 2026, 10:00 UTC
    auto monday = [](unsigned d) {
        return commands::time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / 1}} +
               std::chrono::days(d - 1) + std::chrono::hours(9);
    };
    // Without a digest channel nothing is armed.
    REQUIRE(s.rt->handle({"U1", "C1", "declare P2 disk full on db-3"}).incident == 1);
    REQUIRE(s.rt->handle({"U1", "C1", "followup INC-1 Add disk alerts owner <@U2>"}).reply.text.find("F-1") !=
            std::string::npos);
    s.rt->fire_due();
    CHECK_FALSE(bot::runtime_test_access::repository(*s.rt).digest_at());

    s.rt.reset();
    s.cfg.settings.followup_digest_channel = "eng-followups";  // mon 09:00 by default
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    s.rt->fire_due();  // armed, not fired
    CHECK(bot::runtime_test_access::repository(*s.rt).digest_at() == monday(30));
    CHECK(s.rt->next_deadline() <= monday(30));
    CHECK(digests_queued(*s.rt) == 0);

    // Down from before Monday 30 Nov until Thursday 10 Dec: two digests missed, one posted.
    s.rt.reset();
    s.clk.t = monday(30) + std::chrono::days(10);
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    CHECK(s.rt->fire_due() >= 1);
    CHECK(digests_queued(*s.rt) == 1);
    CHECK(bot::runtime_test_access::repository(*s.rt).digest_at() == monday(30) + std::chrono::days(14));  // Mon 14 Dec
    s.rt->fire_due();
    CHECK(digests_queued(*s.rt) == 1);
}

TEST_CASE("a resolved channel's archive is armed in the database, fires once after a restart, and a reopen unarchives first") {
    scratch_runtime s;  // Wednesday 25 Nov 2026, 10:00 UTC; the shipped archive_after: 7 days
    REQUIRE(s.rt->handle({"U1", "C1", "declare P2 disk full on db-3"}).incident == 1);
    REQUIRE(s.rt->handle({"U1", "C1", "resolve INC-1"}).incident == 1);
    CHECK(s.rt->next_deadline() == s.clk.t + std::chrono::days(7));
    auto archives = [&](commands::action_kind kind) {
        std::size_t n = 0;
        for (const auto& e : s.repo().pending_actions(s.clk.t, 1000)) n += e.act.kind == kind ? 1 : 0;
        return n;
    };

    // Down over the deadline; back ten days later: archived once.
    s.rt.reset();
    s.clk.t += std::chrono::days(10);
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    CHECK(s.rt->fire_due() == 1);
    CHECK(s.rt->fire_due() == 0);
    CHECK(archives(commands::action_kind::archive_channel) == 1);
    CHECK(s.repo().find(1)->archived);
    CHECK_FALSE(s.rt->next_deadline());

    auto before = s.repo().pending_actions(s.clk.t, 1000).size();
    REQUIRE(s.rt->handle({"U1", "C1", "reopen INC-1"}).incident == 1);
    auto pending = s.repo().pending_actions(s.clk.t, 1000);
    REQUIRE(pending.size() > before);
    CHECK(pending[before].act.kind == commands::action_kind::unarchive_channel);
    CHECK_FALSE(s.repo().find(1)->archived);
}

TEST_CASE("a page is queued with its decision, without its secret, and an answer from the vendor sends none back") {
    scratch_runtime s;
    s.rt.reset();
    paging::pager_target pd;
    pd.name = "payments-oncall";
    pd.kind = paging::pager_kind::pagerduty;
    pd.secret_env = "PD_KEY";
    pd.secret = "R0ut1ngKeyOfPaymentsOnCall000042";
    pd.url = "https://events.pagerduty.com";
    s.cfg.pagers = {pd};
    s.cfg.install_id = "acme";
    s.cfg.settings.pager_names = {"payments-oncall"};
    s.cfg.settings.severities[0].pagers = {"payments-oncall"};
    s.cfg.settings.severities[0].page_on_declare = true;
    s.rt = std::make_unique<bot::runtime>(s.cfg, s.clk);
    auto sev = s.cfg.settings.severities[0].name;
    s.rt->handle(from_slack("declare " + sev + " checkout is down", "1"));
    auto queued = s.repo().integrations().of_incident(1);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].act.destination == "pager");
    CHECK(queued[0].act.target == "payments-oncall");
    CHECK_THAT(queued[0].act.summary, Catch::Matchers::StartsWith("[pagerduty payments-oncall] trigger INC-1 [" + sev + "]"));
    CHECK_THAT(queued[0].act.payload, !Catch::Matchers::Contains(pd.secret));
    auto page = paging::from_payload(queued[0].act.payload);
    REQUIRE(page);
    CHECK(paging::dedup_key(page->event.install, page->event.number) == "warroom-acme-INC-1");
    // Only Slack's actions in Slack's queue.
    for (const auto& e : s.repo().pending_actions(s.clk.now(), 100))
        CHECK(e.act.body.text.find("[pagerduty") == std::string::npos);

    commands::page_answer answer{1, "payments-oncall", "PagerDuty", "Jane Doe", false};
    CHECK(s.rt->page_answered(answer));
    CHECK_FALSE(s.rt->page_answered(answer));  // the vendor's retry
    CHECK(s.repo().integrations().of_incident(1).size() == 1);  // nothing sent back
    auto inc = *s.repo().find(1);
    CHECK(inc.acked_at.has_value());
    CHECK(inc.pages.at(0).via == "PagerDuty");
}
