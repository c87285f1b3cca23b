// Follow-ups as a responder types them: adding, closing, reassigning,
// moving and dropping one, listing them, what each refuses, and the
// reminders to their owners on the fake clock.
#include "memory_store.hpp"

#include "commands/followup.hpp"
#include "commands/settings.hpp"
#include "templates/slack_text.hpp"

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
using std::chrono::hours;
using std::chrono::minutes;

namespace {

const time_point t0 = monday_morning;  // Mon 23 Nov 2026, 10:00 UTC
const std::string channel = "incident-20261123-checkout-is-down";

std::string stamp(const std::optional<time_point>& t) {
    return t ? std::to_string(t->time_since_epoch().count()) : "-";
}

// Everything stored about follow-ups, the timeline and the outbox, comparable.
std::string fingerprint(const memory_store& s) {
    std::string out = "next=" + std::to_string(s.followup_counter) + "\n";
    for (const auto& [id, f] : s.followups)
        out += f.ref() + "|" + std::to_string(f.incident) + "|" + f.text + "|" + f.owner + "|" +
               (f.due ? format_day(*f.due) : "-") + "|" + std::string(to_string(f.state)) + "|" + f.note + "|" +
               stamp(f.remind_at) + "\n";
    for (const auto& e : s.entries) out += "T" + std::to_string(e.incident) + "|" + e.kind + "|" + e.text + "\n";
    for (const auto& a : s.outbox) out += "A" + std::to_string(a.incident) + "|" + a.channel + "|" + a.body.text + "\n";
    return out;
}

void check_refused(engine_harness& h, const std::string& text, const std::string& says, const std::string& in = "C0") {
    INFO("command: " << text);
    auto before = fingerprint(h.store);
    auto d = h.run(text, "U1", in);
    CHECK_FALSE(d.ok);
    CHECK(d.actions.empty());
    CHECK(d.timeline.empty());
    CHECK(d.followups.empty());
    CHECK_THAT(d.reply.text, StartsWith(":warning:") && Contains(says));
    CHECK(fingerprint(h.store) == before);
}

std::string posts(const decision& d) {
    std::string out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::post && a.channel.empty()) out += a.body.text + "\n";
    return out;
}

// Reminders posted by the firings, in order.
std::vector<std::string> reminders(const std::vector<decision>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        for (const auto& a : d.actions)
            if (a.kind == action_kind::post && a.body.text.find(":alarm_clock:") != std::string::npos)
                out.push_back(a.body.text);
    return out;
}

// The times at which reminders were posted.
std::vector<time_point> reminder_times(engine_harness& h, time_point until) {
    std::vector<time_point> out;
    while (auto due = h.store.next_due()) {
        if (due->at > until) break;
        h.now = std::max(h.now, due->at);
        auto d = h.eng.fire(due->incident, due->kind, h.store, h.now);
        h.store.apply(d);
        if (!reminders({d}).empty()) out.push_back(h.now);
    }
    h.now = until;
    return out;
}

engine_harness declared(settings cfg = default_settings()) {
    engine_harness h(std::move(cfg), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    return h;
}

}  // namespace

// --- adding ------------------------------------------------------------------------

TEST_CASE("followup adds a record with owner and due date, posts it and puts it on the timeline", "[followups]") {
    auto h = declared();
    auto d = h.run("followup INC-1 Add a readiness probe to checkout owner <@U2|ann> due 2026-12-04");
    REQUIRE(d.ok);
    REQUIRE(h.store.followups.size() == 1);
    const auto& f = h.store.followups.at(1);
    CHECK(f.ref() == "F-1");
    CHECK(f.incident == 1);
    CHECK(f.text == "Add a readiness probe to checkout");
    CHECK(f.owner == "U2");
    CHECK(f.due == day(date::sys_days(date::year(2026) / 12 / 4).time_since_epoch()));
    CHECK(f.is_open());
    CHECK(f.created_by == "U1");
    CHECK(f.created_at == t0);
    // Reminded on the due day at the start of working hours.
    CHECK(f.remind_at == at(2026, 12, 4, 9));

    CHECK_THAT(posts(d), Contains("F-1") && Contains("INC-1") && Contains("Add a readiness probe") &&
                             Contains("<@U2>") && Contains("Fri 4 Dec"));
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "followup");
    CHECK(d.timeline[0].actor == "U1");
    CHECK_THAT(d.timeline[0].text, Contains("F-1 added") && Contains("2026-12-04") && Contains("<@U2>"));
    CHECK_THAT(d.reply.text, Contains("Added F-1 to INC-1"));
    // Nothing about the incident itself changed.
    CHECK_FALSE(d.save);
    // The owner is invited, so that the reminders' mentions reach them.
    std::vector<std::string> invited;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::invite) invited.insert(invited.end(), a.users.begin(), a.users.end());
    CHECK(invited == std::vector<std::string>{"U2"});
    // The declarer is in the channel already.
    d = h.run("followup INC-1 Another one owner me");
    REQUIRE(d.ok);
    for (const auto& a : d.actions) CHECK(a.kind != action_kind::invite);
}

