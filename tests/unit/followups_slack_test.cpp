// Follow-ups where Slack meets them besides commands: the owner's reminder
// in a direct message, the weekly digest, the App Home's "Your follow-ups",
// and the resolution post's Follow-up button.
#include "memory_store.hpp"

#include "commands/button.hpp"
#include "commands/followup.hpp"
#include "commands/settings.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace warroom::commands;
using warroom::testing::at;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;

namespace {

engine_harness declared(settings cfg = default_settings()) {
    engine_harness h(std::move(cfg), monday_morning);  // Mon 23 Nov 2026, 10:00 UTC
    REQUIRE(h.run("declare P1 checkout is down").ok);
    return h;
}

// The follow-up reminders' actions of `kind` (the incident's own clocks fire too).
std::vector<action> of_kind(const std::vector<decision>& ds, action_kind kind) {
    std::vector<action> out;
    for (const auto& d : ds)
        for (const auto& a : d.actions)
            if (a.kind == kind && a.body.text.find("follow-up") != std::string::npos) out.push_back(a);
    return out;
}

}  // namespace

TEST_CASE("the owner's reminder also goes to them in a direct message, after the channel's", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due wed").ok);
    auto fired = h.advance_to(at(2026, 11, 25, 9));
    auto dms = of_kind(fired, action_kind::direct_message);
    REQUIRE(dms.size() == 1);
    CHECK(dms[0].users == std::vector<std::string>{"U2"});
    CHECK(dms[0].incident == 1);
    CHECK_THAT(dms[0].body.text, Contains("Your follow-up") && Contains("F-1") && Contains("INC-1") &&
                                     Contains("is due today") && Contains("Add alerting") &&
                                     Contains("#incident-20261123-checkout-is-down"));
    // The channel's reminder comes first: delivery keeps an incident's order, and it is the one never skipped.
    std::vector<action> actions;
    for (const auto& d : fired)
        if (!d.followups.empty()) actions = d.actions;
    REQUIRE(actions.size() == 2);
    CHECK(actions[0].kind == action_kind::post);
    CHECK_THAT(actions[0].body.text, Contains("<@U2>") && Contains(":alarm_clock:"));
    CHECK(actions[1].kind == action_kind::direct_message);
    // Overdue nags go by DM too.
    auto later = h.advance_to(at(2026, 11, 27, 9));
    auto nag = of_kind(later, action_kind::direct_message);
    REQUIRE(nag.size() == 1);
    CHECK_THAT(nag[0].body.text, Contains("overdue by 2 days"));
}

TEST_CASE("followup_dm = false keeps reminders in the channel only", "[followups]") {
    auto cfg = default_settings();
    cfg.followup_dm = false;
    auto h = declared(cfg);
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due wed").ok);
    auto fired = h.advance_to(at(2026, 11, 25, 9));
    CHECK(of_kind(fired, action_kind::direct_message).empty());
    CHECK(of_kind(fired, action_kind::post).size() == 1);
}

TEST_CASE("the weekly digest lists open follow-ups, overdue first, in the configured channel", "[followups]") {
    auto cfg = default_settings();
    cfg.followup_digest_channel = "eng-followups";
    auto h = declared(cfg);
    REQUIRE(h.run("followup INC-1 Write the runbook owner <@U3>").ok);                // F-1, no due date
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due tue").ok);             // F-2, Tue 24 Nov
    REQUIRE(h.run("followup INC-1 Raise the disk quota owner <@U2> due 2026-12-04").ok);  // F-3
    REQUIRE(h.run("followup INC-1 Closed already owner <@U2>").ok);                   // F-4
    REQUIRE(h.run("followup done F-4").ok);
    h.now = at(2026, 11, 30, 9);  // Monday: F-2 is overdue
    auto d = h.eng.digest(h.store, h.now);
    REQUIRE(d.actions.size() == 1);
    const auto& post = d.actions[0];
    CHECK(post.kind == action_kind::post);
    CHECK(post.channel == "eng-followups");
    CHECK(post.incident == 0);
    const auto& text = post.body.text;
    CHECK_THAT(text, Contains("3 open, 1 overdue"));
    CHECK(text.find("Closed already") == std::string::npos);
    // Overdue first, then the soonest due, then none.
    auto f2 = text.find("F-2"), f3 = text.find("F-3"), f1 = text.find("F-1");
    REQUIRE(f2 != std::string::npos);
    REQUIRE(f3 != std::string::npos);
    REQUIRE(f1 != std::string::npos);
    CHECK(f2 < text.find("*Open*"));
    CHECK(f2 < f3);
    CHECK(f3 < f1);
    // The next one: a week later, at the configured time (default mon 09:00, in the time zone).
    CHECK(d.next_digest == at(2026, 12, 7, 9));
}

