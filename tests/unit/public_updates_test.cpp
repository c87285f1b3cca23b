// What customers are told, as the engine decides it: affected components
// (`impact`), public updates (`public`, alias `statuspage`) kept apart from
// internal ones, their approval, and the status-page clock on a fake clock.
#include "memory_store.hpp"

#include "commands/settings.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace warroom::commands;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using Catch::Matchers::Contains;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

const time_point t0 = monday_morning;

settings page_settings(bool approval = false) {
    auto cfg = default_settings();
    cfg.public_page = true;
    cfg.public_components = {"API", "Web app", "Payments"};
    cfg.public_updates_need_approval = approval;
    return cfg;
}

std::string channel_posts(const decision& d) {
    std::string out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::post && a.channel.empty()) out += a.body.text + "\n";
    return out;
}

std::string all_posts(const std::vector<decision>& ds) {
    std::string out;
    for (const auto& d : ds) out += channel_posts(d);
    return out;
}

std::size_t reminders(const std::vector<decision>& ds) {
    std::size_t n = 0;
    for (const auto& d : ds)
        for (const auto& a : d.actions)
            if (a.kind == action_kind::post && a.body.text.find(":loudspeaker:") != std::string::npos) ++n;
    return n;
}

bool has_button(const decision& d, std::string_view action_id) {
    for (const auto& a : d.actions)
        if (a.body.blocks_json.find("\"" + std::string(action_id) + "\"") != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("impact sets and clears a component's state, case-insensitively, on the timeline", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down");
    auto d = h.run("impact INC-1 web APP major_outage");
    REQUIRE(d.ok);
    CHECK(h.store.incidents.at(1).impacts.at("Web app") == component_impact::major_outage);
    CHECK_THAT(channel_posts(d), Contains("*Web app*") && Contains("major outage"));
    CHECK(h.store.entries.back().kind == "impact");
    CHECK(h.store.entries.back().text == "Web app: major outage");
    // Nothing is published yet: the responders are told when customers will see it.
    CHECK_THAT(channel_posts(d), Contains("customers see it with the first public update"));
    CHECK_THAT(d.reply.text, Contains("customers see it with INC-1's first public update"));
    REQUIRE(h.run("public INC-1 investigating Checkout fails for some.", "U2").ok);
    auto after = h.run("impact INC-1 Payments partial_outage");
    CHECK_THAT(channel_posts(after), !Contains("first public update"));
    CHECK_THAT(after.reply.text, Contains("on the status page."));

    // Statuspage's own spelling is taken too, and a change replaces the impact.
    REQUIRE(h.run("impact INC-1 Web app degraded_performance").ok);
    CHECK(h.store.incidents.at(1).impacts.at("Web app") == component_impact::degraded);
    REQUIRE(h.run("impact INC-1 Payments maintenance").ok);
    CHECK(h.store.incidents.at(1).impacts.size() == 2);

    d = h.run("impact INC-1 web app operational");
    REQUIRE(d.ok);
    CHECK(h.store.incidents.at(1).impacts.count("Web app") == 0);
    CHECK(h.store.entries.back().text == "Web app: operational");
}

TEST_CASE("impact refuses what the page could not show, changing nothing", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down");
    auto before = h.store.incidents.at(1).impacts;
    for (const char* bad : {"impact INC-1 Database major_outage", "impact INC-1 API broken", "impact INC-1 API",
                            "impact INC-1 API operational", "impact INC-9 API major_outage"}) {
        INFO(bad);
        auto d = h.run(bad);
        CHECK_FALSE(d.ok);
        CHECK_FALSE(d.save);
        CHECK(d.actions.empty());
    }
    CHECK(h.run("impact INC-1 Database major_outage").reply.text.find("`API`, `Web app`, `Payments`") != std::string::npos);

    engine_harness none(default_settings(), t0);
    none.run("declare P1 checkout is down");
    CHECK_THAT(none.run("impact INC-1 API major_outage").reply.text, Contains("[[components]]"));
}

TEST_CASE("a public update is its own record, an internal update never becomes one", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down");
    h.run("update INC-1 db-7 ran out of connections, bob is restarting it");
    CHECK(h.store.incidents.at(1).public_notes.empty());

    h.now += minutes(3);
    auto d = h.run("public INC-1 identified Some customers cannot pay; we found the cause.", "U2");
    REQUIRE(d.ok);
    const auto& notes = h.store.incidents.at(1).public_notes;
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].seq == 1);
    CHECK(notes[0].phase == public_phase::identified);
    CHECK(notes[0].text == "Some customers cannot pay; we found the cause.");
    CHECK(notes[0].published_at == h.now);
    CHECK(notes[0].published_by == "U2");
    CHECK_THAT(channel_posts(d), Contains("Public update on the status page") && Contains("Some customers cannot pay"));
    CHECK_THAT(d.reply.text, Contains("Identified") && Contains("Some customers cannot pay"));
    CHECK(h.store.entries.back().kind == "public");

    // The alias, typed in the incident's channel.
    REQUIRE(h.run("statuspage monitoring A fix is rolling out.", "U2", h.store.incidents.at(1).channel_name).ok);
    REQUIRE(h.store.incidents.at(1).public_notes.size() == 2);
    CHECK(h.store.incidents.at(1).public_notes[1].seq == 2);
    CHECK(h.store.incidents.at(1).public_notes[1].phase == public_phase::monitoring);
}

