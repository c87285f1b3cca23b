// The engine's paging decisions: whom a declaration, a missed acknowledgement,
// a raised severity and `/incident page` wake; what acknowledging, resolving
// and reopening send; and a page answered in the vendor's app, which is
// recorded without an acknowledge sent back.
#include "memory_store.hpp"

#include "commands/settings.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace warroom::commands;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;

namespace {

settings paging_settings() {
    auto s = default_settings();
    s.pager_names = {"payments-oncall", "platform-oncall", "security-oncall"};
    // Most severe first: the first pages when declared, the second only when not acknowledged.
    s.severities[0].pagers = {"payments-oncall", "platform-oncall"};
    s.severities[0].page_on_declare = true;
    s.severities[1].pagers = {"platform-oncall"};
    s.severities[1].page_on_declare = false;
    for (auto& t : s.incident_types)
        if (t.name == "security") t.pagers = {"security-oncall"};
    return s;
}

// "trigger payments-oncall", one per page the decision orders.
std::vector<std::string> orders(const decision& d) {
    std::vector<std::string> out;
    for (const auto& p : d.pages) out.push_back(std::string(to_string(p.action)) + " " + p.target);
    return out;
}

std::string posts(const decision& d) {
    std::string out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::post || a.kind == action_kind::update_summary) out += a.body.text + "\n";
    return out;
}

std::string sev(const settings& s, std::size_t i) { return s.severities[i].name; }

}  // namespace

TEST_CASE("a declaration at a severity with page_on_declare triggers its pagers and says so") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto d = h.run("declare " + sev(cfg, 0) + " checkout is down");
    REQUIRE(orders(d) == std::vector<std::string>{"trigger payments-oncall", "trigger platform-oncall"});
    for (const auto& p : d.pages) CHECK(p.reason == "declared");
    const auto& inc = h.store.incidents.at(d.save->number);
    REQUIRE(inc.pages.size() == 2);
    CHECK(inc.pages[0].status == page_status::triggered);
    CHECK_THAT(posts(d), Contains("paged payments-oncall, platform-oncall"));  // the announcement
    CHECK_THAT(posts(d), Contains("*Paged:* payments-oncall (triggered)"));    // the pinned summary
}

TEST_CASE("a severity without page_on_declare pages nobody when declared") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto d = h.run("declare " + sev(cfg, 1) + " slow search");
    CHECK(d.pages.empty());
    CHECK(h.store.incidents.at(d.save->number).pages.empty());
}

TEST_CASE("an incident type adds its own pagers to its severity's") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto d = h.run("declare " + sev(cfg, 0) + " type:security leaked key");
    CHECK(orders(d) == std::vector<std::string>{"trigger payments-oncall", "trigger platform-oncall",
                                                "trigger security-oncall"});
}

TEST_CASE("acknowledging acknowledges the pages, resolving resolves them, reopening triggers them again") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto n = std::to_string(h.run("declare " + sev(cfg, 0) + " checkout is down").save->number);
    auto ack = h.run("ack INC-" + n, "U2");
    CHECK(orders(ack) == std::vector<std::string>{"acknowledge payments-oncall", "acknowledge platform-oncall"});
    CHECK_THAT(posts(ack), Contains("payments-oncall (acknowledged by <@U2>)"));  // the summary is edited
    auto resolve = h.run("resolve INC-" + n + " fixed");
    CHECK(orders(resolve) == std::vector<std::string>{"resolve payments-oncall", "resolve platform-oncall"});
    auto reopen = h.run("reopen INC-" + n);
    CHECK(orders(reopen) == std::vector<std::string>{"trigger payments-oncall", "trigger platform-oncall"});
    for (const auto& p : reopen.pages) CHECK(p.reason == "reopened");
}

TEST_CASE("a page triggered after the acknowledgement is resolved with the rest, never acknowledged twice") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto n = std::to_string(h.run("declare " + sev(cfg, 1) + " slow search").save->number);
    h.run("ack INC-" + n);
    auto page = h.run("page INC-" + n + " payments-oncall");
    CHECK(orders(page) == std::vector<std::string>{"trigger payments-oncall"});
    CHECK(h.run("ack INC-" + n).ok == false);  // already acknowledged: nothing is sent
    auto resolve = h.run("resolve INC-" + n);
    CHECK(orders(resolve) == std::vector<std::string>{"resolve payments-oncall"});
}