TEST_CASE("the digest leaves out a private incident's follow-ups: its channel is shared", "[followups]") {
    auto cfg = default_settings();
    cfg.followup_digest_channel = "eng-followups";
    auto h = declared(cfg);
    REQUIRE(h.run("declare private P1 credentials leaked").ok);  // INC-2
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2>").ok);
    REQUIRE(h.run("followup INC-2 Rotate the leaked keys owner <@U2>").ok);
    auto d = h.eng.digest(h.store, h.now);
    REQUIRE(d.actions.size() == 1);
    CHECK_THAT(d.actions[0].body.text, Contains("Add alerting") && Contains("1 open"));
    CHECK(d.actions[0].body.text.find("Rotate") == std::string::npos);
    CHECK(d.actions[0].body.text.find("INC-2") == std::string::npos);
}

TEST_CASE("the digest: nothing posted when nothing is open or no channel is set, and its clock", "[followups]") {
    auto cfg = default_settings();
    cfg.followup_digest_channel = "eng-followups";
    cfg.followup_digest_at = *parse_weekly_time("fri 16:30");
    cfg.hours.timezone = "Europe/Paris";
    auto h = declared(cfg);
    auto d = h.eng.digest(h.store, h.now);
    CHECK(d.actions.empty());
    // Fri 27 Nov 16:30 in Paris is 15:30 UTC.
    CHECK(d.next_digest == at(2026, 11, 27, 15) + std::chrono::minutes(30));
    CHECK(h.eng.next_digest(h.now) == d.next_digest);
    // At the instant itself the next one is a week on, never the same instant again.
    CHECK(h.eng.next_digest(*d.next_digest) == *d.next_digest + std::chrono::days(7));

    auto off = declared();
    REQUIRE(off.run("followup INC-1 Add alerting owner <@U2> due tue").ok);
    CHECK_FALSE(off.eng.next_digest(off.now));
    CHECK(off.eng.digest(off.store, off.now).actions.empty());
}

TEST_CASE("digest times are read as a weekday and a time", "[followups]") {
    auto w = parse_weekly_time("Monday 09:00");
    REQUIRE(w);
    CHECK(w->weekday == 0);
    CHECK(w->at == std::chrono::minutes(9 * 60));
    CHECK(format_weekly_time(*parse_weekly_time("sun 23:59")) == "sun 23:59");
    for (const char* bad : {"", "mon", "mon 9:00", "mon 24:00", "someday 09:00", "09:00 mon", "mon 09:60"}) {
        INFO(bad);
        CHECK_FALSE(parse_weekly_time(bad));
    }
}

TEST_CASE("the App Home shows the viewer's open follow-ups, overdue first", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Raise the disk quota owner <@U2> due 2026-12-04").ok);  // F-1
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due tue").ok);                 // F-2
    REQUIRE(h.run("followup INC-1 Someone else's owner <@U3>").ok);                       // F-3
    REQUIRE(h.run("followup INC-1 Done one owner <@U2>").ok);                             // F-4
    REQUIRE(h.run("followup done F-4").ok);
    h.now = at(2026, 11, 26, 10);  // F-2 overdue
    auto home = h.eng.home(h.store, h.now, "U2").text;
    CHECK_THAT(home, Contains("*Your follow-ups* (2)"));
    auto f2 = home.find("*F-2*"), f1 = home.find("*F-1*");
    REQUIRE(f2 != std::string::npos);
    REQUIRE(f1 != std::string::npos);
    CHECK(f2 < f1);
    CHECK_THAT(home, Contains(":warning: overdue"));
    CHECK(home.find("F-3") == std::string::npos);
    CHECK(home.find("F-4") == std::string::npos);
    CHECK_THAT(h.eng.home(h.store, h.now, "U9").text, Contains("Nothing open is yours"));
    // Without a viewer (the console), no section.
    CHECK(h.eng.home(h.store, h.now).text.find("Your follow-ups") == std::string::npos);
}

TEST_CASE("the resolution post carries the Follow-up button for its incident", "[followups]") {
    auto h = declared();
    auto d = h.run("resolve INC-1 rolled back");
    REQUIRE(d.ok);
    bool found = false;
    for (const auto& a : d.actions) {
        if (a.kind != action_kind::post || !a.channel.empty() || a.body.blocks_json.empty()) continue;
        auto blocks = nlohmann::json::parse(a.body.blocks_json);
        for (const auto& b : blocks)
            if (b.value("type", "") == "actions")
                for (const auto& e : b["elements"])
                    if (e.value("action_id", "") == to_string(button::followup)) {
                        found = true;
                        CHECK(e.value("value", "") == "1");
                    }
    }
    CHECK(found);
}