TEST_CASE("followup: the owner is the caller when left out, `me`, and the incident is the channel's", "[followups]") {
    auto h = declared();
    SECTION("no owner, no due date: the caller's, never reminded") {
        REQUIRE(h.run("followup Write the runbook", "U7", channel).ok);
        const auto& f = h.store.followups.at(1);
        CHECK(f.incident == 1);
        CHECK(f.owner == "U7");
        CHECK_FALSE(f.due);
        CHECK_FALSE(f.remind_at);
        auto next = h.store.next_due();
        CHECK_FALSE((next && next->kind == timer_kind::followup));
    }
    SECTION("`action` is the same command; due and owner in either order; `me`") {
        REQUIRE(h.run("action INC-1 Rotate the keys due fri owner me", "U3").ok);
        const auto& f = h.store.followups.at(1);
        CHECK(f.text == "Rotate the keys");
        CHECK(f.owner == "U3");
        CHECK(f.due == local_day(h.eng.config().hours, at(2026, 11, 27, 12)));
    }
    SECTION("the text is one line") {
        REQUIRE(h.run("followup INC-1 Fix the\nretry storm owner me").ok);
        CHECK(h.store.followups.at(1).text == "Fix the retry storm");
    }
    SECTION("words like done or due inside the text stay text") {
        REQUIRE(h.run("followup INC-1 done means the due dashboards exist").ok);
        CHECK(h.store.followups.at(1).text == "done means the due dashboards exist");
    }
}

TEST_CASE("follow-up ids are one sequence over all incidents, and resolved incidents take them", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("followup INC-1 first").ok);
    REQUIRE(h.run("resolve INC-2").ok);
    auto d = h.run("followup INC-2 second");
    REQUIRE(d.ok);
    CHECK(h.store.followups.at(2).incident == 2);
    CHECK_THAT(d.reply.text, Contains("F-2") && Contains("INC-2"));
}

TEST_CASE("due dates: dates, weekdays, durations, in the configured time zone", "[followups]") {
    const auto& hours = default_settings().hours;
    auto on = [](int y, unsigned m, unsigned d) { return day(date::sys_days(date::year(y) / m / d).time_since_epoch()); };
    // Monday 23 Nov 2026.
    CHECK(parse_due("2026-12-04", hours, t0) == on(2026, 12, 4));
    CHECK(parse_due("today", hours, t0) == on(2026, 11, 23));
    CHECK(parse_due("Tomorrow", hours, t0) == on(2026, 11, 24));
    CHECK(parse_due("fri", hours, t0) == on(2026, 11, 27));
    CHECK(parse_due("friday", hours, t0) == on(2026, 11, 27));
    CHECK(parse_due("mon", hours, t0) == on(2026, 11, 30));  // today is Monday: the next one
    CHECK(parse_due("3d", hours, t0) == on(2026, 11, 26));
    CHECK(parse_due("2w", hours, t0) == on(2026, 12, 7));
    CHECK(parse_due("2026-11-01", hours, t0) == on(2026, 11, 1));  // in the past: the caller refuses it
    CHECK_FALSE(parse_due("2026-02-30", hours, t0));
    CHECK_FALSE(parse_due("soon", hours, t0));
    CHECK_FALSE(parse_due("12/04", hours, t0));

    // At 12:00 UTC on Monday it is already Tuesday 01:00 in Auckland.
    working_hours nz = hours;
    nz.timezone = "Pacific/Auckland";
    auto noon = at(2026, 11, 23, 12);
    CHECK(parse_due("today", nz, noon) == on(2026, 11, 24));
    CHECK(parse_due("fri", nz, noon) == on(2026, 11, 27));
    CHECK(parse_due("1d", nz, noon) == on(2026, 11, 25));
}