TEST_CASE("a missed acknowledgement pages the severity's pagers once") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto n = h.run("declare " + sev(cfg, 1) + " slow search").save->number;
    auto fired = h.advance(cfg.severities[1].ack_within + std::chrono::seconds(1));
    REQUIRE(fired.size() == 1);
    CHECK(orders(fired[0]) == std::vector<std::string>{"trigger platform-oncall"});
    CHECK(fired[0].pages[0].actor.empty());  // warroom paged, not a person
    CHECK_THAT(posts(fired[0]), Contains("platform-oncall"));
    auto again = h.advance(cfg.severities[1].ack_within);
    REQUIRE_FALSE(again.empty());  // escalated again (and maybe an update reminder)
    for (const auto& d : again) CHECK(d.pages.empty());  // still waking the on-call: not triggered twice
    CHECK(h.store.incidents.at(n).pages.size() == 1);
}

TEST_CASE("raising the severity into one that pages on declaration pages its pagers") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto n = std::to_string(h.run("declare " + sev(cfg, 2) + " queue backing up").save->number);
    auto raised = h.run("severity INC-" + n + " " + sev(cfg, 0));
    CHECK(orders(raised) == std::vector<std::string>{"trigger payments-oncall", "trigger platform-oncall"});
    auto lowered = h.run("severity INC-" + n + " " + sev(cfg, 2));
    CHECK(lowered.pages.empty());  // lowering never un-pages: the on-call decides
}

TEST_CASE("/incident page: a pager, an unknown one, one already paged, and a person") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto n = std::to_string(h.run("declare " + sev(cfg, 2) + " queue backing up").save->number);
    auto paged = h.run("page INC-" + n + " payments-oncall", "U5");
    REQUIRE(orders(paged) == std::vector<std::string>{"trigger payments-oncall"});
    CHECK(paged.pages[0].actor == "U5");
    CHECK_THAT(posts(paged), Contains("<@U5> paged payments-oncall"));  // answered in the channel
    CHECK(h.store.entries.back().text == "Paged payments-oncall");
    auto twice = h.run("page INC-" + n + " payments-oncall");
    CHECK_FALSE(twice.ok);
    CHECK_THAT(twice.reply.text, Contains("already paged"));
    auto unknown = h.run("page INC-" + n + " nobody");
    CHECK_FALSE(unknown.ok);
    CHECK_THAT(unknown.reply.text, Contains("payments-oncall"));  // the known pagers are listed
    auto person = h.run("page INC-" + n + " <@U9>", "U5");
    CHECK(person.pages.empty());
    std::size_t invites = 0, dms = 0;
    for (const auto& a : person.actions) {
        invites += a.kind == action_kind::invite && a.users == std::vector<std::string>{"U9"};
        dms += a.kind == action_kind::direct_message && a.users == std::vector<std::string>{"U9"};
    }
    CHECK(invites == 1);
    CHECK(dms == 1);
    CHECK_THAT(posts(person), Contains("<@U5> paged <@U9>"));
}

TEST_CASE("a page answered in the vendor's app is recorded once and never acknowledged back") {
    auto cfg = paging_settings();
    engine_harness h(cfg, monday_morning);
    auto n = h.run("declare " + sev(cfg, 0) + " checkout is down").save->number;
    page_answer answer{n, "payments-oncall", "PagerDuty", "Jane Doe", false};
    auto d = h.eng.page_answered(answer, h.store, h.now);
    h.store.apply(d);
    REQUIRE(d.ok);
    // No acknowledge echoed to PagerDuty's target; the other page stops ringing.
    CHECK(orders(d) == std::vector<std::string>{"acknowledge platform-oncall"});
    const auto& inc = h.store.incidents.at(n);
    CHECK(inc.acked_at.has_value());  // someone answered: the incident is acknowledged
    CHECK(inc.pages[0].status == page_status::acknowledged);
    CHECK(inc.pages[0].via == "PagerDuty");
    CHECK(inc.pages[0].changed_by == "Jane Doe");
    CHECK_THAT(posts(d), Contains("acknowledged in PagerDuty by Jane Doe"));
    CHECK_THAT(posts(d), Contains("payments-oncall (acknowledged in PagerDuty by Jane Doe)"));  // the summary
    auto retried = h.eng.page_answered(answer, h.store, h.now);
    CHECK_FALSE(retried.ok);  // the vendor's retry changes nothing
    CHECK(retried.pages.empty());
    // Resolved in the vendor's app: the page is, the incident is not (people resolve incidents).
    auto resolved = h.eng.page_answered({n, "payments-oncall", "PagerDuty", "Jane Doe", true}, h.store, h.now);
    h.store.apply(resolved);
    CHECK(resolved.pages.empty());
    CHECK(h.store.incidents.at(n).is_open());
    CHECK(h.store.incidents.at(n).pages[0].status == page_status::resolved);
}
