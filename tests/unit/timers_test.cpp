// The response clock on a fake clock: acknowledgement escalations, update
// reminders, the resolution target, post-mortem reminders, working hours,
// stale firings and deadlines missed while warroom was down.
#include "memory_store.hpp"

#include "commands/settings.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace warroom::commands;
using warroom::testing::at;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const time_point t0 = monday_morning;

// What each timer kind says, recognisable in the posts it makes.
struct kind_sign {
    std::string channel;  // "" is the incident channel
    std::string text;
};
const kind_sign ack_sign{"incident-escalations", "is not acknowledged after"};
const kind_sign update_sign{"", "is due a status update"};
const kind_sign resolve_sign{"incident-escalations", "resolution target"};
const kind_sign draft_sign{"", "time to draft the post-mortem"};
const kind_sign review_sign{"", "should be up for review"};

std::vector<std::string> posts_of(const std::vector<decision>& ds, const kind_sign& sign) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        for (const auto& a : d.actions)
            if (a.kind == action_kind::post && a.channel == sign.channel &&
                a.body.text.find(sign.text) != std::string::npos)
                out.push_back(a.body.text);
    return out;
}

std::size_t count(const std::vector<decision>& ds, const kind_sign& sign) { return posts_of(ds, sign).size(); }

std::size_t total_actions(const std::vector<decision>& ds) {
    std::size_t n = 0;
    for (const auto& d : ds) n += d.actions.size();
    return n;
}

// Nothing at all: no state, no posts, no timeline.
void check_nothing(const decision& d) {
    CHECK_FALSE(d.save);
    CHECK(d.actions.empty());
    CHECK(d.timeline.empty());
}

const incident& inc_of(const engine_harness& h, std::int64_t n) { return h.store.incidents.at(n); }

// The defaults without channel archiving, for tests of what else a resolved incident still fires.
settings without_archiving() {
    auto cfg = default_settings();
    for (auto& sev : cfg.severities) sev.archive_after.reset();
    return cfg;
}

}  // namespace

// --- acknowledgement ------------------------------------------------------------

TEST_CASE("an unacknowledged incident is escalated every ack_within until acknowledged") {
    auto cfg = default_settings();
    cfg.severities[1].page = {"S0SRE", "U0BOSS"};  // P1
    engine_harness h(cfg, t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);

    auto fired = h.advance_to(t0 + minutes(15) - seconds(1));
    CHECK(count(fired, ack_sign) == 0);
    CHECK(total_actions(fired) == 0);

    fired = h.advance(seconds(1));
    REQUIRE(fired.size() == 1);
    auto esc = posts_of(fired, ack_sign);
    REQUIRE(esc.size() == 1);
    // The escalation channel is told, with the severity's page list pinged.
    CHECK_THAT(esc[0], StartsWith("<!subteam^S0SRE> <@U0BOSS> :rotating_light: *INC-1* (P1 High) checkout is down "
                                  "is not acknowledged after 15m (target 15m)"));
    CHECK_THAT(esc[0], Contains("#incident-20261123-checkout-is-down"));
    // And the incident channel.
    std::string own;
    for (const auto& a : fired[0].actions)
        if (a.kind == action_kind::post && a.channel.empty()) own += a.body.text;
    CHECK_THAT(own, Contains("*INC-1* is not acknowledged after 15m (target 15m)"));
    CHECK_THAT(own, Contains("/incident ack"));
    REQUIRE(fired[0].timeline.size() == 1);
    CHECK(fired[0].timeline[0].kind == "escalation");
    CHECK(h.store.entries.back().kind == "escalation");
    CHECK(inc_of(h, 1).due.ack == t0 + minutes(30));

    // Again every 15 minutes.
    fired = h.advance_to(t0 + minutes(45));
    esc = posts_of(fired, ack_sign);
    REQUIRE(esc.size() == 2);
    CHECK_THAT(esc[0], Contains("after 30m"));
    CHECK_THAT(esc[1], Contains("after 45m"));

    // Acknowledging stops it.
    REQUIRE(h.run("ack INC-1", "U2").ok);
    CHECK_FALSE(inc_of(h, 1).due.ack);
    fired = h.advance(hours(3));
    CHECK(count(fired, ack_sign) == 0);
    CHECK(count(fired, update_sign) > 0);  // the other clocks keep running
}

