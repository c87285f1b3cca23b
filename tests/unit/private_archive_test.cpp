// Private incidents (who sees them, what the workspace is told), archiving
// resolved channels on the fake clock, and handing an incident off.
#include "memory_store.hpp"

#include "commands/followup.hpp"
#include "commands/settings.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace warroom::commands;
using warroom::testing::at;
using warroom::testing::engine_harness;
using warroom::testing::memory_store;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const time_point t0 = monday_morning;  // Mon 23 Nov 2026, 10:00 UTC
const std::string secret = "vault tokens leaked";

// Every post of the decisions that goes anywhere but the incident's own channel.
std::vector<action> outside_posts(const std::vector<action>& actions) {
    std::vector<action> out;
    for (const auto& a : actions)
        if (a.kind == action_kind::post && !a.channel.empty()) out.push_back(a);
    return out;
}

std::string in_channel(const decision& d) {
    std::string out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::post && a.channel.empty()) out += a.body.text + "\n";
    return out;
}

std::string fingerprint(const memory_store& s) {
    std::string out;
    for (const auto& [n, inc] : s.incidents)
        out += inc.id() + "|" + std::string(to_string(inc.status)) + "|" + (inc.archived ? "A" : "-") + "|";
    for (const auto& [n, inc] : s.incidents)
        for (const auto& [role, user] : inc.roles) out += role + "=" + user + ";";
    for (const auto& [id, f] : s.followups) out += f.ref() + "|" + f.owner + "|" + std::string(to_string(f.state)) + "\n";
    for (const auto& e : s.entries) out += e.kind + "|" + e.text + "\n";
    out += std::to_string(s.outbox.size());
    return out;
}

void check_refused(engine_harness& h, const std::string& text, const std::string& says, const std::string& user = "U9",
                   const std::string& in = "C0") {
    INFO("command: " << text);
    auto before = fingerprint(h.store);
    auto d = h.run(text, user, in);
    CHECK_FALSE(d.ok);
    CHECK(d.actions.empty());
    CHECK(d.timeline.empty());
    CHECK(d.followups.empty());
    CHECK_THAT(d.reply.text, StartsWith(":warning:") && Contains(says));
    CHECK(fingerprint(h.store) == before);
}

std::size_t count_kind(const std::vector<decision>& ds, action_kind k) {
    std::size_t n = 0;
    for (const auto& d : ds)
        for (const auto& a : d.actions) n += a.kind == k ? 1 : 0;
    return n;
}

}  // namespace

// --- private incidents ------------------------------------------------------------

TEST_CASE("declare private makes a private incident, in any order with severity and type", "[private]") {
    for (std::string text : {"declare private P1 " + secret, "declare P1 private " + secret,
                             "declare type:auth private P1 " + secret, "declare P1 type:auth private " + secret}) {
        INFO(text);
        engine_harness h(default_settings(), t0);
        auto d = h.run(text);
        REQUIRE(d.ok);
        REQUIRE(d.save);
        CHECK(d.save->is_private);
        CHECK(d.save->severity == "P1");
        CHECK(d.save->title == secret);
    }
    engine_harness h(default_settings(), t0);
    auto d = h.run("declare P1 " + secret);
    REQUIRE(d.ok);
    CHECK_FALSE(d.save->is_private);
    // Only before the title: a later "private" is part of it.
    d = h.run("declare P2 the private api is down");
    REQUIRE(d.ok);
    CHECK_FALSE(d.save->is_private);
    CHECK(d.save->title == "the private api is down");
}

TEST_CASE("a type marked private declares private incidents, security is, in the defaults", "[private]") {
    engine_harness h(default_settings(), t0);
    auto d = h.run("declare P1 type:security " + secret);
    REQUIRE(d.ok);
    CHECK(d.save->is_private);
    d = h.run("declare P1 type:outage checkout is down");
    REQUIRE(d.ok);
    CHECK_FALSE(d.save->is_private);
}

