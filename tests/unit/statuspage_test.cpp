// The public status page, pure: the public rule (nothing internal reaches the
// public), the 90-day uptime arithmetic, the component config, and every
// renderer escaping every field it shows.
#include "statuspage/api.hpp"
#include "statuspage/atom.hpp"
#include "statuspage/components_config.hpp"
#include "statuspage/html.hpp"
#include "statuspage/site.hpp"
#include "statuspage/status_model.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>

using namespace warroom;
using namespace warroom::statuspage;
using std::chrono::days; using std::chrono::hours; using std::chrono::minutes; using std::chrono::sys_days; using std::chrono::year;
using time_point = commands::time_point;
using json = nlohmann::json;
using Catch::Matchers::Contains;

namespace {

const time_point now = sys_days{year{2026} / 12 / 1} + hours(12);
const std::string internal_secret = "db-7 password rotated by alice, see #sec-ops";
const std::string evil = "<script>alert(1)</script>\"'&<img src=x onerror=alert(2)>";

std::vector<commands::severity_def> severities() { return commands::default_settings().severities; }

commands::public_note note(int seq, commands::public_phase phase, std::string text, time_point at, bool published = true) {
    commands::public_note n;
    n.seq = seq;
    n.phase = phase;
    n.text = std::move(text);
    n.author = "U0ALICE";
    n.created_at = at;
    if (published) {
        n.published_at = at;
        n.published_by = "U0BOB";
    }
    return n;
}


const std::string first_words = "We are looking into reports of errors.";

// An incident as stored, with internal text in every internal field, and
// published at its declaration (as a P0/P1 is within minutes; the tests of
// the publish rule take the note away).
stored_incident stored(std::int64_t number, std::string title, std::string severity, time_point declared,
                       std::optional<time_point> resolved = std::nullopt) {
    stored_incident s;
    auto& inc = s.inc;
    inc.number = number;
    inc.title = std::move(title);
    inc.severity = std::move(severity);
    inc.declared_at = declared;
    inc.description = "description: " + internal_secret;
    inc.last_update = "update: " + internal_secret;
    inc.last_update_at = declared + minutes(5);
    inc.declared_by = "U0ALICE";
    inc.channel_name = "incident-20261201-secret-channel";
    inc.roles["commander"] = "U0BOB";
    s.timeline.push_back({number, declared, "U0ALICE", "declared", "Declared " + inc.severity + ": " + inc.title});
    s.timeline.push_back({number, declared + minutes(5), "U0ALICE", "update", "update: " + internal_secret});
    s.timeline.push_back({number, declared + minutes(6), "U0ALICE", "note", "note: " + internal_secret});
    inc.public_notes.push_back(note(1, commands::public_phase::investigating, first_words, declared));
    if (resolved) {
        inc.status = commands::incident_status::resolved;
        inc.resolved_at = resolved;
        inc.resolution = "resolution: " + internal_secret;
        s.timeline.push_back({number, *resolved, "U0ALICE", "resolved", "Resolved: " + internal_secret});
    }
    return s;
}

void change_status(stored_incident& s, commands::incident_status to, time_point at) {
    s.timeline.push_back({s.inc.number, at, "U0ALICE", "status",
                          "Status " + std::string(commands::to_string(s.inc.status)) + " → " +
                              std::string(commands::to_string(to))});
    s.inc.status = to;
}

page_settings two_groups() {
    page_settings p;
    p.name = "Acme";
    p.url = "https://status.example.com/";
    p.groups = {"Core", "Edge"};
    p.components = {{"API", "Core", "The REST API"}, {"Database", "Core", ""}, {"CDN", "Edge", ""}, {"Docs", "", ""}};
    return p;
}

// Everything the public can read, in every format.
std::string everything_public(const status_model& m) {
    std::string all = render_page(m) + summary_json(m) + status_json(m) + history_atom(m);
    for (const auto* list : {&m.active, &m.history})
        for (const auto& i : *list) all += render_incident(m, i);
    return all;
}

// A tiny XML check: tags nest and close, attributes are quoted, no raw '<'
// or '&' outside markup and entities, and the root is Atom's <feed>.
bool well_formed_atom(const std::string& xml, std::string& why) {
    std::vector<std::string> stack;
    std::size_t i = xml.find("?>");
    if (xml.rfind("<?xml", 0) != 0 || i == std::string::npos) return why = "no XML declaration", false;
    i += 2;
    bool root_seen = false;
    while (i < xml.size()) {
        if (xml[i] == '&') {
            static const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+);");
            if (!std::regex_search(xml.substr(i, 8), entity)) return why = "raw & at " + std::to_string(i), false;
            ++i;
            continue;
        }
        if (xml[i] == '>') return why = "raw > at " + std::to_string(i), false;
        if (xml[i] != '<') {
            ++i;
            continue;
        }
        auto end = xml.find('>', i);
        if (end == std::string::npos) return why = "unclosed tag", false;
        std::string tag = xml.substr(i + 1, end - i - 1);
        if (tag.find('<') != std::string::npos) return why = "'<' inside a tag: " + tag, false;
        if (std::count(tag.begin(), tag.end(), '"') % 2) return why = "unbalanced quotes in " + tag, false;
        if (tag[0] == '/') {
            if (stack.empty() || stack.back() != tag.substr(1)) return why = "mismatched </" + tag.substr(1) + ">", false;
            stack.pop_back();
        } else {
            auto name = tag.substr(0, tag.find_first_of(" /"));
            if (!root_seen) {
                if (name != "feed" || tag.find("xmlns=\"http://www.w3.org/2005/Atom\"") == std::string::npos)
                    return why = "root is not Atom's feed: " + tag, false;
                root_seen = true;
            }
            if (tag.back() != '/') stack.push_back(name);
        }
        i = end + 1;
    }
    if (!stack.empty()) return why = "unclosed <" + stack.back() + ">", false;
    return root_seen;
}

}  // namespace