TEST_CASE("follow-up refusals: a clear error for the caller, nothing stored or posted", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 existing one owner <@U2>").ok);
    check_refused(h, "followup INC-1", "needs text");
    check_refused(h, "followup INC-1 owner <@U2> due fri", "needs text");
    check_refused(h, "followup INC-1 fix it owner bob", "`bob` is not a person");
    check_refused(h, "followup INC-1 fix it owner", "Who owns it?");
    check_refused(h, "followup INC-1 fix it due", "Due when?");
    check_refused(h, "followup INC-1 fix it due 2026-11-20", "2026-11-20 is in the past");
    check_refused(h, "followup INC-1 fix it due someday", "`someday` is not a due date");
    check_refused(h, "followup INC-9 fix it", "INC-9 does not exist");
    check_refused(h, "followup fix it", "Which incident?");
    check_refused(h, "followup INC-1 " + std::string(1001, 'x'), "too long");
    check_refused(h, "followup done F-9", "F-9 does not exist");
    check_refused(h, "followup done", "Which follow-up?");
    check_refused(h, "followup reassign F-9 <@U3>", "F-9 does not exist");
    check_refused(h, "followup reassign F-1 bob", "`bob` is not a person");
    check_refused(h, "followup reassign F-1", "Who owns it?");
    check_refused(h, "followup reassign F-1 <@U2>", "already owns F-1");
    check_refused(h, "followup reassign F-1 <@U3> now", "is more than that takes");
    check_refused(h, "followup due F-9 fri", "F-9 does not exist");
    check_refused(h, "followup due F-1 2020-01-01", "in the past");
    check_refused(h, "followup due F-1", "Due when?");
    check_refused(h, "followup drop F-9 not needed", "F-9 does not exist");
    check_refused(h, "followup drop F-1", "Say why");
    check_refused(h, "followups everything", "Unknown list `everything`");
    check_refused(h, "followups INC-9", "INC-9 does not exist");
    REQUIRE(h.run("followup done F-1").ok);
    check_refused(h, "followup done F-1", "F-1 is already done");
    check_refused(h, "followup drop F-1 obsolete", "F-1 is already done");
    check_refused(h, "followup reassign F-1 <@U3>", "F-1 is already done");
}

// --- changing ------------------------------------------------------------------------

TEST_CASE("followup done closes it with a note, stops its reminders and says so in the channel", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due fri").ok);
    h.now = t0 + hours(1);
    auto d = h.run("followup done f-1 shipped in PR 42", "U2", "C9");
    REQUIRE(d.ok);
    const auto& f = h.store.followups.at(1);
    CHECK(f.state == followup_state::done);
    CHECK(f.closed_at == t0 + hours(1));
    CHECK(f.closed_by == "U2");
    CHECK(f.note == "shipped in PR 42");
    CHECK_FALSE(f.remind_at);
    CHECK_THAT(posts(d), Contains("F-1") && Contains("Add alerting") && Contains("done: shipped in PR 42"));
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].incident == 1);
    CHECK_THAT(d.timeline[0].text, Contains("F-1") && Contains("done: shipped in PR 42"));
    CHECK_THAT(d.reply.text, Contains("F-1 is done"));
    // Nothing left to remind anyone of, ever.
    h.now = at(2026, 11, 27, 8);
    CHECK(reminders(h.advance(std::chrono::days(30))).empty());
}