TEST_CASE("a private incident is not announced, the escalation channel gets a line without the title", "[private]") {
    engine_harness h(default_settings(), t0);
    auto d = h.run("declare private P1 " + secret);
    REQUIRE(d.ok);
    REQUIRE(d.actions.front().kind == action_kind::create_channel);
    auto outside = outside_posts(d.actions);
    REQUIRE(outside.size() == 1);
    CHECK(outside[0].channel == "incident-escalations");
    CHECK(outside[0].body.text ==
          "A private P1 incident INC-1 was declared by <@U1>; ask them to be added.");
    // The summary is in its own channel, as for any incident; its Resolve button
    // does not promise an announcement.
    CHECK_THAT(in_channel(d), Contains(secret));
    for (const auto& a : d.actions)
        if (a.pin) {
            CHECK_THAT(a.body.blocks_json, Contains("stops its reminders."));
            CHECK(a.body.blocks_json.find("#incidents") == std::string::npos);
        }
    // A public one of the same severity is announced in #incidents and #leadership.
    d = h.run("declare P1 checkout is down");
    CHECK(outside_posts(d.actions).size() == 2);
}

TEST_CASE("the private notice is configurable, and empty says nothing", "[private]") {
    auto cfg = default_settings();
    cfg.private_notice = "{declarer} opened {id} ({severity}), private.";
    engine_harness h(cfg, t0);
    auto d = h.run("declare private P2 " + secret);
    auto outside = outside_posts(d.actions);
    REQUIRE(outside.size() == 1);
    CHECK(outside[0].body.text == "<@U1> opened INC-1 (P2), private.");

    cfg.private_notice.clear();
    engine_harness quiet(cfg, t0);
    d = quiet.run("declare private P2 " + secret);
    REQUIRE(d.ok);
    CHECK(outside_posts(d.actions).empty());
}

TEST_CASE("nothing about a private incident leaves its channel over its whole life", "[private]") {
    engine_harness h(default_settings(), t0);
    std::vector<action> all;
    auto keep = [&](const decision& d) { all.insert(all.end(), d.actions.begin(), d.actions.end()); };
    keep(h.run("declare private P0 " + secret));
    // Unacknowledged and unresolved: both escalations come due.
    for (auto& d : h.advance(hours(2))) keep(d);
    keep(h.run("ack INC-1"));
    keep(h.run("severity INC-1 P1"));
    keep(h.run("severity INC-1 P0"));  // an upgrade: announced for a public one
    keep(h.run("update INC-1 " + secret + " contained"));
    keep(h.run("resolve INC-1 rotated " + secret));
    keep(h.run("reopen INC-1"));
    keep(h.run("resolve INC-1"));
    for (auto& d : h.advance(days(10))) keep(d);

    auto outside = outside_posts(all);
    REQUIRE(outside.size() >= 3);  // the declaration and both escalations
    for (const auto& a : outside) {
        INFO(a.channel << ": " << a.body.text);
        CHECK(a.channel == "incident-escalations");
        CHECK(a.body.text.find("vault") == std::string::npos);
        CHECK(a.body.text.find("leaked") == std::string::npos);
        CHECK(a.body.blocks_json.find("vault") == std::string::npos);
        CHECK_THAT(a.body.text, Contains("private") && Contains("INC-1"));
    }
}

TEST_CASE("list and the App Home show a private incident to its members only", "[private]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare private P1 " + secret).ok);
    REQUIRE(h.run("declare P2 checkout is slow", "U5").ok);
    REQUIRE(h.run("commander INC-1 <@U2>").ok);

    for (std::string member : {"U1", "U2"}) {
        INFO(member);
        CHECK_THAT(h.run("list", member).reply.text, Contains(secret) && Contains("checkout is slow"));
        CHECK_THAT(h.eng.home(h.store, h.now, member).text, Contains(secret));
    }
    auto outsider = h.run("list", "U9").reply.text;
    CHECK_THAT(outsider, Contains("checkout is slow"));
    CHECK(outsider.find("INC-1") == std::string::npos);
    CHECK(outsider.find("vault") == std::string::npos);
    CHECK(h.run("list all", "U9").reply.text.find("vault") == std::string::npos);
    CHECK(h.eng.home(h.store, h.now, "U9").text.find("vault") == std::string::npos);
    CHECK(h.eng.home(h.store, h.now).text.find("vault") == std::string::npos);

    // Someone who joins the channel in Slack is a member from then on.
    observation joined;
    joined.what = observation::kind::member_joined;
    joined.user = "U9";
    joined.channel = h.store.incidents.at(1).channel_name;
    h.store.apply(h.eng.observe(joined, h.store, h.now));
    CHECK_THAT(h.run("list", "U9").reply.text, Contains(secret));
}