TEST_CASE("acknowledging in time means no escalation at all") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P0 payments failing").ok);
    h.advance(minutes(4));
    REQUIRE(h.run("ack INC-1", "U2").ok);
    auto fired = h.advance(hours(1) - minutes(5));
    CHECK(count(fired, ack_sign) == 0);
    for (const auto& d : fired)
        for (const auto& e : d.timeline) CHECK_THAT(e.text, !Contains("acknowledged"));
}

TEST_CASE("the escalation goes to the configured escalation channel, without pings when nobody is paged") {
    auto cfg = default_settings();
    cfg.escalation_channel = "sre-pager";
    engine_harness h(cfg, t0);
    REQUIRE(h.run("declare P0 payments failing").ok);
    auto fired = h.advance(minutes(5));
    REQUIRE(fired.size() == 1);
    std::vector<std::string> to_pager;
    for (const auto& a : fired[0].actions) {
        CHECK(a.channel != "incident-escalations");
        if (a.kind == action_kind::post && a.channel == "sre-pager") to_pager.push_back(a.body.text);
    }
    REQUIRE(to_pager.size() == 1);
    CHECK_THAT(to_pager[0], StartsWith(" :rotating_light: *INC-1*") || StartsWith(":rotating_light: *INC-1*"));
    CHECK_THAT(to_pager[0], !Contains("<!subteam"));
    CHECK_THAT(to_pager[0], !Contains("<!here>"));
}

// --- updates --------------------------------------------------------------------

TEST_CASE("update reminders come every update_every and name comms lead, else commander, else declarer") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);

    auto fired = h.advance_to(t0 + minutes(30) - seconds(1));
    CHECK(count(fired, update_sign) == 0);
    fired = h.advance(seconds(1));
    auto reminders = posts_of(fired, update_sign);
    REQUIRE(reminders.size() == 1);
    CHECK_THAT(reminders[0], StartsWith(":hourglass: <@U1>, *INC-1* is due a status update (none yet, declared 30m ago)"));
    CHECK(inc_of(h, 1).due.update == t0 + minutes(60));

    REQUIRE(h.run("ack INC-1", "U2").ok);  // U2 becomes commander; an ack is not an update
    CHECK(inc_of(h, 1).due.update == t0 + minutes(60));
    fired = h.advance_to(t0 + minutes(60));
    reminders = posts_of(fired, update_sign);
    REQUIRE(reminders.size() == 1);
    CHECK_THAT(reminders[0], StartsWith(":hourglass: <@U2>, *INC-1*"));

    REQUIRE(h.run("comms INC-1 <@U3>").ok);
    fired = h.advance_to(t0 + minutes(90));
    reminders = posts_of(fired, update_sign);
    REQUIRE(reminders.size() == 1);
    CHECK_THAT(reminders[0], StartsWith(":hourglass: <@U3>, *INC-1*"));

    // Three reminders over 1h30m, no more.
    fired = h.advance_to(t0 + minutes(119));
    CHECK(count(fired, update_sign) == 0);
}

TEST_CASE("posting an update restarts the update clock") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(20));
    REQUIRE(h.run("update INC-1 rolling back").ok);

    auto fired = h.advance_to(t0 + minutes(50) - seconds(1));
    CHECK(count(fired, update_sign) == 0);  // not at 30m
    fired = h.advance(seconds(1));
    auto reminders = posts_of(fired, update_sign);
    REQUIRE(reminders.size() == 1);
    CHECK_THAT(reminders[0], Contains("last one 30m ago"));
    CHECK(inc_of(h, 1).due.update == t0 + minutes(80));
}

TEST_CASE("snooze moves the next update reminder, and the cadence resumes after it") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(10));
    REQUIRE(h.run("snooze INC-1 1h").ok);

    auto fired = h.advance_to(t0 + minutes(70) - seconds(1));
    CHECK(count(fired, update_sign) == 0);
    fired = h.advance(seconds(1));
    CHECK(count(fired, update_sign) == 1);
    CHECK_FALSE(inc_of(h, 1).snoozed);
    fired = h.advance_to(t0 + minutes(100));
    CHECK(count(fired, update_sign) == 1);  // every 30m again from the snoozed reminder
}

