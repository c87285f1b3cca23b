// Pages answered in PagerDuty or Opsgenie, as the engine sees them: a
// verified answer in, the timeline, a post in the channel and (for an
// acknowledgement) the incident acknowledged, never paged back.
#include "memory_store.hpp"

#include "commands/settings.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace warroom::commands;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;
using std::chrono::minutes;

namespace {

pager_answer answered(pager_answer::kind what, std::int64_t incident, std::string by = "Tenex Engineer",
                      std::string provider = "PagerDuty") {
    pager_answer a;
    a.what = what;
    a.incident = incident;
    a.provider = std::move(provider);
    a.by = std::move(by);
    return a;
}

std::string posts(const decision& d) {
    std::string out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::post) out += a.body.text + "\n";
    return out;
}

bool updates_summary(const decision& d) {
    for (const auto& a : d.actions)
        if (a.kind == action_kind::update_summary) return true;
    return false;
}

std::size_t escalations(const std::vector<decision>& fired) {
    std::size_t n = 0;
    for (const auto& d : fired)
        for (const auto& e : d.timeline) n += e.kind == "escalation";
    return n;
}

}  // namespace

TEST_CASE("an acknowledgement in PagerDuty acknowledges the incident and stops its escalation") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    h.now += minutes(3);
    auto d = h.eng.answer_from_pager(answered(pager_answer::kind::acknowledged, 1), h.store, h.now);
    REQUIRE(d.ok);
    CHECK(d.from_pager);  // what keeps it from being paged back
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "pager");
    CHECK(d.timeline[0].text == "Acknowledged in PagerDuty by Tenex Engineer");
    CHECK(d.timeline[0].actor.empty());
    CHECK_THAT(posts(d), Contains("*INC-1* was acknowledged in PagerDuty by Tenex Engineer") &&
                             Contains("after 3m"));
    REQUIRE(d.save);
    CHECK(d.save->acked_at == h.now);
    CHECK_FALSE(d.save->due.ack);
    CHECK(updates_summary(d));
    h.store.apply(d);
    CHECK(h.store.incidents.at(1).role_holder("commander").empty());  // a vendor name is no Slack user

    // The summary and /incident show name them as PagerDuty does, never as a broken mention.
    auto shown = h.run("show INC-1").reply.text;
    CHECK_THAT(shown, Contains("by Tenex Engineer in PagerDuty") && !Contains("<@PagerDuty"));
    auto again = h.run("ack INC-1", "U2");
    CHECK_FALSE(again.ok);
    CHECK_THAT(again.reply.text, Contains("already acknowledged by Tenex Engineer in PagerDuty"));
    CHECK(escalations(h.advance(minutes(60))) == 0);
}

TEST_CASE("an unacknowledged incident keeps escalating until the vendor's acknowledgement") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    CHECK(escalations(h.advance(minutes(16))) == 1);
    auto d = h.eng.answer_from_pager(answered(pager_answer::kind::acknowledged, 1, "alice@example.com", "Opsgenie"),
                                     h.store, h.now);
    h.store.apply(d);
    CHECK(escalations(h.advance(minutes(60))) == 0);
}

TEST_CASE("an acknowledgement of an incident already acknowledged in warroom is only noted") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack", "U2", h.store.incidents.at(1).channel_name).ok);
    auto d = h.eng.answer_from_pager(answered(pager_answer::kind::acknowledged, 1), h.store, h.now);
    REQUIRE(d.ok);
    CHECK_FALSE(d.save);
    CHECK(d.timeline.size() == 1);
    CHECK_THAT(posts(d), Contains("acknowledged in PagerDuty") && !Contains("That acknowledges it"));
}

TEST_CASE("a resolution in the pager is noted, the incident stays open in warroom") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    auto d = h.eng.answer_from_pager(answered(pager_answer::kind::resolved, 1, "alice", "Opsgenie"), h.store, h.now);
    REQUIRE(d.ok);
    CHECK(d.from_pager);
    CHECK_FALSE(d.save);  // neither resolved nor acknowledged
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].text == "Resolved in Opsgenie by alice");
    CHECK_THAT(posts(d), Contains("was resolved in Opsgenie by alice") && Contains("stays open in warroom"));
    h.store.apply(d);
    CHECK(h.store.incidents.at(1).is_open());
    CHECK_FALSE(h.store.incidents.at(1).acked_at);
}

TEST_CASE("a vendor's name can mention nobody, and an unknown incident decides nothing") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    auto d = h.eng.answer_from_pager(answered(pager_answer::kind::acknowledged, 1, "<!channel> <@U9> Eve\nline"),
                                     h.store, h.now);
    REQUIRE(d.ok);
    CHECK_THAT(posts(d), !Contains("<!channel>") && !Contains("<@U9>"));
    CHECK_THAT(d.timeline[0].text, !Contains("\n") && !Contains("<"));
    auto none = h.eng.answer_from_pager(answered(pager_answer::kind::acknowledged, 7), h.store, h.now);
    CHECK_FALSE(none.ok);
    CHECK(none.timeline.empty());
    CHECK(none.actions.empty());
}