TEST_CASE("commands about a private incident from outside it are refused, saying nothing of it", "[private]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare private P1 " + secret).ok);
    REQUIRE(h.run("followup INC-1 rotate the root token owner me due 2026-12-04").ok);
    const std::string refusal = "INC-1 is private: only the people in its channel can see or change it. Ask <@U1>";
    for (std::string text : {"show INC-1", "timeline INC-1", "note INC-1 hello", "ack INC-1", "resolve INC-1",
                             "commander INC-1 me", "followup INC-1 look at logs", "followups INC-1",
                             "followup done F-1", "followup reassign F-1 me", "followup due F-1 fri",
                             "followup drop F-1 not needed", "handoff INC-1 <@U3>", "postmortem INC-1"}) {
        check_refused(h, text, refusal);
        auto d = h.run(text, "U9");
        CHECK(d.reply.text.find("vault") == std::string::npos);
    }
    // Follow-up lists across incidents leave its follow-ups out for outsiders.
    CHECK(h.run("followups open", "U9").reply.text.find("rotate the root token") == std::string::npos);
    CHECK_THAT(h.run("followups open", "U1").reply.text, Contains("rotate the root token"));
    // The Join button cannot let an outsider in.
    auto joined = h.eng.join(1, "U9", h.store, h.now);
    CHECK_FALSE(joined.ok);
    CHECK(joined.actions.empty());
    CHECK_THAT(joined.reply.text, Contains("is private"));
    // Typed in its channel, the caller is in it: Slack says so.
    auto channel = h.store.incidents.at(1).channel_name;
    auto d = h.run("note the attacker's IP is blocked", "U9", channel);
    CHECK(d.ok);
    CHECK_THAT(h.run("show INC-1", "U1").reply.text, Contains(secret));
}

TEST_CASE("a private incident is never suggested as a duplicate to outsiders", "[private]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare private P1 vault tokens leaked").ok);
    auto d = h.run("declare P1 vault tokens expired", "U9");
    REQUIRE(d.ok);
    CHECK(d.reply.text.find("leaked") == std::string::npos);
    CHECK(d.reply.text.find("INC-1") == std::string::npos);
    // Its declarer is told, as for any incident.
    d = h.run("declare P1 vault tokens rotated", "U1");
    CHECK_THAT(d.reply.text, Contains("INC-1"));
}

// --- archiving resolved channels -----------------------------------------------------

TEST_CASE("a resolved incident's channel is archived archive_after later, once, with a last message", "[archive]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    CHECK(h.store.incidents.at(1).due.archive == t0 + days(7));

    auto fired = h.advance(days(7) - seconds(1));
    CHECK(count_kind(fired, action_kind::archive_channel) == 0);
    fired = h.advance(seconds(1));
    REQUIRE(fired.size() == 1);
    const auto& d = fired[0];
    REQUIRE(d.actions.size() >= 2);
    // The last message comes first: nothing can be posted once it is archived.
    CHECK(d.actions[0].kind == action_kind::post);
    CHECK_THAT(d.actions[0].body.text,
               Contains("archived after 7d resolved") && Contains("`/incident reopen INC-1` unarchives it"));
    CHECK(d.actions[1].kind == action_kind::archive_channel);
    CHECK(d.actions[1].incident == 1);
    CHECK(h.store.incidents.at(1).archived);
    CHECK_FALSE(h.store.incidents.at(1).due.archive);
    CHECK(h.store.entries.back().kind == "archived");
    CHECK(h.advance(days(60)).empty());
}