TEST_CASE("snooze off brings a reminder that is already overdue right away") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(10));
    REQUIRE(h.run("snooze INC-1 2h").ok);
    h.advance_to(t0 + minutes(40));  // the 30m reminder was held back
    REQUIRE(h.run("snooze INC-1 off").ok);
    CHECK(inc_of(h, 1).due.update == t0 + minutes(40));
    auto fired = h.advance(seconds(0));
    CHECK(count(fired, update_sign) == 1);
    CHECK(inc_of(h, 1).due.update == t0 + minutes(70));
}

TEST_CASE("changing severity re-arms the ack and update clocks from now, the resolution target from declaration") {
    SECTION("up to P0: faster") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P1 checkout is down").ok);
        h.advance(minutes(12));
        REQUIRE(h.run("sev INC-1 P0").ok);
        auto fired = h.advance_to(t0 + minutes(17) - seconds(1));
        CHECK(count(fired, ack_sign) == 0);
        fired = h.advance(seconds(1));  // 12m + 5m
        CHECK(count(fired, ack_sign) == 1);
        fired = h.advance_to(t0 + minutes(27) - seconds(1));
        CHECK(count(fired, update_sign) == 0);
        fired = h.advance(seconds(1));  // 12m + 15m, not P1's 30m
        CHECK(count(fired, update_sign) == 1);
        REQUIRE(h.run("ack INC-1").ok);
        fired = h.advance_to(t0 + minutes(60) - seconds(1));
        CHECK(count(fired, resolve_sign) == 0);
        CHECK(count(fired, update_sign) == 2);  // 42m, 57m
        // P0's 1h counted from the declaration (as the post-mortem counts it), not from the change.
        fired = h.advance(seconds(1));
        CHECK(count(fired, resolve_sign) == 1);
        fired = h.advance_to(t0 + minutes(72));
        CHECK(count(fired, resolve_sign) == 0);
        CHECK(count(fired, update_sign) == 1);  // 72m
    }
    SECTION("down to P2: slower") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P1 checkout is down").ok);
        h.advance(minutes(12));
        REQUIRE(h.run("sev INC-1 P2").ok);
        auto fired = h.advance_to(t0 + minutes(12) + hours(1) - seconds(1));
        CHECK(count(fired, ack_sign) == 0);  // P1's 15m ack deadline is gone
        CHECK(count(fired, update_sign) == 0);
        fired = h.advance(seconds(1));
        CHECK(count(fired, ack_sign) == 1);
        fired = h.advance_to(t0 + minutes(12) + hours(2));
        CHECK(count(fired, update_sign) == 1);
    }
    SECTION("down to P3: no update reminders at all") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P1 checkout is down").ok);
        h.advance(minutes(12));
        REQUIRE(h.run("sev INC-1 P3").ok);
        REQUIRE(h.run("ack INC-1").ok);
        auto fired = h.advance(hours(24 * 3));
        CHECK(count(fired, update_sign) == 0);
        CHECK(count(fired, ack_sign) == 0);
        CHECK(count(fired, resolve_sign) == 0);
    }
}

// --- resolution target ------------------------------------------------------------

TEST_CASE("an incident open past resolve_within is escalated once") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P0 payments failing").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    auto fired = h.advance_to(t0 + hours(1) - seconds(1));
    CHECK(count(fired, resolve_sign) == 0);
    fired = h.advance(seconds(1));
    auto esc = posts_of(fired, resolve_sign);
    REQUIRE(esc.size() == 1);
    CHECK_THAT(esc[0], Contains("*INC-1* (P0 Critical) payments failing has been open 1h, past its 1h resolution target"));
    CHECK_THAT(esc[0], Contains("Commander: <@U2>"));
    CHECK_FALSE(inc_of(h, 1).due.resolve);
    CHECK(h.store.entries.back().kind == "escalation");
    CHECK_THAT(h.store.entries.back().text, Contains("1h resolution target"));

    fired = h.advance(hours(24 * 3));
    CHECK(count(fired, resolve_sign) == 0);
    CHECK(count(fired, update_sign) > 0);
}

TEST_CASE("resolving stops every reminder of the open incident") {
    engine_harness h(without_archiving(), t0);
    REQUIRE(h.run("declare P2 slow search").ok);
    h.advance(minutes(30));
    REQUIRE(h.run("resolve INC-1").ok);
    auto fired = h.advance(hours(24 * 30));
    CHECK(fired.empty());
    CHECK(total_actions(fired) == 0);
}