TEST_CASE("public_view_of lets only the public title, the published status, the impact and times through") {
    auto s = stored(7, "Checkout is slow", "P1", now - hours(2));
    change_status(s, commands::incident_status::identified, now - hours(1));
    change_status(s, commands::incident_status::mitigating, now - minutes(50));
    change_status(s, commands::incident_status::monitoring, now - minutes(30));
    auto maybe = public_view_of(s, severities());
    REQUIRE(maybe);
    const auto& v = *maybe;

    CHECK(v.name == "Checkout is slow");  // published without a public title: the internal one went out
    // What customers were told, not the internal status: the status changes were never published.
    CHECK(v.status == public_status::investigating);
    CHECK(v.level == impact::major);  // P1: second in the scheme
    CHECK(v.id != "7");
    CHECK(v.id.find("INC") == std::string::npos);
    CHECK(std::regex_match(v.id, std::regex("[0-9a-z]{12}")));
    CHECK(v.id == public_id(s.inc));  // stable: derived, not random
    REQUIRE(v.updates.size() == 1);
    CHECK(v.updates[0].body == first_words);
    CHECK(v.created_at == now - hours(2));
    CHECK_FALSE(v.monitoring_at);
    for (const auto& u : v.updates) CHECK_THAT(u.body, !Contains("alice") && !Contains("db-7"));
}

TEST_CASE("an unpublished incident appears nowhere: not its title, components, bars, JSON, feed or address", "[public]") {
    // Declared with a title customers must not read, components assessed, a draft waiting: nothing is published.
    auto s = stored(1, "Ledger corrupted by migration 42", "P0", now - hours(1));
    s.inc.public_notes = {note(1, commands::public_phase::investigating, "DRAFT awaiting approval", now - minutes(40), false)};
    s.timeline.push_back({1, now - minutes(50), "U0ALICE", "impact", "API: major outage"});
    s.inc.impacts = {{"API", commands::component_impact::major_outage}};
    s.affected = affected_of(s.inc);
    auto resolved = stored(2, "Silent fix of tenant 7", "P1", now - days(2), now - days(2) + hours(1));
    resolved.inc.public_notes.clear();
    auto m = build_model(two_groups(), severities(), {s, resolved}, now);
    CHECK_FALSE(public_view_of(s, severities()));
    CHECK(m.active.empty());
    CHECK(m.history.empty());
    CHECK(m.indicator == impact::none);
    CHECK(m.description == "All Systems Operational");
    const auto& api = m.groups[1].components[0];
    REQUIRE(api.def.name == "API");
    CHECK(api.status == component_status::operational);
    CHECK(api.uptime == 1.0);
    CHECK(api.days.back().incidents.empty());
    auto all = everything_public(m);
    for (const auto* word : {"Ledger", "migration 42", "DRAFT", "tenant 7", "Silent fix"}) CHECK_THAT(all, !Contains(word));
    CHECK(respond("GET", "/incidents/" + public_id(s.inc), "", m).status == 404);
    CHECK(respond("GET", "/incidents/" + public_id(resolved.inc), "", m).status == 404);
    CHECK(json::parse(summary_json(m))["incidents"].empty());

    SECTION("published, it appears from its publication on, with the components set before it") {
        s.inc.public_notes[0].published_at = now - minutes(30);
        auto p = build_model(two_groups(), severities(), {s}, now);
        REQUIRE(p.active.size() == 1);
        CHECK(p.active[0].created_at == now - minutes(30));
        CHECK(p.active[0].updates[0].body == "DRAFT awaiting approval");
        const auto& pub_api = p.groups[1].components[0];
        CHECK(pub_api.status == component_status::major_outage);
        // Down for the 30 minutes since publication, not the 50 since the impact was set: 11.5 h up of 12.
        CHECK(pub_api.days.back().uptime == Approx(11.5 / 12));
    }
}

TEST_CASE("the first public update's title names the incident for customers, the internal title never shows", "[public]") {
    auto s = stored(1, "DB primary failover broke ledger writes", "P1", now - hours(2));
    s.inc.public_notes = {note(1, commands::public_phase::investigating, "Some payments fail.", now - minutes(90)),
                          note(2, commands::public_phase::identified, "Cause found.", now - minutes(60))};
    s.inc.public_notes[0].title = "Payments delayed";
    s.inc.public_notes[1].title = "A later title is not the name";
    auto done = stored(2, "Index rebuild wedged search-7", "P2", now - days(1), now - days(1) + hours(1));
    done.inc.public_notes[0].title = "Search results out of date";
    auto m = build_model(two_groups(), severities(), {s, done}, now);
    REQUIRE(m.active.size() == 1);
    CHECK(m.active[0].name == "Payments delayed");
    REQUIRE(m.history.size() == 1);
    CHECK(m.history[0].name == "Search results out of date");
    auto all = everything_public(m);
    CHECK_THAT(all, Contains("Payments delayed") && Contains("Search results out of date"));
    for (const auto* word : {"DB primary", "ledger", "Index rebuild", "search-7", "A later title"})
        CHECK_THAT(all, !Contains(word));
    CHECK(json::parse(summary_json(m))["incidents"][0]["name"] == "Payments delayed");
    CHECK_THAT(history_atom(m), Contains("<title>Payments delayed</title>"));
}

TEST_CASE("internal text never reaches the page, the JSON or the feed") {
    auto active = stored(1, "Login errors", "P0", now - hours(1));
    auto done = stored(2, "Search stale", "P3", now - days(3), now - days(3) + hours(2));
    auto m = build_model(two_groups(), severities(), {active, done}, now);
    auto all = everything_public(m);
    CHECK_THAT(all, Contains("Login errors") && Contains("Search stale"));
    for (const auto* word : {"db-7", "password", "alice", "sec-ops", "U0ALICE", "U0BOB", "secret-channel", "INC-1",
                             "INC-2", "description:", "update:", "resolution:", "note:"})
        CHECK_THAT(all, !Contains(word));
}