TEST_CASE("followup reassign, due and drop change the record and the timeline says so", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due fri").ok);

    auto d = h.run("followup reassign F-1 <@U3|bob>");
    REQUIRE(d.ok);
    CHECK(h.store.followups.at(1).owner == "U3");
    CHECK_THAT(d.timeline.at(0).text, Contains("reassigned from <@U2> to <@U3>"));
    CHECK_THAT(posts(d), Contains("reassigned to <@U3>"));
    REQUIRE(std::count_if(d.actions.begin(), d.actions.end(), [](const action& a) { return a.kind == action_kind::invite; }) == 1);
    CHECK(std::find_if(d.actions.begin(), d.actions.end(), [](const action& a) {
              return a.kind == action_kind::invite;
          })->users == std::vector<std::string>{"U3"});

    d = h.run("followup due F-1 2026-12-10");
    REQUIRE(d.ok);
    CHECK(format_day(*h.store.followups.at(1).due) == "2026-12-10");
    CHECK(h.store.followups.at(1).remind_at == at(2026, 12, 10, 9));  // the reminder moves with it
    CHECK_THAT(d.timeline.at(0).text, Contains("due 2026-11-27 → 2026-12-10"));
    CHECK_THAT(posts(d), Contains("now due Thu 10 Dec"));

    d = h.run("followup drop F-1 replaced by the new dashboard");
    REQUIRE(d.ok);
    CHECK(h.store.followups.at(1).state == followup_state::dropped);
    CHECK(h.store.followups.at(1).note == "replaced by the new dashboard");
    CHECK_FALSE(h.store.followups.at(1).remind_at);
    CHECK_THAT(d.timeline.at(0).text, Contains("dropped: replaced by the new dashboard"));

    std::vector<std::string> kinds;
    for (const auto& e : h.store.entries) kinds.push_back(e.kind);
    CHECK(std::count(kinds.begin(), kinds.end(), "followup") == 4);  // added, reassigned, due, dropped
}

// --- reading ----------------------------------------------------------------------

TEST_CASE("followups lists by incident, mine, open and overdue, for the caller only", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("declare P2 search is slow").ok);
    REQUIRE(h.run("followup INC-1 alpha owner <@U2> due tue").ok);
    REQUIRE(h.run("followup INC-1 beta owner <@U3> due 2026-12-20").ok);
    REQUIRE(h.run("followup INC-2 gamma owner <@U2>").ok);
    REQUIRE(h.run("followup INC-1 delta owner <@U2>").ok);
    REQUIRE(h.run("followup done F-4").ok);
    h.now = at(2026, 11, 26, 10);  // alpha (due Tue 24) is overdue

    auto before = fingerprint(h.store);
    auto list = [&](const std::string& text, const std::string& user = "U2", const std::string& in = "C0") {
        auto d = h.run(text, user, in);
        CHECK(d.ok);
        CHECK(d.actions.empty());
        CHECK(d.timeline.empty());
        CHECK(d.followups.empty());
        return d.reply.text;
    };
    auto of_inc1 = list("followups INC-1");
    CHECK_THAT(of_inc1, Contains("alpha") && Contains("beta") && Contains("delta") && !Contains("gamma"));
    CHECK_THAT(of_inc1, Contains("overdue") && Contains("done 2026-11-23"));
    CHECK(of_inc1.find("alpha") < of_inc1.find("beta"));  // the soonest due first
    CHECK(of_inc1.find("beta") < of_inc1.find("delta"));  // closed ones last
    CHECK(list("followups", "U2", channel) == of_inc1);   // in the channel: its incident's

    auto mine = list("followups mine");
    CHECK_THAT(mine, Contains("alpha") && Contains("gamma") && !Contains("beta") && !Contains("delta"));
    auto open = list("followups open");
    CHECK_THAT(open, Contains("alpha") && Contains("beta") && Contains("gamma") && !Contains("delta"));
    CHECK(list("followups") == open);  // outside an incident channel
    auto overdue = list("followups overdue");
    CHECK_THAT(overdue, Contains("alpha") && !Contains("beta") && !Contains("gamma"));
    CHECK(fingerprint(h.store) == before);
}