// --- post-mortem ------------------------------------------------------------------

TEST_CASE("post-mortem reminders come at 24h and 48h after resolving, once each") {
    engine_harness h(without_archiving(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(hours(1));
    REQUIRE(h.run("resolve INC-1").ok);
    const auto resolved = h.now;

    auto fired = h.advance_to(resolved + hours(24) - seconds(1));
    CHECK(fired.empty());
    fired = h.advance(seconds(1));
    auto draft = posts_of(fired, draft_sign);
    REQUIRE(draft.size() == 1);
    CHECK_THAT(draft[0], StartsWith(":spiral_note_pad: <@U2>, time to draft the post-mortem for *INC-1* (checkout is down)"));
    CHECK_THAT(draft[0], Contains("/incident postmortem INC-1"));
    CHECK(count(fired, review_sign) == 0);

    fired = h.advance_to(resolved + hours(48) - seconds(1));
    CHECK(fired.empty());
    fired = h.advance(seconds(1));
    auto review = posts_of(fired, review_sign);
    REQUIRE(review.size() == 1);
    CHECK_THAT(review[0], StartsWith(":spiral_note_pad: <@U2>, the post-mortem for *INC-1* (checkout is down)"));

    fired = h.advance(hours(24 * 60));
    CHECK(fired.empty());
}

TEST_CASE("post-mortem reminders name the declarer when there is no commander") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P0 payments failing", "U8").ok);
    REQUIRE(h.run("resolve INC-1", "U9").ok);
    auto fired = h.advance(hours(49));
    auto draft = posts_of(fired, draft_sign);
    REQUIRE(draft.size() == 1);
    CHECK_THAT(draft[0], StartsWith(":spiral_note_pad: <@U8>,"));
    CHECK(count(fired, review_sign) == 1);
}

TEST_CASE("no post-mortem reminders for severities without one, or once reopened") {
    SECTION("P2") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P2 slow search").ok);
        REQUIRE(h.run("resolve INC-1").ok);
        auto fired = h.advance(hours(24 * 5));
        CHECK(count(fired, draft_sign) == 0);
        CHECK(count(fired, review_sign) == 0);
    }
    SECTION("reopened P1") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P1 checkout is down").ok);
        REQUIRE(h.run("ack INC-1").ok);
        REQUIRE(h.run("resolve INC-1").ok);
        h.advance(hours(2));
        REQUIRE(h.run("reopen INC-1").ok);
        auto fired = h.advance(hours(24 * 3));
        CHECK(count(fired, draft_sign) == 0);
        CHECK(count(fired, review_sign) == 0);
        CHECK(count(fired, update_sign) > 0);  // its open-incident clocks are back
        CHECK(count(fired, resolve_sign) == 1);
    }
}

// --- working hours ----------------------------------------------------------------

TEST_CASE("severities that wait for working hours hold reminders and escalations until Monday 09:00") {
    const time_point friday = at(2026, 11, 27, 17, 30);  // Friday 17:30 UTC
    const time_point monday = at(2026, 11, 30, 9);       // Monday 09:00 UTC
    engine_harness h(default_settings(), friday);
    REQUIRE(h.run("declare P2 slow search").ok);
    REQUIRE(h.run("declare P1 checkout is down").ok);

    auto fired = h.advance_to(monday - seconds(1));
    // P1 pages outside hours: its acknowledgement escalation came on Friday at 17:45.
    bool p1_on_time = false;
    for (const auto& d : fired)
        for (const auto& a : d.actions)
            if (a.incident == 2 && a.channel == "incident-escalations" && a.body.text.find("after 15m") != std::string::npos)
                p1_on_time = true;
    CHECK(p1_on_time);
    // P2 said nothing all weekend.
    for (const auto& d : fired)
        for (const auto& a : d.actions) CHECK(a.incident != 1);
    for (const auto& e : h.store.entries)
        if (e.incident == 1) CHECK(e.kind == "declared");
    CHECK(inc_of(h, 1).due.ack == monday);
    CHECK(inc_of(h, 1).due.update == monday);
    CHECK(inc_of(h, 1).due.resolve == monday);

    REQUIRE(h.run("resolve INC-2").ok);
    fired = h.advance(seconds(1));
    auto esc = posts_of(fired, ack_sign);
    REQUIRE(esc.size() == 1);
    CHECK_THAT(esc[0], Contains("*INC-1* (P2 Medium) slow search is not acknowledged after 2d 15h"));
    CHECK(count(fired, update_sign) == 1);
    CHECK(count(fired, resolve_sign) == 1);
    CHECK(inc_of(h, 1).due.ack == monday + hours(1));

    // Within hours the cadence is the severity's own.
    fired = h.advance(hours(1));
    CHECK(count(fired, ack_sign) == 1);
}