TEST_CASE("statuses and severities map to Statuspage's words") {
    using commands::incident_status;
    CHECK(public_status_of(incident_status::investigating) == public_status::investigating);
    CHECK(public_status_of(incident_status::identified) == public_status::identified);
    CHECK(public_status_of(incident_status::mitigating) == public_status::identified);
    CHECK(public_status_of(incident_status::monitoring) == public_status::monitoring);
    CHECK(public_status_of(incident_status::resolved) == public_status::resolved);
    CHECK(impact_of("P0", severities()) == impact::critical);
    CHECK(impact_of("p1", severities()) == impact::major);
    CHECK(impact_of("P2", severities()) == impact::minor);
    CHECK(impact_of("P3", severities()) == impact::minor);
    CHECK(impact_of("SEV-9", severities()) == impact::minor);
}

TEST_CASE("the model sorts active and resolved incidents, and the worst active one sets the page's state") {
    auto quiet = build_model(two_groups(), severities(), {}, now);
    CHECK(quiet.indicator == impact::none);
    CHECK(quiet.description == "All Systems Operational");

    auto older = stored(1, "Older", "P2", now - hours(3));
    auto newer = stored(2, "Newer", "P0", now - hours(1));
    auto gone = stored(3, "Gone", "P1", now - days(5), now - days(4));
    auto ancient = stored(4, "Ancient", "P1", now - days(120), now - days(119));
    auto m = build_model(two_groups(), severities(), {older, newer, gone, ancient}, now);
    REQUIRE(m.active.size() == 2);
    CHECK(m.active[0].name == "Newer");
    CHECK(m.active[1].name == "Older");
    REQUIRE(m.history.size() == 1);  // Ancient ended before the 90 days
    CHECK(m.history[0].name == "Gone");
    CHECK(m.history[0].status == public_status::resolved);
    CHECK(m.history[0].resolved_at == now - days(4));
    CHECK(m.indicator == impact::critical);
    CHECK(m.description == "Major System Outage");
    REQUIRE(find_incident(m, m.history[0].id));
    CHECK(find_incident(m, m.history[0].id)->name == "Gone");
    CHECK(find_incident(m, "zzzzzzzzzzzz") == nullptr);
}

TEST_CASE("components keep the config's groups and order, ungrouped ones come first") {
    auto m = build_model(two_groups(), severities(), {}, now);
    REQUIRE(m.groups.size() == 3);
    CHECK(m.groups[0].name.empty());
    CHECK(m.groups[0].components[0].def.name == "Docs");
    CHECK(m.groups[1].name == "Core");
    REQUIRE(m.groups[1].components.size() == 2);
    CHECK(m.groups[1].components[0].def.name == "API");
    CHECK(m.groups[2].name == "Edge");
    for (const auto& g : m.groups)
        for (const auto& c : g.components) {
            CHECK(c.status == component_status::operational);
            CHECK(c.days.size() == 90);
            CHECK(c.uptime == 1.0);
        }
}

TEST_CASE("uptime: a major outage is down, a partial one counts 30%, the worst of overlaps counts once") {
    auto page = two_groups();
    // Six hours of major outage on the API two days ago (a quarter of the day).
    auto day = sys_days{year{2026} / 11 / 29};
    auto major = stored(1, "API down", "P0", day + hours(6), day + hours(12));
    major.affected = {{"API", component_status::major_outage}};
    // The same day, a partial outage overlapping the major one by three hours and going on three more.
    auto partial = stored(2, "API flaky", "P2", day + hours(9), day + hours(15));
    partial.affected = {{"api", component_status::partial_outage}};  // names match case-insensitively
    // Still going: the CDN degraded since 10:00 today (counts as up, shows as degraded).
    auto slow = stored(3, "CDN slow", "P2", now - hours(2));
    slow.affected = {{"CDN", component_status::degraded_performance}};
    auto m = build_model(page, severities(), {major, partial, slow}, now);

    const auto& api = m.groups[1].components[0];
    REQUIRE(api.def.name == "API");
    CHECK(api.status == component_status::operational);  // both resolved
    const auto& that_day = api.days[api.days.size() - 3];
    CHECK(that_day.day == time_point(day.time_since_epoch()));
    CHECK(that_day.worst == component_status::major_outage);
    // 6 h down + 3 h at 30% (09-12 is already down) = 6.9 h of 24.
    CHECK(that_day.uptime == Approx(1.0 - 6.9 / 24));
    CHECK(that_day.incidents == std::vector<std::string>{"API down", "API flaky"});
    CHECK(api.days.back().uptime == 1.0);
    // Over 89 full days and today's first 12 hours.
    CHECK(api.uptime == Approx(1.0 - 6.9 / (89 * 24 + 12)));

    const auto& cdn = m.groups[2].components[0];
    CHECK(cdn.status == component_status::degraded_performance);
    CHECK(cdn.days.back().worst == component_status::degraded_performance);
    CHECK(cdn.uptime == 1.0);
    CHECK(m.indicator == impact::minor);

    SECTION("an outage across midnight is split between its days") {
        auto night = stored(4, "Overnight", "P0", day + hours(18), day + hours(30));
        night.affected = {{"Docs", component_status::major_outage}};
        auto n = build_model(page, severities(), {night}, now);
        const auto& docs = n.groups[0].components[0];
        CHECK(docs.days[docs.days.size() - 3].uptime == Approx(0.75));
        CHECK(docs.days[docs.days.size() - 2].uptime == Approx(0.75));
    }
    SECTION("a component in an active major outage makes the page at least major") {
        auto down = stored(5, "Docs gone", "P3", now - hours(1));
        down.affected = {{"Docs", component_status::major_outage}};
        auto n = build_model(page, severities(), {down}, now);
        CHECK(n.groups[0].components[0].status == component_status::major_outage);
        CHECK(n.indicator == impact::major);
        // An hour of today's twelve.
        CHECK(n.groups[0].components[0].days.back().uptime == Approx(11.0 / 12));
    }
}