TEST_CASE("the first public update gives customers a title of their own, else the internal title as it reads then",
          "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 ledger writes fail after failover of db-7");
    auto d = h.run("public INC-1 investigating title: Payments delayed | Some customers cannot pay.", "U2");
    REQUIRE(d.ok);
    const auto& n = h.store.incidents.at(1).public_notes.at(0);
    CHECK(n.title == "Payments delayed");
    CHECK(n.text == "Some customers cannot pay.");
    CHECK(h.store.incidents.at(1).public_title() == "Payments delayed");
    CHECK_THAT(channel_posts(d), Contains("Customers see it as: *Payments delayed*"));
    CHECK_THAT(d.reply.text, Contains("as “Payments delayed”"));

    // Later updates keep the name customers know: another title is refused, the same one taken.
    auto renamed = h.run("public INC-1 identified title: Something else | Found it.", "U2");
    CHECK_FALSE(renamed.ok);
    CHECK_FALSE(renamed.save);
    CHECK_THAT(renamed.reply.text, Contains("Payments delayed"));
    auto same = h.run("public INC-1 identified title: Payments delayed\nFound it.", "U2");
    REQUIRE(same.ok);
    CHECK(h.store.incidents.at(1).public_notes.back().text == "Found it.");
    CHECK_THAT(channel_posts(same), !Contains("Customers see it as"));
    CHECK(h.store.incidents.at(1).public_title() == "Payments delayed");

    // Without one, the internal title goes out, as it reads at publication.
    h.run("declare P2 search index stale");
    REQUIRE(h.run("public INC-2 investigating Search results may be out of date.", "U2").ok);
    CHECK(h.store.incidents.at(2).public_notes.at(0).title == "search index stale");
    CHECK(h.store.incidents.at(2).public_title() == "search index stale");

    for (const char* bad : {"public INC-2 identified title: | x", "public INC-2 identified title: Only a title"}) {
        INFO(bad);
        CHECK_FALSE(h.run(bad, "U2").ok);
    }
}

TEST_CASE("a draft's public title goes out when it is published, without one, the internal title", "[public]") {
    engine_harness h(page_settings(true), t0);
    h.run("declare P1 ledger writes fail", "U1");
    h.run("commander INC-1 <@U1>", "U1");
    auto d = h.run("public INC-1 investigating title: Payments delayed | We are looking into it.", "U3");
    REQUIRE(d.ok);
    CHECK_FALSE(h.store.incidents.at(1).public_notes[0].published());
    CHECK(h.store.incidents.at(1).public_title().empty());  // nothing public yet
    CHECK_THAT(channel_posts(d), Contains("Draft public update") && Contains("Customers see it as: *Payments delayed*"));
    REQUIRE(h.run("public INC-1 publish", "U1").ok);
    CHECK(h.store.incidents.at(1).public_title() == "Payments delayed");

    h.run("declare P1 search cluster split-brain", "U1");
    h.run("commander INC-2 <@U1>", "U1");
    auto untitled = h.run("public INC-2 investigating Search is slow.", "U3");
    CHECK_THAT(channel_posts(untitled), Contains("Customers see it as: *search cluster split-brain*"));
    CHECK(h.store.incidents.at(2).public_notes[0].title.empty());
    REQUIRE(h.run("public INC-2 publish", "U1").ok);
    CHECK(h.store.incidents.at(2).public_notes[0].title == "search cluster split-brain");
}