TEST_CASE("inside working hours those severities are reminded on time") {
    engine_harness h(default_settings(), t0);  // Monday 10:00
    REQUIRE(h.run("declare P2 slow search").ok);
    auto fired = h.advance_to(t0 + hours(1) - seconds(1));
    CHECK(count(fired, ack_sign) == 0);
    fired = h.advance(seconds(1));
    CHECK(count(fired, ack_sign) == 1);
    fired = h.advance_to(t0 + hours(2));
    CHECK(count(fired, update_sign) == 1);
    CHECK(count(fired, ack_sign) == 1);
}

TEST_CASE("working hours are kept in their own time zone") {
    auto cfg = default_settings();
    cfg.hours.timezone = "America/New_York";  // UTC-5 in November: 09:00-18:00 is 14:00-23:00 UTC
    const time_point start = at(2026, 11, 23, 20);  // Monday 15:00 in New York
    engine_harness h(cfg, start);
    REQUIRE(h.run("declare P2 slow search").ok);
    auto fired = h.advance_to(start + hours(2));  // 16:00 ack, 17:00 ack and update
    CHECK(count(fired, ack_sign) == 2);
    CHECK(count(fired, update_sign) == 1);
    fired = h.advance_to(at(2026, 11, 24, 14) - seconds(1));  // the 18:00 ack waits for Tuesday 09:00 local
    CHECK(total_actions(fired) == 0);
    CHECK(inc_of(h, 1).due.ack == at(2026, 11, 24, 14));
    fired = h.advance(seconds(1));
    CHECK(count(fired, ack_sign) == 1);
    CHECK(count(fired, update_sign) == 1);
}

// --- stale and missed firings -----------------------------------------------------

TEST_CASE("a stale firing decides nothing") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);

    SECTION("a timer that was disarmed") {
        REQUIRE(h.run("ack INC-1").ok);
        check_nothing(h.eng.fire(1, timer_kind::ack, h.store, t0 + minutes(15)));
    }
    SECTION("a deadline that moved later") {
        h.advance(minutes(20));
        REQUIRE(h.run("update INC-1 rolling back").ok);
        check_nothing(h.eng.fire(1, timer_kind::update, h.store, t0 + minutes(30)));
        REQUIRE(h.run("snooze INC-1 2h").ok);
        check_nothing(h.eng.fire(1, timer_kind::update, h.store, t0 + minutes(50)));
    }
    SECTION("a firing before the deadline") {
        check_nothing(h.eng.fire(1, timer_kind::resolve, h.store, t0 + hours(4) - seconds(1)));
        check_nothing(h.eng.fire(1, timer_kind::ack, h.store, t0 + minutes(14)));
    }
    SECTION("timers that do not belong to the incident's state") {
        check_nothing(h.eng.fire(1, timer_kind::postmortem_draft, h.store, t0 + hours(30)));
        check_nothing(h.eng.fire(1, timer_kind::postmortem_review, h.store, t0 + hours(50)));
        check_nothing(h.eng.fire(99, timer_kind::ack, h.store, t0 + hours(1)));
    }
    SECTION("the clocks of a resolved incident") {
        REQUIRE(h.run("resolve INC-1").ok);
        for (auto k : {timer_kind::ack, timer_kind::update, timer_kind::resolve})
            check_nothing(h.eng.fire(1, k, h.store, t0 + hours(5)));
    }
    SECTION("the same deadline fired twice") {
        auto first = h.eng.fire(1, timer_kind::ack, h.store, t0 + minutes(15));
        REQUIRE(first.save);
        CHECK_FALSE(first.actions.empty());
        h.store.apply(first);
        check_nothing(h.eng.fire(1, timer_kind::ack, h.store, t0 + minutes(15)));
    }
}