TEST_CASE("every public field is escaped: an injection attempt is shown as text") {
    page_settings page;
    page.name = "Acme " + evil;
    page.url = "https://status.example.com/?a=\"<b>&c";
    page.groups = {"Group " + evil};
    page.components = {{"Comp " + evil, "Group " + evil, "Desc " + evil}};
    auto inc = stored(1, "Title " + evil, "P0", now - hours(1));
    inc.affected = {{"Comp " + evil, component_status::partial_outage}};
    auto old = stored(2, "Old " + evil, "P1", now - days(2), now - days(2) + hours(1));
    old.affected = {{"Comp " + evil, component_status::major_outage}};
    auto m = build_model(page, severities(), {inc, old}, now);

    for (const auto& html : {render_page(m), render_incident(m, m.active[0]), render_incident(m, m.history[0]),
                             render_not_found(m)}) {
        CHECK_THAT(html, !Contains("<script>") && !Contains("<img") && !Contains("<b>"));
        CHECK_THAT(html, Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img"));
    }
    auto page_html = render_page(m);
    for (const auto* shown : {"Acme &lt;script&gt;", "Title &lt;script&gt;", "Old &lt;script&gt;",
                              "Group &lt;script&gt;", "Comp &lt;script&gt;", "Desc &lt;script&gt;"})
        CHECK_THAT(page_html, Contains(shown));

    auto atom = history_atom(m);
    CHECK_THAT(atom, !Contains("<script>") && Contains("Title &lt;script&gt;"));
    std::string why;
    CHECK(well_formed_atom(atom, why));
    INFO(why);

    // JSON carries the text as it is; a JSON parser reads back exactly the title.
    auto summary = json::parse(summary_json(m));
    CHECK(summary["incidents"][0]["name"] == "Title " + evil);
    CHECK(summary["page"]["name"] == "Acme " + evil);
}

TEST_CASE("summary.json and status.json have Statuspage's keys and types") {
    auto inc = stored(1, "Checkout slow", "P1", now - hours(1));
    inc.affected = {{"API", component_status::partial_outage}};
    auto m = build_model(two_groups(), severities(), {inc, stored(2, "Old", "P2", now - days(1), now - hours(20))}, now);
    auto s = json::parse(summary_json(m));

    REQUIRE(s.is_object());
    for (const auto* key : {"page", "status", "components", "incidents", "scheduled_maintenances"}) CHECK(s.contains(key));
    for (const auto* key : {"id", "name", "url", "time_zone", "updated_at"}) CHECK(s["page"][key].is_string());
    CHECK(s["page"]["url"] == "https://status.example.com/");
    CHECK(s["status"]["indicator"] == "major");
    CHECK(s["status"]["description"].is_string());
    CHECK(s["scheduled_maintenances"].is_array());
    const std::regex iso("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    CHECK(std::regex_match(s["page"]["updated_at"].get<std::string>(), iso));

    std::set<std::string> statuses{"operational", "degraded_performance", "partial_outage", "major_outage",
                                   "under_maintenance"};
    std::map<std::string, json> by_name;
    for (const auto& c : s["components"]) {
        for (const auto* key : {"id", "name", "status", "created_at", "updated_at", "page_id"})
            CHECK(c[key].is_string());
        CHECK(c["position"].is_number_integer());
        CHECK(c["group"].is_boolean());
        CHECK(c["only_show_if_degraded"].is_boolean());
        CHECK(c["showcase"].is_boolean());
        CHECK((c["description"].is_string() || c["description"].is_null()));
        CHECK((c["group_id"].is_string() || c["group_id"].is_null()));
        CHECK(c.contains("start_date"));
        CHECK(statuses.count(c["status"].get<std::string>()));
        by_name[c["name"].get<std::string>()] = c;
    }
    REQUIRE(by_name.count("Core"));
    CHECK(by_name["Core"]["group"] == true);
    CHECK(by_name["Core"]["status"] == "partial_outage");
    CHECK(by_name["Core"]["components"] == json::array({by_name["API"]["id"], by_name["Database"]["id"]}));
    CHECK(by_name["API"]["group_id"] == by_name["Core"]["id"]);
    CHECK(by_name["API"]["status"] == "partial_outage");
    CHECK(by_name["Docs"]["group_id"].is_null());

    REQUIRE(s["incidents"].size() == 1);  // unresolved only, as Statuspage's summary
    const auto& i = s["incidents"][0];
    for (const auto* key : {"id", "name", "status", "created_at", "updated_at", "impact", "shortlink", "started_at",
                            "page_id"})
        CHECK(i[key].is_string());
    CHECK(i["resolved_at"].is_null());
    CHECK(i["monitoring_at"].is_null());
    CHECK(i["impact"] == "major");
    CHECK(i["status"] == "investigating");
    CHECK(i["shortlink"] == "https://status.example.com/incidents/" + i["id"].get<std::string>());
    REQUIRE(i["incident_updates"].is_array());
    const auto& u = i["incident_updates"][0];
    for (const auto* key : {"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at"})
        CHECK(u[key].is_string());
    CHECK(u["incident_id"] == i["id"]);
    // Statuspage's affected_components: code (the component's id), name, old and new status.
    REQUIRE(u["affected_components"].is_array());
    REQUIRE(u["affected_components"].size() == 1);
    const auto& ac = u["affected_components"][0];
    CHECK(ac.size() == 4);
    CHECK(ac["code"] == by_name["API"]["id"]);
    CHECK(ac["name"] == "API");
    CHECK(ac["old_status"] == "operational");
    CHECK(ac["new_status"] == "partial_outage");
    for (const auto* key : {"old_status", "new_status"}) CHECK(statuses.count(ac[key].get<std::string>()));

    auto st = json::parse(status_json(m));
    CHECK(st.size() == 2);
    CHECK(st["page"] == s["page"]);
    CHECK(st["status"] == s["status"]);
}

TEST_CASE("the Atom feed is well-formed Atom with one entry per incident, newest first") {
    auto a = stored(1, "First", "P1", now - days(2), now - days(2) + hours(1));
    auto b = stored(2, "Second & <more>", "P2", now - hours(3));
    auto m = build_model(two_groups(), severities(), {a, b}, now);
    auto atom = history_atom(m);
    std::string why;
    CHECK(well_formed_atom(atom, why));
    INFO(why);
    auto second = atom.find("<title>Second &amp; &lt;more&gt;</title>");
    auto first = atom.find("<title>First</title>");
    REQUIRE(second != std::string::npos);
    REQUIRE(first != std::string::npos);
    CHECK(second < first);
    CHECK_THAT(atom, Contains("<id>https://status.example.com/incidents/" + m.history[0].id + "</id>"));

    SECTION("without a configured URL the ids are URNs") {
        auto p = two_groups();
        p.url.clear();
        auto feed = history_atom(build_model(p, severities(), {a}, now));
        CHECK_THAT(feed, Contains("<id>urn:warroom:incident:"));
        CHECK(well_formed_atom(feed, why));
    }
    SECTION("the tiny checker refuses what is not well-formed") {
        CHECK_FALSE(well_formed_atom("<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>a<b</title></feed>", why));
        CHECK_FALSE(well_formed_atom("<?xml version=\"1.0\"?>\n<feed><title>x</title></feed>", why));
        CHECK_FALSE(well_formed_atom("<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><a></b></feed>", why));
    }
}

TEST_CASE("the HTML page is accessible by construction: language, landmarks, headings, named bars") {
    auto inc = stored(1, "Checkout slow", "P1", now - hours(1));
    auto m = build_model(two_groups(), severities(), {inc}, now);
    auto html = render_page(m);
    CHECK_THAT(html, Contains("<html lang=\"en\">") && Contains("<main>") && Contains("<header>") &&
                         Contains("<footer>") && Contains("<h1>") && Contains("name=\"viewport\""));
    CHECK_THAT(html, !Contains("<script"));
    // Each uptime chart is an image named by its title, each day a titled bar.
    std::regex chart("<svg class=\"bars\" role=\"img\" aria-labelledby=\"t-([0-9a-z]{12})\"");
    auto charts = std::distance(std::sregex_iterator(html.begin(), html.end(), chart), std::sregex_iterator());
    CHECK(charts == 4);
    CHECK_THAT(html, Contains("API: 100.00% uptime over the last 90 days"));
    CHECK_THAT(html, Contains("<a href=\"/incidents/" + m.active[0].id + "\">Checkout slow</a>"));
}

TEST_CASE("the site's routes: pages, JSON, feed, 404s, caching and read-only") {
    auto inc = stored(1, "Checkout slow", "P1", now - hours(1));
    auto m = build_model(two_groups(), severities(), {inc}, now);
    auto header = [](const site_response& r, const std::string& name) {
        for (const auto& [k, v] : r.headers)
            if (k == name) return v;
        return std::string();
    };
    auto home = respond("GET", "/?utm=x", "", m);
    CHECK(home.status == 200);
    CHECK(home.content_type == "text/html; charset=utf-8");
    CHECK(header(home, "Cache-Control") == "public, max-age=10");
    CHECK_THAT(header(home, "Content-Security-Policy"), Contains("default-src 'none'") && Contains("style-src 'sha256-"));
    CHECK_FALSE(header(home, "ETag").empty());

    auto again = respond("GET", "/", header(home, "ETag"), m);
    CHECK(again.status == 304);
    CHECK(again.body.empty());

    CHECK(respond("GET", "/incidents/" + m.active[0].id, "", m).status == 200);
    CHECK(respond("GET", "/incidents/1", "", m).status == 404);
    CHECK(respond("GET", "/incidents/INC-1", "", m).status == 404);
    CHECK(respond("GET", "/incidents/zzzzzzzzzzzz", "", m).status == 404);
    CHECK(respond("GET", "/slack/events", "", m).status == 404);
    CHECK(respond("GET", "/api/v2/summary.json", "", m).content_type == "application/json");
    CHECK(respond("GET", "/api/v2/status.json", "", m).content_type == "application/json");
    CHECK_THAT(respond("GET", "/history.atom", "", m).content_type, Contains("application/atom+xml"));
    auto post = respond("POST", "/", "", m);
    CHECK(post.status == 405);
    CHECK(header(post, "Allow") == "GET, HEAD");
    auto head = respond("HEAD", "/", "", m);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
}

TEST_CASE("the config: [status_page] and [[components]], unique names, known groups") {
    auto p = read_page_settings(R"(
[status_page]
name = "Acme"
url = "https://status.example.com"
groups = ["Core", "Edge"]

[[components]]
name = "API"
group = "core"
description = "The REST API"

[[components]]
name = "Docs"
)", "t.toml");
    CHECK(p.name == "Acme");
    CHECK(p.groups == std::vector<std::string>{"Core", "Edge"});
    REQUIRE(p.components.size() == 2);
    CHECK(p.components[0].group == "Core");  // the group's own spelling
    CHECK(p.components[0].description == "The REST API");
    CHECK(p.components[1].group.empty());

    auto error_of = [](const std::string& toml) -> std::string {
        try {
            read_page_settings(toml, "t.toml");
        } catch (const settings_error& e) {
            return e.what();
        }
        return "";
    };
    CHECK(read_page_settings("", "t.toml").components.empty());
    CHECK_THAT(error_of("[[components]]\nname = \"API\"\n[[components]]\nname = \"api\"\n"),
               Contains("t.toml: components[1].name") && Contains("unique component name"));
    CHECK_THAT(error_of("[status_page]\ngroups = [\"Core\"]\n[[components]]\nname = \"API\"\ngroup = \"Cor\"\n"),
               Contains("components[0].group") && Contains("\"Core\"") && Contains("got \"Cor\""));
    CHECK_THAT(error_of("[[components]]\nname = \"API\"\ngroup = \"Core\"\n"), Contains("none listed"));
    CHECK_THAT(error_of("[[components]]\ngroup = \"\"\n"), Contains("components[0].name"));
    CHECK_THAT(error_of("[[components]]\nname = \"API\"\nimpact = \"x\"\n"), Contains("no such key"));
    CHECK_THAT(error_of("[status_page]\nurl = \"status.example.com\"\n"), Contains("https://"));
    CHECK_THAT(error_of("[status_page]\ngroups = [\"A\", \"a\"]\n"), Contains("listed twice"));
    CHECK_THAT(error_of("components = 3\n"), Contains("[[components]]"));
}

TEST_CASE("the front page lists the newest past incidents, older ones are in the feed and at their addresses") {
    std::vector<stored_incident> many;
    for (int i = 1; i <= 30; ++i)
        many.push_back(stored(i, "Past " + std::to_string(i) + ".", "P2", now - days(40) + hours(i), now - days(40) + hours(i) + minutes(30)));
    auto m = build_model(two_groups(), severities(), many, now);
    REQUIRE(m.history.size() == 30);
    auto html = render_page(m);
    CHECK_THAT(html, Contains("Past 30.") && Contains("Past 6.") && !Contains("Past 5.") && !Contains("Past 1."));
    CHECK_THAT(html, Contains("5 older incidents of the last 90 days"));
    CHECK_THAT(history_atom(m), Contains("Past 1.") && Contains("Past 30."));
    CHECK(respond("GET", "/incidents/" + m.history.back().id, "", m).status == 200);
}

TEST_CASE("a resolved incident without a resolution time is still history, and an open one has no resolution") {
    auto odd = stored(1, "Odd", "P2", now - hours(5));
    odd.inc.status = commands::incident_status::resolved;  // resolved_at lost
    auto open = stored(2, "Open", "P2", now - hours(1));
    open.inc.resolved_at = now - minutes(30);  // a stale value on an open incident
    auto m = build_model(two_groups(), severities(), {odd, open}, now);
    REQUIRE(m.history.size() == 1);
    CHECK(m.history[0].name == "Odd");
    CHECK(m.history[0].status == public_status::resolved);
    REQUIRE(m.active.size() == 1);
    CHECK_FALSE(m.active[0].resolved_at);
}

TEST_CASE("the example file's commented status page, uncommented, is valid") {
    std::ifstream in(std::string(WARROOM_SOURCE_DIR) + "/deploy/warroom.example.toml");
    REQUIRE(in);
    std::string line, block;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line == "# [status_page]") inside = true;
        if (!inside) continue;
        if (line.rfind("# ", 0) == 0) block += line.substr(2) + "\n";
        else if (line == "#") block += "\n";
        else break;  // the section ends at the first line that is not a comment
    }
    auto p = read_page_settings(block, "warroom.example.toml");
    CHECK(p.name == "Acme");
    CHECK(p.groups.size() == 2);
    CHECK(p.components.size() == 4);
}