TEST_CASE("every line of a multi-line public update is quoted in the channel", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down");
    auto d = h.run("public INC-1 identified Card payments fail.\nImpact: about 5% of checkouts\nNext update: within 30 minutes",
                   "U2");
    REQUIRE(d.ok);
    CHECK_THAT(channel_posts(d), Contains(">Card payments fail.\n>Impact: about 5% of checkouts\n>Next update: within 30 minutes"));
}

TEST_CASE("a public update needs a status and text, and a private incident has none", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down");
    h.run("declare private P1 breach");
    for (const char* bad : {"public INC-1 fixing it", "public INC-1 identified", "public INC-1", "public INC-2 identified hi"}) {
        INFO(bad);
        auto d = h.run(bad);
        CHECK_FALSE(d.ok);
        CHECK_FALSE(d.save);
    }
    CHECK_THAT(h.run("public INC-2 identified hi").reply.text, Contains("private"));
}

TEST_CASE("with approval a draft waits for the comms lead or commander to publish it", "[public]") {
    engine_harness h(page_settings(true), t0);
    h.run("declare P1 checkout is down", "U1");
    h.run("commander INC-1 <@U1>", "U1");
    h.run("comms-lead INC-1 <@U2>", "U1");

    auto d = h.run("public INC-1 investigating We are looking into failed payments.", "U3");
    REQUIRE(d.ok);
    REQUIRE(h.store.incidents.at(1).public_notes.size() == 1);
    CHECK_FALSE(h.store.incidents.at(1).public_notes[0].published());
    CHECK_THAT(channel_posts(d), Contains("Draft public update") && Contains("<@U2>") && Contains("<@U1>"));
    CHECK(has_button(d, "warroom_publish"));
    CHECK(has_button(d, "warroom_public_update"));
    CHECK_THAT(d.reply.text, Contains("Nothing is on the status page yet"));

    // The writer cannot publish their own draft; the comms lead can.
    auto refused = h.run("public INC-1 publish", "U3");
    CHECK_FALSE(refused.ok);
    CHECK_FALSE(h.store.incidents.at(1).public_notes[0].published());
    h.now += minutes(1);
    auto published = h.run("public INC-1 publish", "U2");
    REQUIRE(published.ok);
    CHECK(h.store.incidents.at(1).public_notes[0].published_at == h.now);
    CHECK(h.store.incidents.at(1).public_notes[0].published_by == "U2");
    CHECK_THAT(channel_posts(published), Contains("Public update on the status page"));

    // Nothing left to publish; an approver's own update goes out at once.
    CHECK_FALSE(h.run("public INC-1 publish", "U1").ok);
    REQUIRE(h.run("public INC-1 identified Found it.", "U1").ok);
    CHECK(h.store.incidents.at(1).public_notes.back().published());
}

TEST_CASE("the status-page clock reminds the comms lead until the first public update, then every public_update_every",
          "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down", "U1");
    h.run("comms-lead INC-1 <@U2>", "U1");
    CHECK(h.store.incidents.at(1).due.public_update == t0 + minutes(10));

    auto fired = h.advance(minutes(9));
    CHECK(reminders(fired) == 0);
    fired = h.advance(minutes(1));
    REQUIRE(reminders(fired) == 1);
    CHECK_THAT(all_posts(fired), Contains("<@U2>") && Contains("customers have heard nothing"));
    CHECK(has_button(fired.back(), "warroom_public_update"));

    // Still nothing public: again after public_update_every (1h for P1), not every minute.
    CHECK(reminders(h.advance(minutes(59))) == 0);
    CHECK(reminders(h.advance(minutes(1))) == 1);

    // A public update restarts the clock from itself.
    h.now += minutes(5);
    auto posted_at = h.now;
    h.run("public INC-1 identified We found the cause.", "U2");
    CHECK(h.store.incidents.at(1).due.public_update == posted_at + hours(1));
    CHECK(reminders(h.advance(minutes(59))) == 0);
    fired = h.advance(minutes(1));
    REQUIRE(reminders(fired) == 1);
    CHECK_THAT(all_posts(fired), Contains("customers last heard"));
}