TEST_CASE("the post-mortem draft lists the follow-ups with owner, due date and state", "[followups]") {
    auto h = declared();
    SECTION("without any: the placeholder says how to add one") {
        auto d = h.run("postmortem INC-1");
        CHECK_THAT(posts(d), Contains("## Action items") && Contains("/incident followup"));
    }
    SECTION("with them") {
        REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due tue").ok);
        REQUIRE(h.run("followup INC-1 Fix the retry storm owner <@U3>").ok);
        REQUIRE(h.run("followup INC-1 Old idea owner <@U3>").ok);
        REQUIRE(h.run("followup done F-2").ok);
        REQUIRE(h.run("followup drop F-3 not worth it").ok);
        h.now = at(2026, 11, 25, 10);
        auto text = posts(h.run("postmortem INC-1"));
        auto items = text.substr(text.find("## Action items"));
        CHECK_THAT(items, Contains("- [ ] F-1 Add alerting (<@U2>, due Tue 24 Nov): overdue"));
        CHECK_THAT(items, Contains("- [x] F-2 Fix the retry storm (<@U3>, no due date): done 2026-11-23"));
        CHECK_THAT(items, Contains("- [ ] F-3 Old idea (<@U3>, no due date): dropped: not worth it"));
        CHECK_THAT(items, !Contains("_action_"));
    }
}

TEST_CASE("stats counts the period's follow-ups: open, overdue, done on time", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 a due tue").ok);         // open, overdue by Thursday
    REQUIRE(h.run("followup INC-1 b due 2026-12-20").ok);  // open
    REQUIRE(h.run("followup INC-1 c due tue").ok);         // done on time (Monday)
    REQUIRE(h.run("followup INC-1 d due tue").ok);         // done late (Thursday)
    REQUIRE(h.run("followup INC-1 e").ok);                 // dropped
    REQUIRE(h.run("followup done F-3").ok);
    REQUIRE(h.run("followup drop F-5 no").ok);
    h.now = at(2026, 11, 26, 10);
    REQUIRE(h.run("followup done F-4").ok);
    auto d = h.run("stats 30d");
    REQUIRE(d.ok);
    CHECK_THAT(d.reply.text, Contains("Follow-ups made in the period: 5 · 2 open (1 overdue) · 1 of 2 done on time · 1 dropped"));
    h.now = at(2027, 3, 1, 10);
    CHECK_THAT(h.run("stats 30d").reply.text, !Contains("Follow-ups"));  // none made in that period
}

TEST_CASE("help shows the follow-up commands", "[followups]") {
    auto h = declared();
    CHECK_THAT(h.run("help").reply.text, Contains("followup [INC-n] <text>") && Contains("followup done <F-id>") &&
                                             Contains("followups [INC-n|mine|open|overdue]"));
}

// --- reminders ------------------------------------------------------------------------

TEST_CASE("the owner is reminded on the due day at the start of working hours, then every 2 days while overdue", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due wed").ok);  // Wed 25 Nov
    // Nothing before the due day's working hours.
    CHECK(reminders(h.advance_to(at(2026, 11, 25, 9) - std::chrono::seconds(1))).empty());
    auto fired = reminders(h.advance_to(at(2026, 11, 25, 9)));
    REQUIRE(fired.size() == 1);
    CHECK_THAT(fired[0], Contains("<@U2>") && Contains("F-1") && Contains("INC-1") && Contains("is due today") &&
                             Contains("Add alerting"));
    // Fri 27 09:00, then Sun 29 09:00 waits for Mon 30 09:00, then Wed 2 Dec 09:00.
    auto times = reminder_times(h, at(2026, 12, 2, 12));
    CHECK(times == std::vector<time_point>{at(2026, 11, 27, 9), at(2026, 11, 30, 9), at(2026, 12, 2, 9)});
    h.now = at(2026, 11, 27, 9);
    auto d = h.eng.fire(1, timer_kind::followup, h.store, h.now);
    CHECK(reminders({d}).empty());  // already said: a stale firing says nothing
}

TEST_CASE("an overdue reminder says by how much, and followup_nag sets the cadence", "[followups]") {
    auto cfg = default_settings();
    cfg.followup_nag = std::chrono::days(1);
    auto h = declared(cfg);
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due tue").ok);
    h.advance_to(at(2026, 11, 24, 12));
    auto times = reminder_times(h, at(2026, 11, 27, 12));
    CHECK(times == std::vector<time_point>{at(2026, 11, 25, 9), at(2026, 11, 26, 9), at(2026, 11, 27, 9)});
    h.now = at(2026, 11, 28, 9);  // Saturday: waits for Monday
    h.store.followups.at(1).remind_at = at(2026, 11, 27, 9);
    auto fired = h.advance_to(at(2026, 11, 30, 9));
    REQUIRE(reminders(fired).size() == 1);
    CHECK_THAT(reminders(fired)[0], Contains("is overdue by 6 days") && Contains("was due Tue 24 Nov"));
}