TEST_CASE("a private incident never reaches the page, the JSON, the feed, the bars or its address") {
    auto secret = stored(1, "Private breach of tenant 42", "P0", now - hours(1));
    secret.inc.is_private = true;
    secret.affected = {{"API", component_status::major_outage}};
    auto old_secret = stored(2, "Private old breach", "P0", now - days(3), now - days(3) + hours(1));
    old_secret.inc.is_private = true;
    auto m = build_model(two_groups(), severities(), {secret, old_secret}, now);
    CHECK(m.active.empty());
    CHECK(m.history.empty());
    CHECK(m.indicator == impact::none);
    CHECK(m.groups[1].components[0].status == component_status::operational);
    CHECK(m.groups[1].components[0].uptime == 1.0);
    CHECK_THAT(everything_public(m), !Contains("Private") && !Contains("tenant 42"));
    CHECK(respond("GET", "/incidents/" + public_id(secret.inc), "", m).status == 404);
}

TEST_CASE("published public updates are what customers read, newest first, drafts and internal text never", "[public]") {
    auto s = stored(1, "Checkout slow", "P1", now - hours(2));
    change_status(s, commands::incident_status::identified, now - hours(1));
    s.inc.public_notes = {note(1, commands::public_phase::investigating, "Payments may fail for some customers.", now - minutes(100)),
                          note(2, commands::public_phase::monitoring, "A fix is live; we are watching it.", now - minutes(20)),
                          note(3, commands::public_phase::resolved, "DRAFT not approved yet", now - minutes(10), false)};
    s.inc.impacts = {{"API", commands::component_impact::partial_outage}};
    s.affected = affected_of(s.inc);
    auto m = build_model(two_groups(), severities(), {s}, now);
    REQUIRE(m.active.size() == 1);
    const auto& v = m.active[0];
    REQUIRE(v.updates.size() == 2);
    CHECK(v.updates[0].body == "A fix is live; we are watching it.");
    CHECK(v.updates[0].status == public_status::monitoring);
    CHECK(v.updates[1].body == "Payments may fail for some customers.");
    // The public status is what customers were last told, not the internal one.
    CHECK(v.status == public_status::monitoring);
    CHECK(v.monitoring_at == now - minutes(20));
    CHECK(v.updated_at == now - minutes(20));
    CHECK(v.updates[0].id != v.updates[1].id);

    auto all = everything_public(m);
    CHECK_THAT(all, Contains("A fix is live; we are watching it.") && Contains("Payments may fail for some customers."));
    CHECK_THAT(all, !Contains("DRAFT not approved") && !Contains(internal_secret) && !Contains("U0BOB"));
    // The fixed sentences give way to what was published.
    CHECK_THAT(all, !Contains("The issue has been identified and a fix is being worked on."));
    // The component the incident affects reads partial outage in the JSON and on the page.
    auto summary = json::parse(summary_json(m));
    bool found = false;
    for (const auto& c : summary["components"])
        if (c["name"] == "API") {
            found = true;
            CHECK(c["status"] == "partial_outage");
        }
    CHECK(found);
    CHECK(summary["incidents"][0]["incident_updates"][0]["body"] == "A fix is live; we are watching it.");
    CHECK(summary["incidents"][0]["components"][0]["status"] == "partial_outage");
    CHECK_THAT(render_page(m), Contains("Partial outage"));
}