TEST_CASE("the status-page clock runs only where customers read a page, for public incidents of its severities",
          "[public]") {
    engine_harness off(default_settings(), t0);  // no status page
    off.run("declare P0 everything is down");
    CHECK_FALSE(off.store.incidents.at(1).due.public_update);

    engine_harness h(page_settings(), t0);
    h.run("declare P2 slow search");
    CHECK_FALSE(h.store.incidents.at(1).due.public_update);  // P2 ships without it
    h.run("declare private P0 breach");
    CHECK_FALSE(h.store.incidents.at(2).due.public_update);

    // Raised to P1 after 20 minutes: overdue for customers at once.
    h.now += minutes(20);
    h.run("severity INC-1 P1");
    CHECK(h.store.incidents.at(1).due.public_update == t0 + minutes(10));
    CHECK(reminders(h.advance(minutes(1))) == 1);
}

TEST_CASE("resolving reminds to post the public resolution unless one was posted", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down", "U1");
    h.run("public INC-1 investigating Payments are failing.", "U1");
    auto d = h.run("resolve INC-1", "U1");
    CHECK_THAT(channel_posts(d), Contains("post the public resolution"));
    CHECK_FALSE(h.store.incidents.at(1).due.public_update);
    // The public resolution is still taken after resolving.
    REQUIRE(h.run("public INC-1 resolved Payments work again.", "U1").ok);

    h.run("declare P1 login is down", "U1");
    h.run("public INC-2 resolved Login works again.", "U1");
    CHECK_FALSE(h.store.incidents.at(2).due.public_update);  // customers were told it is over
    CHECK_THAT(channel_posts(h.run("resolve INC-2", "U1")), !Contains("post the public resolution"));

    engine_harness quiet(page_settings(), t0);
    quiet.run("declare P3 typo on the docs", "U1");  // no clock, never public: nothing to remind
    CHECK_THAT(channel_posts(quiet.run("resolve INC-1", "U1")), !Contains("post the public resolution"));
}

TEST_CASE("reopening after a public resolution reminds to tell customers it is back", "[public]") {
    engine_harness h(page_settings(), t0);
    h.run("declare P1 checkout is down", "U1");
    h.run("public INC-1 resolved Payments work again.", "U1");
    h.run("resolve INC-1", "U1");
    h.now += minutes(30);
    h.run("reopen INC-1", "U1");
    CHECK(h.store.incidents.at(1).due.public_update == h.now + minutes(10));
    CHECK(reminders(h.advance(minutes(10))) == 1);
}

TEST_CASE("show says what customers see: the last public update, a waiting draft, the components", "[public]") {
    engine_harness h(page_settings(true), t0);
    h.run("declare P1 checkout is down", "U1");
    h.run("commander INC-1 <@U1>", "U1");
    CHECK_THAT(h.run("show INC-1").reply.text, Contains("*Status page:* no public update yet"));
    h.run("impact INC-1 API major_outage", "U1");
    h.run("public INC-1 identified Payments fail.", "U1");
    h.now += minutes(5);
    h.run("public INC-1 monitoring A fix is out.", "U3");
    auto shown = h.run("show INC-1").reply.text;
    CHECK_THAT(shown, Contains("Identified, 5m ago: Payments fail.") && Contains("a draft waits for <@U1>") &&
                          Contains("API major outage"));
    engine_harness off(default_settings(), t0);
    off.run("declare P1 checkout is down");
    CHECK_THAT(off.run("show INC-1").reply.text, !Contains("Status page"));
}