TEST_CASE("reminders follow the working hours and their time zone", "[followups]") {
    auto cfg = default_settings();
    cfg.hours.timezone = "Europe/Berlin";  // UTC+1 in winter
    auto h = declared(cfg);
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due 2026-11-28").ok);  // a Saturday
    // The due day is not worked: the first reminder is Monday's 09:00 in Berlin.
    CHECK(h.store.followups.at(1).remind_at == at(2026, 11, 30, 8));
    auto times = reminder_times(h, at(2026, 11, 30, 12));
    CHECK(times == std::vector<time_point>{at(2026, 11, 30, 8)});
}

TEST_CASE("a follow-up due today made after the day's start is first reminded the next working morning", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Add alerting due today").ok);  // Monday 10:00
    CHECK(h.store.followups.at(1).remind_at == at(2026, 11, 24, 9));
    auto fired = reminders(h.advance_to(at(2026, 11, 24, 9)));
    REQUIRE(fired.size() == 1);
    CHECK_THAT(fired[0], Contains("overdue by 1 day"));
}

TEST_CASE("reminders missed while warroom was down fire once, and never at night", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 Add alerting owner <@U2> due wed").ok);
    SECTION("back in working hours two weeks later: one reminder, the next one nag from now") {
        h.now = at(2026, 12, 9, 14);
        auto d = h.eng.fire(1, timer_kind::followup, h.store, h.now);
        h.store.apply(d);
        CHECK(reminders({d}).size() == 1);
        CHECK(h.store.followups.at(1).remind_at == at(2026, 12, 11, 14));
        d = h.eng.fire(1, timer_kind::followup, h.store, h.now);
        CHECK(reminders({d}).empty());
    }
    SECTION("back at night: nothing now, once in the morning") {
        h.now = at(2026, 12, 9, 3);
        auto d = h.eng.fire(1, timer_kind::followup, h.store, h.now);
        h.store.apply(d);
        CHECK(reminders({d}).empty());
        CHECK(h.store.followups.at(1).remind_at == at(2026, 12, 9, 9));
        CHECK(reminder_times(h, at(2026, 12, 9, 12)) == std::vector<time_point>{at(2026, 12, 9, 9)});
    }
}

TEST_CASE("dropping a follow-up cancels its reminders, others of the incident keep theirs", "[followups]") {
    auto h = declared();
    REQUIRE(h.run("followup INC-1 one owner <@U2> due wed").ok);
    REQUIRE(h.run("followup INC-1 two owner <@U3> due wed").ok);
    REQUIRE(h.run("followup drop F-1 duplicate").ok);
    auto fired = reminders(h.advance_to(at(2026, 11, 25, 12)));
    REQUIRE(fired.size() == 1);
    CHECK_THAT(fired[0], Contains("F-2") && Contains("<@U3>"));
}

TEST_CASE("a list longer than one message shows the soonest due and says how many more there are", "[followups]") {
    auto h = declared();
    for (int i = 1; i <= 400; ++i) {
        auto due = "2026-12-" + std::string(i % 20 + 10 < 10 ? "0" : "") + std::to_string(i % 20 + 10);
        REQUIRE(h.run("followup INC-1 item " + std::to_string(i) + " " + std::string(60, 'x') + " owner <@U2> due " + due).ok);
    }
    auto d = h.run("followups open");
    REQUIRE(d.ok);
    CHECK(warroom::templates::fits_in_blocks(d.reply.text));
    CHECK_THAT(d.reply.text, Contains("*Open follow-ups* (400)") && Contains("more not shown"));
    // Every line shown plus the ones said not shown is all of them.
    std::size_t shown = 0;
    for (auto at = d.reply.text.find("• "); at != std::string::npos; at = d.reply.text.find("• ", at + 1)) ++shown;
    auto more_at = d.reply.text.find("and ") + 4;
    auto more = std::stoul(d.reply.text.substr(more_at));
    CHECK(shown + more == 400);
    CHECK(shown > 90);  // as many as fit (about 110 characters each), not a few
    CHECK_THAT(d.reply.text, Contains("due Thu 10 Dec") && !Contains("due Tue 29 Dec"));
}