TEST_CASE("an incident resolved inside without a public resolution is resolved for customers too", "[public]") {
    auto s = stored(1, "Checkout slow", "P1", now - hours(2), now - hours(1));
    s.inc.public_notes = {note(1, commands::public_phase::identified, "We found the cause.", now - minutes(100))};
    auto m = build_model(two_groups(), severities(), {s}, now);
    REQUIRE(m.history.size() == 1);
    const auto& v = m.history[0];
    CHECK(v.status == public_status::resolved);
    REQUIRE(v.updates.size() == 2);
    CHECK(v.updates[0].status == public_status::resolved);
    CHECK(v.updates[0].body == "This incident has been resolved.");
    CHECK(v.updates[0].at == now - hours(1));
    CHECK(v.updates[1].body == "We found the cause.");

    // Only drafts: customers know nothing of it, resolved or not.
    auto d = stored(2, "Search slow", "P2", now - hours(3));
    d.inc.public_notes = {note(1, commands::public_phase::identified, "DRAFT only", now - hours(2), false)};
    auto m2 = build_model(two_groups(), severities(), {d}, now);
    CHECK(m2.active.empty());
    CHECK_THAT(everything_public(m2), !Contains("DRAFT only") && !Contains("Search slow"));
}

TEST_CASE("reopened after a public resolution, the incident is active again for customers", "[public]") {
    auto s = stored(1, "Checkout slow", "P1", now - hours(3));
    s.inc.public_notes = {note(1, commands::public_phase::resolved, "Fixed.", now - hours(2))};
    s.timeline.push_back({1, now - hours(2), "U0ALICE", "resolved", "Resolved"});
    s.timeline.push_back({1, now - hours(1), "U0ALICE", "reopened", "Reopened"});
    auto m = build_model(two_groups(), severities(), {s}, now);
    REQUIRE(m.active.size() == 1);
    CHECK(m.history.empty());
    CHECK(m.active[0].status == public_status::investigating);
    REQUIRE(m.active[0].updates.size() == 2);
    CHECK(m.active[0].updates[0].body == "We are investigating this issue.");
    CHECK(m.active[0].updates[0].at == now - hours(1));
    CHECK(m.active[0].updates[1].body == "Fixed.");
}