TEST_CASE("a deadline missed while warroom was down fires once, not once per missed period") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    // Down for ten hours: the clock jumps without any firing on the way.
    h.now = t0 + hours(10);
    auto fired = h.advance(seconds(0));
    CHECK(count(fired, ack_sign) == 1);
    CHECK(count(fired, update_sign) == 1);
    CHECK(count(fired, resolve_sign) == 1);
    CHECK(fired.size() == 3);
    CHECK_THAT(posts_of(fired, ack_sign).at(0), Contains("after 10h"));
    // The cadence resumes from now.
    CHECK(inc_of(h, 1).due.ack == h.now + minutes(15));
    CHECK(inc_of(h, 1).due.update == h.now + minutes(30));
    CHECK_FALSE(inc_of(h, 1).due.resolve);
    fired = h.advance(minutes(30));
    CHECK(count(fired, ack_sign) == 2);
    CHECK(count(fired, update_sign) == 1);
}

TEST_CASE("missed post-mortem reminders fire once each after a long outage") {
    engine_harness h(without_archiving(), t0);
    REQUIRE(h.run("declare P0 payments failing").ok);
    REQUIRE(h.run("ack INC-1").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    h.now = t0 + hours(24 * 10);
    auto fired = h.advance(seconds(0));
    CHECK(count(fired, draft_sign) == 1);
    CHECK(count(fired, review_sign) == 1);
    CHECK(fired.size() == 2);
    fired = h.advance(hours(24 * 10));
    CHECK(fired.empty());
}

TEST_CASE("a deadline missed over a weekend by a working-hours severity fires once on Monday") {
    engine_harness h(default_settings(), at(2026, 11, 27, 17, 30));  // Friday
    REQUIRE(h.run("declare P2 slow search").ok);
    h.now = at(2026, 11, 28, 12);  // Saturday noon: warroom comes back up
    auto fired = h.advance(seconds(0));
    CHECK(total_actions(fired) == 0);  // held back
    fired = h.advance_to(at(2026, 11, 30, 9, 30));
    CHECK(count(fired, ack_sign) == 1);
    CHECK(count(fired, update_sign) == 1);
    CHECK(count(fired, resolve_sign) == 1);
}

// --- the pinned summary ---------------------------------------------------------

TEST_CASE("timers change nothing the summary shows, so they never edit it") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P0 payments failing").ok);
    REQUIRE(h.run("declare P2 search is slow").ok);  // its reminders wait for working hours
    h.now = at(2026, 11, 27, 17);                     // Friday evening: the P2's next ones wait for Monday
    auto fired = h.advance_to(at(2026, 11, 30, 12));
    REQUIRE(count(fired, ack_sign) > 2);
    REQUIRE(count(fired, update_sign) > 2);
    REQUIRE(count(fired, resolve_sign) == 2);
    REQUIRE(h.run("resolve INC-1").ok);
    auto later = h.advance(hours(49));
    REQUIRE(count(later, draft_sign) == 1);
    REQUIRE(count(later, review_sign) == 1);
    fired.insert(fired.end(), later.begin(), later.end());
    for (const auto& d : fired)
        for (const auto& a : d.actions) CHECK(a.kind != action_kind::update_summary);
}

TEST_CASE("the reminders carry the button that answers them") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    auto fired = h.advance_to(t0 + minutes(30));  // the ack escalation at 15m, the update reminder at 30m

    auto button_of = [&](const std::string& sign_text, const std::string& channel = "") {
        for (const auto& d : fired)
            for (const auto& a : d.actions)
                if (a.kind == action_kind::post && a.channel == channel && a.body.text.find(sign_text) != std::string::npos) {
                    auto blocks = nlohmann::json::parse(a.body.blocks_json);
                    REQUIRE(blocks.back()["type"] == "actions");
                    return blocks.back()["elements"][0];
                }
        FAIL("no post saying " << sign_text);
        return nlohmann::json();
    };
    // In the incident channel: "not acknowledged" offers Acknowledge, the update reminder Post update.
    auto ack = button_of("not acknowledged");
    CHECK(ack["action_id"] == "warroom_ack");
    CHECK(ack["value"] == "1");
    // In the escalation channel, where people are paged, Acknowledge too.
    CHECK(button_of(ack_sign.text, ack_sign.channel)["action_id"] == "warroom_ack");
    auto update = button_of(update_sign.text);
    CHECK(update["action_id"] == "warroom_update");
    CHECK(update["value"] == "1");
}
