// Slack events on the timeline: a :pushpin: reaction adds the message once,
// joins are recorded, events elsewhere change nothing; and the App Home.
#include "memory_store.hpp"

#include "commands/settings.hpp"

#include <catch2/catch.hpp>

using namespace warroom::commands;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;

namespace {

observation pinned(const std::string& channel, const std::string& ts, const std::string& text) {
    observation o;
    o.what = observation::kind::pinned_message;
    o.user = "U7";
    o.channel = channel;
    o.author = "U8";
    o.text = text;
    o.message_ts = ts;
    o.permalink = "https://example.slack.com/archives/" + channel + "/p" + ts;
    return o;
}

std::size_t entries_of(engine_harness& h, const std::string& kind) {
    std::size_t n = 0;
    for (const auto& e : h.store.entries) n += e.kind == kind;
    return n;
}

}  // namespace

TEST_CASE("a pinned message goes on the incident's timeline once") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    auto channel = h.store.incidents.at(1).channel_name;
    auto seen = pinned(channel, "1700000000.000100", "rolled back to v41 <!channel>");
    auto d = h.eng.observe(seen, h.store, h.now);
    REQUIRE(d.ok);
    h.store.apply(d);
    REQUIRE(entries_of(h, "pinned") == 1);
    CHECK(d.timeline[0].actor == "U7");
    CHECK_THAT(d.timeline[0].text, Contains("<@U8>") && Contains("rolled back to v41") && Contains(seen.permalink));
    CHECK(d.actions.empty());  // the timeline only: nothing is posted

    SECTION("a message of several lines is one line on the timeline") {
        auto d2 = h.eng.observe(pinned(channel, "1700000000.000200", "first\nsecond"), h.store, h.now);
        REQUIRE(d2.ok);
        CHECK_THAT(d2.timeline[0].text, Contains("first second"));
    }
    SECTION("again (another reaction, a retry) adds nothing") {
        auto again = h.eng.observe(seen, h.store, h.now);
        CHECK_FALSE(again.ok);
    }
    SECTION("and it shows in the timeline command, escaped") {
        auto t = h.run("timeline INC-1");
        CHECK_THAT(t.reply.text, Contains("rolled back to v41"));
        CHECK_THAT(t.reply.text, !Contains("<!channel>"));
    }
}

TEST_CASE("events outside incident channels change nothing") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    CHECK_FALSE(h.eng.observe(pinned("CGENERAL", "1.2", "hello"), h.store, h.now).ok);
    observation joined;
    joined.what = observation::kind::member_joined;
    joined.user = "U5";
    joined.channel = "CGENERAL";
    CHECK_FALSE(h.eng.observe(joined, h.store, h.now).ok);
}

TEST_CASE("someone joining the incident channel is recorded") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P2 search is slow").ok);
    observation joined;
    joined.what = observation::kind::member_joined;
    joined.user = "U5";
    joined.channel = h.store.incidents.at(1).channel_name;
    auto d = h.eng.observe(joined, h.store, h.now);
    REQUIRE(d.ok);
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "joined");
    CHECK_THAT(d.timeline[0].text, Contains("<@U5> joined"));
}

TEST_CASE("what Slack events add to the timeline leaves the pinned summary alone") {
    engine_harness h(default_settings(), monday_morning);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    auto channel = h.store.incidents.at(1).channel_name;
    observation joined;
    joined.what = observation::kind::member_joined;
    joined.user = "U5";
    joined.channel = channel;
    for (const auto& seen : {joined, pinned(channel, "1700000000.000300", "rolled back")}) {
        auto d = h.eng.observe(seen, h.store, h.now);
        REQUIRE(d.ok);
        CHECK(d.actions.empty());
        h.store.apply(d);
    }
}

TEST_CASE("the App Home lists open incidents by severity with age, commander and next update") {
    engine_harness h(default_settings(), monday_morning);
    CHECK_THAT(h.eng.home(h.store, h.now).text, Contains("Nothing is open"));
    REQUIRE(h.run("declare P3 flaky test").ok);
    REQUIRE(h.run("declare P0 payments down").ok);
    REQUIRE(h.run("ic INC-2 <@U9>").ok);
    REQUIRE(h.run("declare P1 resolved soon").ok);
    REQUIRE(h.run("resolve INC-3 fixed").ok);
    h.advance(std::chrono::minutes(7));
    auto text = h.eng.home(h.store, h.now).text;
    CHECK_THAT(text, Contains("(2)"));
    CHECK(text.find("*P0 Critical*") < text.find("*P3 Low*"));
    CHECK_THAT(text, Contains("*INC-2* payments down") && Contains("open 7m") && Contains("IC <@U9>"));
    CHECK_THAT(text, Contains("next update"));
    CHECK_THAT(text, !Contains("INC-3"));
}