TEST_CASE("each public update lists the components it changed, with their status before and after", "[public]") {
    // API partially out before publication (not public yet), major after the first update, cleared before the third.
    auto s = stored(1, "Checkout slow", "P1", now - hours(3));
    s.timeline.push_back({1, now - hours(3), "U0ALICE", "impact", "API: partial outage"});
    s.inc.public_notes = {note(1, commands::public_phase::investigating, "Looking.", now - hours(2)),
                          note(2, commands::public_phase::identified, "Found it.", now - hours(1)),
                          note(3, commands::public_phase::monitoring, "Watching.", now - minutes(10))};
    s.timeline.push_back({1, now - minutes(90), "U0ALICE", "impact", "API: major outage"});
    s.timeline.push_back({1, now - minutes(80), "U0ALICE", "impact", "CDN: degraded performance"});
    s.timeline.push_back({1, now - minutes(20), "U0ALICE", "impact", "API: operational"});
    s.inc.impacts = {{"CDN", commands::component_impact::degraded}};
    s.affected = affected_of(s.inc);
    auto m = build_model(two_groups(), severities(), {s}, now);
    auto updates = json::parse(summary_json(m))["incidents"][0]["incident_updates"];
    REQUIRE(updates.size() == 3);
    auto changes = [&](int i) {
        std::map<std::string, std::pair<std::string, std::string>> out;
        for (const auto& c : updates[i]["affected_components"])
            out[c["name"].get<std::string>()] = {c["old_status"].get<std::string>(), c["new_status"].get<std::string>()};
        return out;
    };
    // Newest first.
    CHECK(changes(2) == std::map<std::string, std::pair<std::string, std::string>>{{"API", {"operational", "partial_outage"}}});
    CHECK(changes(1) == std::map<std::string, std::pair<std::string, std::string>>{
                            {"API", {"partial_outage", "major_outage"}}, {"CDN", {"operational", "degraded_performance"}}});
    CHECK(changes(0) == std::map<std::string, std::pair<std::string, std::string>>{
                            {"API", {"major_outage", "operational"}},
                            {"CDN", {"degraded_performance", "degraded_performance"}}});
    CHECK(updates[0]["affected_components"][0]["code"] == component_id("API"));

    SECTION("an update when no component was ever affected lists none: null, as Statuspage") {
        auto plain = stored(2, "Quiet", "P2", now - hours(1));
        auto j = json::parse(summary_json(build_model(two_groups(), severities(), {plain}, now)));
        CHECK(j["incidents"][0]["incident_updates"][0]["affected_components"].is_null());
    }
}

TEST_CASE("an injection in a public update's text and a component name is shown as text", "[public]") {
    auto s = stored(1, "Checkout slow", "P1", now - hours(2));
    s.inc.public_notes = {note(1, commands::public_phase::identified, "Update " + evil, now - minutes(30))};
    s.inc.impacts = {{"API", commands::component_impact::major_outage}};
    s.affected = affected_of(s.inc);
    auto m = build_model(two_groups(), severities(), {s}, now);
    for (const auto& html : {render_page(m), render_incident(m, m.active[0])}) {
        CHECK_THAT(html, !Contains("<script>") && !Contains("<img"));
        CHECK_THAT(html, Contains("Update &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img"));
    }
    auto atom = history_atom(m);
    CHECK_THAT(atom, !Contains("<script>") && Contains("Update &lt;script&gt;"));
    std::string why;
    CHECK(well_formed_atom(atom, why));
    CHECK(json::parse(summary_json(m))["incidents"][0]["incident_updates"][0]["body"] == "Update " + evil);
}