TEST_CASE("the summary offers Public update only where there is a page and the incident is public", "[public]") {
    engine_harness h(page_settings(), t0);
    auto d = h.run("declare P1 checkout is down");
    CHECK(has_button(d, "warroom_public_update"));
    d = h.run("declare private P1 breach");
    CHECK_FALSE(has_button(d, "warroom_public_update"));
    engine_harness off(default_settings(), t0);
    CHECK_FALSE(has_button(off.run("declare P1 checkout is down"), "warroom_public_update"));
}

TEST_CASE("the declare form's components and impact are set with the declaration", "[public]") {
    engine_harness h(page_settings(), t0);
    request r{"U1", "C0", "declare P1 checkout is down"};
    r.impacts = {{"api", "major_outage"}, {"Payments", "degraded"}};
    auto d = h.eng.handle(r, h.store, h.now);
    h.store.apply(d);
    REQUIRE(d.ok);
    CHECK(h.store.incidents.at(1).impacts.at("API") == component_impact::major_outage);
    CHECK(h.store.incidents.at(1).impacts.at("Payments") == component_impact::degraded);

    request bad{"U1", "C0", "declare P1 other"};
    bad.impacts = {{"Database", "major_outage"}};
    auto refused = h.eng.handle(bad, h.store, h.now);
    CHECK_FALSE(refused.ok);
    CHECK_FALSE(refused.save);
}

TEST_CASE("maintenance is scheduled, listed and cancelled, with the components the page knows", "[public][maintenance]") {
    engine_harness h(page_settings(), t0);  // t0 is 2026-11-23 10:00 UTC
    auto d = h.run("maintenance 2026-11-24T02:00 2h api, Web app: Database upgrade", "U1");
    REQUIRE(d.ok);
    REQUIRE(h.store.maintenances.size() == 1);
    const auto& m = h.store.maintenances.at(1);
    CHECK(m.title == "Database upgrade");
    CHECK(m.components == std::vector<std::string>{"API", "Web app"});
    CHECK(m.starts_at == t0 + hours(16));
    CHECK(m.ends_at == t0 + hours(18));
    CHECK(m.created_by == "U1");
    REQUIRE(d.actions.size() == 1);
    CHECK(d.actions[0].channel == "incidents");
    CHECK_THAT(d.actions[0].body.text, Contains("M-1") && Contains("Database upgrade"));
    CHECK_THAT(d.reply.text, Contains("on the status page"));

    REQUIRE(h.run("maintenance 2026-11-23T09:00 3h Payments: Card processor switch").ok);  // in progress already
    CHECK(h.store.maintenances.at(2).id == 2);
    auto listed = h.run("maintenance list").reply.text;
    CHECK_THAT(listed, Contains("M-1") && Contains("M-2") && Contains("in progress"));
    CHECK(listed.find("M-2") < listed.find("M-1"));  // soonest first

    REQUIRE(h.run("maintenance cancel M-1").ok);
    CHECK(h.store.maintenances.at(1).cancelled_at == h.now);
    CHECK_THAT(h.run("maintenance list").reply.text, !Contains("M-1"));
    CHECK_FALSE(h.run("maintenance cancel M-1").ok);
    CHECK_FALSE(h.run("maintenance cancel M-9").ok);
}

TEST_CASE("maintenance refuses a window or components the page could not show", "[public][maintenance]") {
    engine_harness h(page_settings(), t0);
    for (const char* bad : {"maintenance 2026-11-24T02:00 2h Mainframe: upgrade", "maintenance 2026-11-24T02:00 2h API",
                            "maintenance 2026-11-24T02:00 2h API: ", "maintenance tomorrow 2h API: upgrade",
                            "maintenance 2026-11-31T02:00 2h API: upgrade", "maintenance 2026-11-24T02:00 soon API: upgrade",
                            "maintenance 2026-11-23T07:00 1h API: already over", "maintenance 2026-11-24T02:00 8d API: too long",
                            "maintenance 2026-11-24T02:00 2h : no components"}) {
        INFO(bad);
        auto d = h.run(bad);
        CHECK_FALSE(d.ok);
        CHECK(d.maintenances.empty());
    }
    CHECK(h.store.maintenances.empty());
    engine_harness none(default_settings(), t0);
    CHECK_THAT(none.run("maintenance 2026-11-24T02:00 2h API: upgrade").reply.text, Contains("[[components]]"));
}