TEST_CASE("archive_after per severity: off when absent", "[archive]") {
    auto cfg = default_settings();
    cfg.severities[2].archive_after.reset();             // P2
    cfg.severities[3].archive_after = std::chrono::days(1);  // P3
    engine_harness h(cfg, t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("declare P3 typo on the status page").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    REQUIRE(h.run("resolve INC-2").ok);
    CHECK_FALSE(h.store.incidents.at(1).due.archive);
    auto fired = h.advance(days(30));
    REQUIRE(count_kind(fired, action_kind::archive_channel) == 1);
    CHECK_FALSE(h.store.incidents.at(1).archived);
    CHECK(h.store.incidents.at(2).archived);
}

TEST_CASE("archiving waits while a follow-up is due within a day, saying why, and tries again", "[archive]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    // Due Tue 1 Dec: the day after the archive comes due (Mon 30 Nov 10:00).
    REQUIRE(h.run("followup INC-1 add an index owner <@U2> due 2026-12-01").ok);
    REQUIRE(h.run("followup INC-1 write the docs owner <@U3> due 2026-12-20").ok);
    REQUIRE(h.run("resolve INC-1").ok);

    auto fired = h.advance_to(t0 + days(7));
    CHECK(count_kind(fired, action_kind::archive_channel) == 0);
    std::string said;
    for (const auto& d : fired) said += in_channel(d);
    CHECK_THAT(said, Contains("Not archiving this channel yet: F-1 (<@U2>, due Tue 1 Dec)") &&
                         Contains("Trying again 2026-12-01 10:00 UTC"));
    CHECK(said.find("F-2") == std::string::npos);  // due later: no reason to wait
    CHECK(h.store.incidents.at(1).due.archive == t0 + days(8));
    CHECK_FALSE(h.store.incidents.at(1).archived);

    REQUIRE(h.run("followup done F-1").ok);
    fired = h.advance_to(t0 + days(8));
    CHECK(count_kind(fired, action_kind::archive_channel) == 1);
    CHECK(h.store.incidents.at(1).archived);
}

TEST_CASE("an overdue follow-up does not keep the channel open", "[archive]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("followup INC-1 add an index owner <@U2> due 2026-11-25").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    auto fired = h.advance_to(t0 + days(7));
    CHECK(count_kind(fired, action_kind::archive_channel) == 1);
}

TEST_CASE("reopening an archived incident unarchives its channel before anything is posted", "[archive]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    h.advance(days(8));
    REQUIRE(h.store.incidents.at(1).archived);

    auto d = h.run("reopen INC-1");
    REQUIRE(d.ok);
    REQUIRE_FALSE(d.actions.empty());
    CHECK(d.actions.front().kind == action_kind::unarchive_channel);
    CHECK(d.actions.front().incident == 1);
    CHECK_FALSE(h.store.incidents.at(1).archived);
    // Resolved again, it is archived again a week later.
    REQUIRE(h.run("resolve INC-1").ok);
    auto fired = h.advance(days(7));
    CHECK(count_kind(fired, action_kind::archive_channel) == 1);
}

TEST_CASE("nothing is sent to an archived channel: follow-ups closed later are on the timeline and answered", "[archive]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("followup INC-1 add an index owner <@U2> due 2026-12-20").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    h.advance(days(7));
    REQUIRE(h.store.incidents.at(1).archived);

    // What exists only to post in the channel is refused, saying what to do instead.
    check_refused(h, "timeline INC-1 all", "INC-1's channel is archived, so nothing can be posted there. "
                                           "`/incident reopen INC-1` unarchives it; `warroom export` has the whole timeline.", "U1");
    check_refused(h, "postmortem INC-1", "INC-1's channel is archived", "U1");
    CHECK(h.run("timeline INC-1").ok);  // an answer to the caller only: fine
    for (std::string text : {"followup done F-1 shipped", "note INC-1 one more thing", "followup INC-1 more docs owner <@U3>"}) {
        INFO(text);
        auto d = h.run(text);
        CHECK(d.ok);
        for (const auto& a : d.actions) {
            INFO(to_string(a.kind) << " " << a.body.text);
            CHECK_FALSE((a.kind == action_kind::post && a.channel.empty()));
            CHECK(a.kind != action_kind::invite);
            CHECK(a.kind != action_kind::update_summary);
        }
    }
    CHECK(h.store.followups.at(1).state == followup_state::done);
    // Its reminders go nowhere in the channel either (Slack would refuse them).
    for (const auto& d : h.advance(days(30)))
        for (const auto& a : d.actions) CHECK_FALSE((a.kind == action_kind::post && a.channel.empty()));
    // Reopened, the channel takes posts again, after the unarchive.
    auto d = h.run("reopen INC-1");
    REQUIRE(d.actions.size() > 1);
    CHECK(d.actions[0].kind == action_kind::unarchive_channel);
    CHECK(d.actions[1].kind == action_kind::post);
    CHECK(h.run("note INC-1 back").actions.size() == 1);
}

TEST_CASE("reopening before the archive disarms it, and a not archived channel is not unarchived", "[archive]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    h.advance(days(3));
    auto d = h.run("reopen INC-1");
    REQUIRE(d.ok);
    CHECK(count_kind({d}, action_kind::unarchive_channel) == 0);
    CHECK_FALSE(h.store.incidents.at(1).due.archive);
    auto fired = h.advance(days(30));
    CHECK(count_kind(fired, action_kind::archive_channel) == 0);
}

// --- handoff --------------------------------------------------------------------------

TEST_CASE("handoff moves the caller's roles and open follow-ups to the new person", "[handoff]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("commander INC-1 me").ok);
    REQUIRE(h.run("scribe INC-1 me").ok);
    REQUIRE(h.run("tech-lead INC-1 <@U3>").ok);
    REQUIRE(h.run("followup INC-1 add a probe owner me due 2026-12-04").ok);      // F-1: moves
    REQUIRE(h.run("followup INC-1 write the runbook owner me").ok);              // F-2: moves
    REQUIRE(h.run("followup INC-1 fix the alert owner <@U2>").ok);               // F-3: already U2's
    REQUIRE(h.run("followup INC-1 tune the pool owner <@U3>").ok);               // F-4: U3's, stays
    REQUIRE(h.run("followup INC-1 old idea owner me").ok);                       // F-5: closed, stays
    REQUIRE(h.run("followup drop F-5 superseded").ok);

    auto d = h.run("handoff INC-1 <@U2|bea>");
    REQUIRE(d.ok);
    const auto& inc = h.store.incidents.at(1);
    CHECK(inc.role_holder("commander") == "U2");
    CHECK(inc.role_holder("scribe") == "U2");
    CHECK(inc.role_holder("tech-lead") == "U3");
    CHECK(h.store.followups.at(1).owner == "U2");
    CHECK(h.store.followups.at(2).owner == "U2");
    CHECK(h.store.followups.at(4).owner == "U3");
    CHECK(h.store.followups.at(5).owner == "U1");
    CHECK(d.followups.size() == 2);

    auto said = in_channel(d);
    CHECK_THAT(said, Contains("<@U1> handed INC-1 off to <@U2>: Incident Commander, Scribe and 2 open follow-ups."));
    CHECK_THAT(said, Contains("<@U2> now owns:") && Contains("F-1 add a probe (due Fri 4 Dec)") &&
                         Contains("F-2 write the runbook") && Contains("F-3 fix the alert"));
    CHECK(said.find("tune the pool") == std::string::npos);
    CHECK(said.find("old idea") == std::string::npos);
    // The new commander is invited; the topic names them.
    bool invited = false;
    for (const auto& a : d.actions) invited = invited || (a.kind == action_kind::invite && a.users == std::vector<std::string>{"U2"});
    CHECK(invited);
    auto handoff = std::find_if(d.timeline.begin(), d.timeline.end(), [](const auto& e) { return e.kind == "handoff"; });
    REQUIRE(handoff != d.timeline.end());
    CHECK(handoff->actor == "U1");
    CHECK(handoff->text == "Handed off to <@U2>: Incident Commander, Scribe and 2 open follow-ups");
    CHECK_THAT(d.reply.text, Contains("Handed INC-1 off to <@U2>"));
    // The new owner's follow-ups remind them, not the caller.
    CHECK_THAT(h.run("followups mine", "U2").reply.text, Contains("add a probe"));
}

TEST_CASE("handoff of follow-ups alone, in the incident's channel", "[handoff]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("followup INC-1 add an index owner <@U4>").ok);
    auto channel = h.store.incidents.at(1).channel_name;
    auto d = h.run("handoff <@U5>", "U4", channel);
    REQUIRE(d.ok);
    CHECK(h.store.followups.at(1).owner == "U5");
    CHECK(h.store.incidents.at(1).roles.empty());
    CHECK_THAT(in_channel(d), Contains("<@U4> handed INC-1 off to <@U5>: 1 open follow-up."));
}

TEST_CASE("handoff refuses what it cannot do, storing nothing", "[handoff]") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("commander INC-1 me").ok);
    check_refused(h, "handoff INC-1", "Hand off to whom? Write it as `/incident handoff [INC-n] &lt;person&gt;`", "U1");
    check_refused(h, "handoff INC-1 bob", "`bob` is not a person.", "U1");
    check_refused(h, "handoff INC-1 me", "You cannot hand INC-1 off to yourself", "U1");
    check_refused(h, "handoff INC-1 <@U2> now", "`now` is more than `handoff` takes", "U1");
    check_refused(h, "handoff INC-9 <@U2>", "INC-9 does not exist", "U1");
    check_refused(h, "handoff <@U2>", "Which incident?", "U1");
    check_refused(h, "handoff INC-1 <@U3>", "You hold no role in INC-1 and own none of its open follow-ups", "U2");
}

TEST_CASE("help lists handoff and declare private", "[handoff]") {
    engine_harness h(default_settings(), t0);
    auto text = h.run("help").reply.text;
    CHECK_THAT(text, Contains("`handoff [INC-n] <person>`") && Contains("`declare [private] [severity]"));
}