TEST_CASE("the uptime bars count a component from when its impact was set until it was cleared", "[public]") {
    const time_point day = sys_days{year{2026} / 11 / 30};  // yesterday, a whole day
    auto s = stored(1, "Checkout slow", "P1", day + hours(6), day + hours(18));
    // Declared at 06:00; API down 08:00-10:00, then degraded (up) until 12:00, then cleared.
    s.timeline.push_back({1, day + hours(8), "U0ALICE", "impact", "API: major outage"});
    s.timeline.push_back({1, day + hours(10), "U0ALICE", "impact", "API: degraded performance"});
    s.timeline.push_back({1, day + hours(12), "U0ALICE", "impact", "API: operational"});
    // CDN partially out from 09:00 to the resolution at 18:00 (still set when resolved).
    s.timeline.push_back({1, day + hours(9), "U0ALICE", "impact", "CDN: partial outage"});
    s.inc.impacts = {{"CDN", commands::component_impact::partial_outage}};
    s.affected = affected_of(s.inc);
    auto m = build_model(two_groups(), severities(), {s}, now);
    auto find = [&](const std::string& name) -> const component_view& {
        for (const auto& g : m.groups)
            for (const auto& c : g.components)
                if (c.def.name == name) return c;
        FAIL("no component " << name);
        throw;
    };
    const auto& api = find("API").days[find("API").days.size() - 2];
    CHECK(api.worst == component_status::major_outage);
    CHECK(api.uptime == Approx(22.0 / 24));  // two hours down, the degraded hours count as up
    const auto& cdn = find("CDN").days[find("CDN").days.size() - 2];
    CHECK(cdn.uptime == Approx(1.0 - 0.3 * 9 / 24));
    // Resolved: every component reads operational now.
    CHECK(find("API").status == component_status::operational);
    CHECK(find("CDN").status == component_status::operational);
}

namespace {
commands::maintenance window_of(std::int64_t id, std::string title, time_point from, time_point to,
                                std::vector<std::string> components) {
    commands::maintenance m;
    m.id = id;
    m.title = std::move(title);
    m.starts_at = from;
    m.ends_at = to;
    m.components = std::move(components);
    m.created_at = now - days(1);
    return m;
}
}  // namespace

TEST_CASE("scheduled maintenance: announced ahead, its components under maintenance during it, gone when over or cancelled",
          "[public][maintenance]") {
    auto upcoming = window_of(1, "Database upgrade " + evil, now + hours(10), now + hours(12), {"Database"});
    auto running = window_of(2, "CDN switch", now - hours(1), now + hours(1), {"CDN"});
    auto over = window_of(3, "Old work", now - hours(5), now - hours(3), {"Docs"});
    auto cancelled = window_of(4, "Never happened", now - hours(1), now + hours(1), {"API"});
    cancelled.cancelled_at = now - hours(2);
    auto m = build_model(two_groups(), severities(), {}, now, {upcoming, running, over, cancelled});
    REQUIRE(m.maintenances.size() == 2);
    CHECK(m.maintenances[0].name == "CDN switch");  // soonest first
    CHECK(m.maintenances[0].in_progress);
    CHECK_FALSE(m.maintenances[1].in_progress);

    std::map<std::string, component_status> state;
    for (const auto& g : m.groups)
        for (const auto& c : g.components) state[c.def.name] = c.status;
    CHECK(state["CDN"] == component_status::under_maintenance);
    CHECK(state["Database"] == component_status::operational);  // not yet
    CHECK(state["API"] == component_status::operational);       // cancelled
    CHECK(state["Docs"] == component_status::operational);      // over

    auto summary = json::parse(summary_json(m));
    REQUIRE(summary["scheduled_maintenances"].size() == 2);
    const auto& first = summary["scheduled_maintenances"][0];
    CHECK(first["status"] == "in_progress");
    CHECK(first["impact"] == "maintenance");
    CHECK(first["components"][0]["name"] == "CDN");
    const std::regex iso("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    CHECK(std::regex_match(first["scheduled_for"].get<std::string>(), iso));
    CHECK(std::regex_match(first["scheduled_until"].get<std::string>(), iso));
    CHECK(summary["scheduled_maintenances"][1]["status"] == "scheduled");
    CHECK(summary["scheduled_maintenances"][1]["name"] == "Database upgrade " + evil);

    auto html = render_page(m);
    CHECK_THAT(html, Contains("Scheduled maintenance") && Contains("CDN switch") && Contains("In progress"));
    CHECK_THAT(html, Contains("Database upgrade &lt;script&gt;") && !Contains("<script>"));
    auto section = html.substr(html.find("id=\"maintenance\""), html.find("id=\"components\"") - html.find("id=\"maintenance\""));
    CHECK_THAT(section, !Contains("Old work"));  // over: in the day's bar only
    CHECK_THAT(html, !Contains("Never happened"));  // cancelled: nowhere

    // The feed announces the maintenance too (as text), newest change first.
    auto atom = history_atom(m);
    std::string why;
    CHECK(well_formed_atom(atom, why));
    INFO(why);
    CHECK_THAT(atom, Contains("<title>Scheduled maintenance: CDN switch</title>") &&
                         Contains("<title>Scheduled maintenance: Database upgrade &lt;script&gt;") &&
                         Contains("<id>urn:warroom:maintenance:" + m.maintenances[0].id + "</id>") &&
                         Contains("Components: CDN.") && !Contains("Never happened") && !Contains("Old work") &&
                         !Contains("<script>"));
    CHECK(atom.find("CDN switch") < atom.find("Database upgrade"));  // started now: its newest change
    // Under maintenance counts as up, and today's bar shows it.
    for (const auto& g : m.groups)
        for (const auto& c : g.components)
            if (c.def.name == "CDN") {
                CHECK(c.days.back().worst == component_status::under_maintenance);
                CHECK(c.days.back().uptime == Approx(1.0));
            }
}
