// The /incident commands as a responder types them: what each one changes in
// the stored incident, the timeline and the Slack actions, and what it refuses.
#include "memory_store.hpp"

#include "commands/settings.hpp"
#include "commands/text.hpp"
#include "templates/renderer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace warroom::commands;
using warroom::testing::at;
using warroom::testing::engine_harness;
using warroom::testing::monday_morning;
using warroom::testing::memory_store;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

const time_point t0 = monday_morning;

std::string stamp(const std::optional<time_point>& t) {
    return t ? std::to_string(t->time_since_epoch().count()) : "-";
}

// Everything a user could notice about the store, as one comparable string.
std::string fingerprint(const memory_store& s) {
    std::string out = "next=" + std::to_string(s.counter) + "\n";
    for (const auto& [n, inc] : s.incidents) {
        out += std::to_string(n) + "|" + inc.title + "|" + inc.description + "|" + inc.severity + "|" + inc.type + "|" +
               std::string(to_string(inc.status)) + "|" + inc.declared_by + "|" + inc.declared_in + "|" +
               inc.channel_name + "|" + inc.channel_id + "|" + stamp(inc.declared_at) + "|" + stamp(inc.acked_at) +
               "|" + inc.acked_by + "|" + stamp(inc.resolved_at) + "|" + inc.resolution + "|" +
               stamp(inc.last_update_at) + "|" + inc.last_update + "|" + stamp(inc.update_clock_from) + "|" +
               (inc.snoozed ? "snoozed" : "-") + "|";
        for (const auto& [role, user] : inc.roles) out += role + "=" + user + ",";
        out += "|" + stamp(inc.due.ack) + "," + stamp(inc.due.update) + "," + stamp(inc.due.resolve) + "," +
               stamp(inc.due.postmortem_draft) + "," + stamp(inc.due.postmortem_review) + "\n";
    }
    for (const auto& e : s.entries)
        out += "T" + std::to_string(e.incident) + "|" + stamp(e.at) + "|" + e.actor + "|" + e.kind + "|" + e.text + "\n";
    for (const auto& a : s.outbox)
        out += "A" + std::to_string(a.incident) + "|" + std::string(to_string(a.kind)) + "|" + a.channel + "|" +
               a.topic + "|" + a.body.text + "\n";
    return out;
}

// Posts of a decision to one channel ("" is the incident's own channel).
std::vector<const action*> posts_to(const decision& d, std::string_view channel) {
    std::vector<const action*> out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::post && a.channel == channel) out.push_back(&a);
    return out;
}

std::string all_posts_to(const decision& d, std::string_view channel) {
    std::string out;
    for (const auto* a : posts_to(d, channel)) out += a->body.text + "\n";
    return out;
}

std::size_t count_kind(const decision& d, action_kind k) {
    return static_cast<std::size_t>(
        std::count_if(d.actions.begin(), d.actions.end(), [&](const action& a) { return a.kind == k; }));
}

const action* first_of(const decision& d, action_kind k) {
    for (const auto& a : d.actions)
        if (a.kind == k) return &a;
    return nullptr;
}

// A refused command: an error for the caller only, and nothing stored or posted.
void check_refused(engine_harness& h, const std::string& text, const std::string& channel = "C0",
                   const std::string& says = "") {
    INFO("command: " << text << " in " << channel);
    auto before = fingerprint(h.store);
    auto d = h.run(text, "U1", channel);
    CHECK_FALSE(d.ok);
    CHECK_FALSE(d.save);
    CHECK_FALSE(d.is_new);
    CHECK(d.actions.empty());
    CHECK(d.timeline.empty());
    CHECK_THAT(d.reply.text, StartsWith(":warning:"));
    if (!says.empty()) CHECK_THAT(d.reply.text, Contains(says));
    CHECK(fingerprint(h.store) == before);
}

// A read-only answer: for the caller, nothing stored or posted.
void check_ephemeral(const engine_harness& h, const decision& d, const std::string& before) {
    CHECK(d.ok);
    CHECK_FALSE(d.save);
    CHECK(d.actions.empty());
    CHECK(d.timeline.empty());
    CHECK_FALSE(d.reply.text.empty());
    CHECK(fingerprint(h.store) == before);
}

const incident& inc_of(const engine_harness& h, std::int64_t n) { return h.store.incidents.at(n); }

}  // namespace

// --- declare ---------------------------------------------------------------------

TEST_CASE("declare opens an incident with its channel, topic, summary, announcement and clocks") {
    for (std::string verb : {"declare", "new", "open", "DECLARE"}) {
        DYNAMIC_SECTION("verb " << verb) {
            engine_harness h(default_settings(), t0);
            auto d = h.run(verb + " P1 checkout is down", "U1", "C0");
            REQUIRE(d.ok);
            REQUIRE(d.save);
            CHECK(d.is_new);
            const auto& inc = inc_of(h, 1);
            CHECK(inc.id() == "INC-1");
            CHECK(inc.title == "checkout is down");
            CHECK(inc.severity == "P1");
            CHECK(inc.status == incident_status::investigating);
            CHECK(inc.declared_by == "U1");
            CHECK(inc.declared_in == "C0");
            CHECK(inc.declared_at == t0);
            CHECK(inc.channel_name == "incident-20261123-checkout-is-down");
            CHECK_FALSE(inc.acked_at);
            CHECK(inc.roles.empty());

            // The channel is created with the declarer in it, its topic set.
            const auto* create = first_of(d, action_kind::create_channel);
            REQUIRE(create);
            CHECK(create->users == std::vector<std::string>{"U1"});
            const auto* topic = first_of(d, action_kind::set_topic);
            REQUIRE(topic);
            CHECK(topic->topic == "INC-1 · P1 High · investigating · IC unassigned");

            // The summary is posted and pinned in the incident channel.
            auto own = posts_to(d, "");
            REQUIRE(own.size() == 1);
            CHECK(own[0]->pin);
            CHECK_THAT(own[0]->body.text, Contains("*INC-1: checkout is down*"));
            CHECK_THAT(own[0]->body.text, Contains("P1 (High)"));
            CHECK_THAT(own[0]->body.text, Contains("<@U1>"));
            CHECK_THAT(own[0]->body.text, Contains("2026-11-23 10:00 UTC"));

            // Announced in #incidents and in P1's notified channel.
            auto announce = posts_to(d, "incidents");
            REQUIRE(announce.size() == 1);
            CHECK_THAT(announce[0]->body.text, Contains("*INC-1* declared: *checkout is down*"));
            CHECK_THAT(announce[0]->body.text, Contains("#incident-20261123-checkout-is-down"));
            CHECK(posts_to(d, "leadership").size() == 1);
            for (const auto& a : d.actions) CHECK(a.incident == 1);

            // The timeline starts with the declaration.
            REQUIRE(h.store.entries.size() == 1);
            CHECK(h.store.entries[0].kind == "declared");
            CHECK(h.store.entries[0].actor == "U1");
            CHECK(h.store.entries[0].at == t0);
            CHECK_THAT(h.store.entries[0].text, Contains("checkout is down"));

            // Acknowledgement, update and resolution clocks at P1's targets.
            CHECK(inc.due.ack == t0 + minutes(15));
            CHECK(inc.due.update == t0 + minutes(30));
            CHECK(inc.due.resolve == t0 + hours(4));
            CHECK_FALSE(inc.due.postmortem_draft);
            CHECK_FALSE(inc.due.postmortem_review);

            CHECK_THAT(d.reply.text, Contains("INC-1"));
            CHECK_THAT(d.reply.text, Contains("#incident-20261123-checkout-is-down"));
            CHECK_THAT(d.reply.text, !Contains("duplicates"));
        }
    }
}

TEST_CASE("declare without a severity takes the least severe one, and severities are case-insensitive") {
    engine_harness h(default_settings(), t0);
    auto d = h.run("declare search results are stale");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).severity == "P3");
    CHECK(inc_of(h, 1).title == "search results are stale");
    CHECK(posts_to(d, "leadership").empty());  // P3 notifies nobody besides the announce channel
    CHECK(posts_to(d, "incidents").size() == 1);
    CHECK_FALSE(inc_of(h, 1).due.update);  // P3 has no update reminders
    CHECK(inc_of(h, 1).due.ack == t0 + hours(4));
    CHECK(inc_of(h, 1).due.resolve == t0 + hours(24 * 7));

    d = h.run("declare p0 payments failing");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 2).severity == "P0");
    CHECK(inc_of(h, 2).title == "payments failing");
    CHECK(inc_of(h, 2).due.ack == t0 + minutes(5));
    CHECK(inc_of(h, 2).due.update == t0 + minutes(15));
    CHECK(inc_of(h, 2).due.resolve == t0 + hours(1));
}

TEST_CASE("declare with an incident type posts its runbook, in either order with the severity") {
    const auto cfg = default_settings();
    const auto* outage = cfg.find_type("outage");
    const auto* database = cfg.find_type("database");
    REQUIRE(outage);
    REQUIRE(database);
    engine_harness h(cfg, t0);

    auto d = h.run("declare P0 type:outage API down");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).type == "outage");
    CHECK(inc_of(h, 1).title == "API down");
    auto own = all_posts_to(d, "");
    CHECK_THAT(own, Contains("Runbook: " + outage->label));
    for (const auto& step : outage->checklist) CHECK_THAT(own, Contains("• " + step));

    d = h.run("declare type:database P2 replica lag");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 2).type == "database");
    CHECK(inc_of(h, 2).severity == "P2");
    CHECK(inc_of(h, 2).title == "replica lag");
    own = all_posts_to(d, "");
    for (const auto& step : database->checklist) CHECK_THAT(own, Contains("• " + step));
    CHECK_THAT(own, !Contains(outage->checklist.front()));

    // Without a type there is no runbook.
    d = h.run("declare P2 disk filling up");
    REQUIRE(d.ok);
    CHECK_THAT(all_posts_to(d, ""), !Contains("Runbook"));

    check_refused(h, "declare P1 type:volcano lava everywhere", "C0", "Unknown incident type `volcano`");
}

TEST_CASE("declare from the form takes its commander and description in the same decision") {
    engine_harness h(default_settings(), t0);
    request form{"U1", "C0", "declare P1 checkout is down", "view:V1", true, "EU users only\r\nsince 09:50"};
    auto d = h.eng.handle(form, h.store, h.now);
    h.store.apply(d);
    REQUIRE(d.ok);
    CHECK(d.is_new);
    const auto& inc = inc_of(h, 1);
    CHECK(inc.role_holder("commander") == "U1");
    // The pinned summary and the topic name the commander from the start: nothing to edit after.
    auto own = posts_to(d, "");
    REQUIRE(own.size() >= 3);
    CHECK(own[0]->pin);
    CHECK_THAT(own[0]->body.text, Contains("*INC-1: checkout is down*"));
    CHECK(count_kind(d, action_kind::update_summary) == 0);
    CHECK(count_kind(d, action_kind::set_topic) == 1);
    CHECK_THAT(first_of(d, action_kind::set_topic)->topic, !Contains("IC unassigned"));
    CHECK(count_kind(d, action_kind::invite) == 0);  // the declarer is in the channel already
    CHECK_THAT(all_posts_to(d, ""), Contains("Set the severity"));  // the commander's checklist
    CHECK_THAT(all_posts_to(d, ""), Contains("EU users only\nsince 09:50"));
    // On the timeline in the order typing the three commands would give.
    REQUIRE(h.store.entries.size() == 3);
    CHECK(h.store.entries[0].kind == "declared");
    CHECK(h.store.entries[1].kind == "role");
    CHECK(h.store.entries[2].kind == "note");
    CHECK(h.store.entries[2].text == "EU users only\nsince 09:50");

    SECTION("typed, the same words declare without either") {
        auto typed = h.run("declare P1 other outage");
        REQUIRE(typed.ok);
        CHECK(inc_of(h, 2).roles.empty());
        CHECK(h.store.entries.size() == 4);
    }
    SECTION("a description past the limit refuses the declaration, which changes nothing") {
        auto before = fingerprint(h.store);
        request too_long{"U1", "C0", "declare P1 other outage", "", false, std::string(3001, 'x')};
        auto refused = h.eng.handle(too_long, h.store, h.now);
        CHECK_FALSE(refused.ok);
        CHECK(refused.actions.empty());
        CHECK(fingerprint(h.store) == before);
    }
    SECTION("only declare reads them") {
        request note{"U1", "C0", "note INC-1 looked at the logs", "", true, "ignored"};
        auto noted = h.eng.handle(note, h.store, h.now);
        REQUIRE(noted.ok);
        CHECK(noted.timeline.size() == 1);
        CHECK(noted.timeline[0].text == "looked at the logs");
    }
}

TEST_CASE("declare and its aliases are known to the engine as declare, nothing else is") {
    for (const char* w : {"declare", "new", "open", "DECLARE", "Open"}) CHECK(is_declare_verb(w));
    for (const char* w : {"", "ack", "declared", "show", "commander"}) CHECK_FALSE(is_declare_verb(w));
}

TEST_CASE("declare refuses an empty title and changes nothing") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 first").ok);
    check_refused(h, "declare P1", "C0", "needs a title");
    check_refused(h, "declare P1    ", "C0", "needs a title");
    check_refused(h, "new type:outage", "C0", "needs a title");
    check_refused(h, "declare", "C0");
    // The next declaration still takes the next number.
    REQUIRE(h.run("declare P2 second").ok);
    CHECK(h.store.incidents.count(2) == 1);
    CHECK(h.store.incidents.size() == 2);
}

TEST_CASE("declare lists open incidents of the last 30 minutes as possible duplicates") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P3 checkout slow").ok);
    h.advance(minutes(10));
    auto d = h.run("declare P3 checkout very slow");
    REQUIRE(d.ok);
    CHECK_THAT(d.reply.text, Contains("Possible duplicates"));
    CHECK_THAT(d.reply.text, Contains("*INC-1* (P3) checkout slow"));

    // Only the last 30 minutes count.
    h.advance(minutes(25));  // INC-1 is 35 minutes old now, INC-2 25 minutes
    d = h.run("declare P3 checkout broken again");
    REQUIRE(d.ok);
    CHECK_THAT(d.reply.text, Contains("*INC-2* (P3) checkout very slow"));
    CHECK_THAT(d.reply.text, !Contains("INC-1"));

    h.advance(minutes(31));
    d = h.run("declare P3 something else");
    REQUIRE(d.ok);
    CHECK_THAT(d.reply.text, !Contains("Possible duplicates"));
}

TEST_CASE("in a declaration storm the duplicates list shows the three most recent") {
    engine_harness h(default_settings(), t0);
    for (int i = 1; i <= 7; ++i) REQUIRE(h.run("declare P3 storm " + std::to_string(i)).ok);
    auto d = h.run("declare P3 storm 8");
    REQUIRE(d.ok);
    for (int i = 5; i <= 7; ++i) CHECK_THAT(d.reply.text, Contains("*INC-" + std::to_string(i) + "* (P3) storm"));
    CHECK_THAT(d.reply.text, !Contains("*INC-4*"));
    CHECK_THAT(d.reply.text, Contains("and more"));
    // Newest first: the one declared just before comes first.
    CHECK(d.reply.text.find("INC-7*") < d.reply.text.find("INC-5*"));
}

TEST_CASE("a taken channel name gets -2, -3") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P3 checkout is down").ok);
    REQUIRE(h.run("declare P3 Checkout is DOWN").ok);
    REQUIRE(h.run("declare P3 checkout -- is down!").ok);
    CHECK(inc_of(h, 1).channel_name == "incident-20261123-checkout-is-down");
    CHECK(inc_of(h, 2).channel_name == "incident-20261123-checkout-is-down-2");
    CHECK(inc_of(h, 3).channel_name == "incident-20261123-checkout-is-down-3");
}

TEST_CASE("Unicode titles are kept as typed, and a title with no slug names its channel by number") {
    engine_harness h(default_settings(), t0);
    const std::string title = "Zahlungen schlagen fehl – Kasse 💳 für Kunden";
    auto d = h.run("declare P2 " + title);
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).title == title);
    CHECK(inc_of(h, 1).channel_name == "incident-20261123-zahlungen-schlagen-fehl-kasse-f-r-kunden");
    CHECK_THAT(all_posts_to(d, ""), Contains(title));
    CHECK_THAT(all_posts_to(d, "incidents"), Contains(title));

    d = h.run("declare P2 支払い障害 🔥");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 2).title == "支払い障害 🔥");
    CHECK(inc_of(h, 2).channel_name == "incident-20261123-inc-2");
    CHECK_THAT(all_posts_to(d, ""), Contains("支払い障害 🔥"));
    CHECK_THAT(h.run("show INC-2").reply.text, Contains("支払い障害 🔥"));
}

TEST_CASE("text users type can never ping the channel, but keeps user and channel mentions") {
    engine_harness h(default_settings(), t0);
    const std::string evil = "<!channel> checkout & <!here> down for <@U9> in <#C5> <!everyone> <!subteam^S1> @here";
    std::vector<decision> decisions;
    decisions.push_back(h.run("declare P1 " + evil));
    REQUIRE(decisions.back().ok);
    decisions.push_back(h.run("update INC-1 " + evil + " impact: <!channel> all users"));
    decisions.push_back(h.run("note INC-1 " + evil));
    decisions.push_back(h.run("resolve INC-1 " + evil));
    decisions.push_back(h.run("show INC-1"));
    decisions.push_back(h.run("timeline INC-1"));
    decisions.push_back(h.run("postmortem INC-1"));
    decisions.push_back(h.run("list all"));
    std::size_t posted = 0;
    for (const auto& d : decisions) {
        REQUIRE(d.ok);
        std::vector<std::string> texts{d.reply.text, d.reply.blocks_json};
        for (const auto& a : d.actions) {
            texts.push_back(a.body.text);
            texts.push_back(a.body.blocks_json);
            texts.push_back(a.topic);
        }
        for (const auto& t : texts) {
            CHECK_THAT(t, !Contains("<!channel>"));
            CHECK_THAT(t, !Contains("<!here>"));
            CHECK_THAT(t, !Contains("<!everyone>"));
            CHECK_THAT(t, !Contains("<!subteam"));
        }
        for (const auto& a : d.actions)
            if (a.kind == action_kind::post && a.body.text.find("checkout") != std::string::npos) {
                ++posted;
                CHECK_THAT(a.body.text, Contains("&lt;!channel&gt;"));
                CHECK_THAT(a.body.text, Contains("&amp;"));
                CHECK_THAT(a.body.text, Contains("<@U9>"));
                CHECK_THAT(a.body.text, Contains("<#C5>"));
            }
    }
    CHECK(posted >= 5);  // declared, announcement, update, note, resolution, post-mortem
    // The channel name is made of characters Slack accepts only.
    for (char c : inc_of(h, 1).channel_name)
        CHECK((std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'));
}

TEST_CASE("length limits count characters, not bytes") {
    engine_harness h(default_settings(), t0);
    auto repeat = [](std::string_view s, int n) {
        std::string out;
        for (int i = 0; i < n; ++i) out += s;
        return out;
    };
    // 126 fire emoji are 504 bytes but 126 characters.
    auto d = h.run("declare P3 " + repeat("🔥", 126));
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).title == repeat("🔥", 126));
    REQUIRE(h.run("declare P3 " + repeat("é", 500)).ok);  // 1,000 bytes
    // A family emoji (7 code points joined) is one character to a reader.
    REQUIRE(h.run("declare P3 " + repeat("👨‍👩‍👧‍👦", 500)).ok);
    check_refused(h, "declare P3 " + repeat("é", 501), "C0", "at most 500 characters");
    REQUIRE(h.run("note INC-1 " + repeat("ü", 3000)).ok);
    REQUIRE(h.run("update INC-1 " + repeat("ß", 3000)).ok);
    check_refused(h, "note INC-1 " + repeat("ü", 3001), "C0", "at most 3000 characters");
}

TEST_CASE("control characters and bidirectional overrides never reach Slack") {
    engine_harness h(default_settings(), t0);
    // ESC starts a terminal sequence, BEL rings, CR overwrites the line, U+202E turns the text around.
    const std::string evil = "db \x1b[31mdown\x07 now\r\nfake line \u202Eevil\u202C \u2066x\u2069 end";
    REQUIRE(h.run("declare P1 " + evil).ok);
    CHECK(inc_of(h, 1).title == "db [31mdown now fake line evil x end");  // a title is one line
    auto note = h.run("note INC-1 first line\r\nsecond \x1b\x07\u202Eline\rthird\u0085");
    REQUIRE(note.ok);
    CHECK(h.store.entries.back().text == "first line\nsecond line\nthird");  // notes keep their lines
    REQUIRE(h.run("update INC-1 fixing\x1b[2J impact: \u202Esome users").ok);
    std::vector<decision> decisions{h.run("show INC-1"), h.run("timeline INC-1"), h.run("postmortem INC-1"),
                                    h.run("list")};
    for (const auto& d : decisions) {
        std::vector<std::string> texts{d.reply.text, d.reply.blocks_json};
        for (const auto& a : d.actions) texts.insert(texts.end(), {a.body.text, a.body.blocks_json, a.topic});
        for (const auto& t : texts) {
            CHECK(t.find('\x1b') == std::string::npos);
            CHECK(t.find('\x07') == std::string::npos);
            CHECK(t.find('\r') == std::string::npos);
            CHECK(t.find("\u202E") == std::string::npos);
            CHECK(t.find("\u2066") == std::string::npos);
        }
    }
    CHECK_THAT(decisions[1].reply.text, Contains("first line\nsecond line\nthird"));
}

TEST_CASE("incident numbers count up from 1 and are never reused") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 one").ok);
    REQUIRE(h.run("declare P2 two").ok);
    REQUIRE(h.run("resolve INC-2").ok);
    REQUIRE(h.run("resolve INC-1").ok);
    check_refused(h, "declare P2");
    auto d = h.run("declare P2 three");
    REQUIRE(d.save);
    CHECK(d.save->number == 3);
    CHECK(d.save->id() == "INC-3");
    CHECK(inc_of(h, 1).title == "one");
    CHECK(inc_of(h, 2).title == "two");
    CHECK(inc_of(h, 3).title == "three");
    CHECK_THAT(d.reply.text, Contains("INC-3"));
}

// --- naming the incident ---------------------------------------------------------

TEST_CASE("INC-7, inc-7 and 7 name the incident, in its channel it can be left out, explicit wins") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 first").ok);
    REQUIRE(h.run("declare P2 second").ok);
    const std::string chan1 = inc_of(h, 1).channel_name;

    for (std::string ref : {"INC-2", "inc-2", "2", "Inc-2"}) {
        INFO(ref);
        auto d = h.run("show " + ref, "U1", "C0");
        CHECK(d.ok);
        CHECK_THAT(d.reply.text, Contains("*INC-2: second*"));
    }
    // In the incident's channel, by name or (once Slack created it) by ID.
    CHECK_THAT(h.run("show", "U1", chan1).reply.text, Contains("*INC-1: first*"));
    h.store.incidents.at(1).channel_id = "C1001";
    CHECK_THAT(h.run("show", "U1", "C1001").reply.text, Contains("*INC-1: first*"));
    // An explicit incident wins over the channel.
    CHECK_THAT(h.run("show INC-2", "U1", "C1001").reply.text, Contains("*INC-2: second*"));
    REQUIRE(h.run("ack INC-2", "U3", "C1001").ok);
    CHECK(inc_of(h, 2).acked_by == "U3");
    CHECK_FALSE(inc_of(h, 1).acked_at);
    REQUIRE(h.run("note inc-2 seen from the other channel", "U3", "C1001").ok);
    CHECK(h.store.entries.back().incident == 2);
    CHECK(h.store.entries.back().text == "seen from the other channel");
    // Outside an incident channel a bare number names the incident.
    REQUIRE(h.run("note 2 pods restarted", "U3", "C0").ok);
    CHECK(h.store.entries.back().incident == 2);
    CHECK(h.store.entries.back().text == "pods restarted");
    REQUIRE(h.run("update 1 pods restarted", "U3", "C0").ok);
    CHECK(inc_of(h, 1).last_update == "pods restarted");
    CHECK(inc_of(h, 2).last_update.empty());
}

TEST_CASE("commands about an incident are refused without one, or with one that does not exist") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    h.advance(minutes(1));
    for (std::string cmd : {"ack", "severity P0", "sev P0", "status mitigating", "update all good", "note hi",
                            "snooze 10m", "resolve", "reopen", "show", "timeline", "postmortem", "commander me",
                            "ic me", "tech-lead me", "tl me", "comms-lead me", "comms me", "scribe me",
                            "ops-lead me"}) {
        check_refused(h, cmd, "C0", "Which incident?");
        auto verb = cmd.substr(0, cmd.find(' '));
        auto rest = cmd.find(' ') == std::string::npos ? std::string() : cmd.substr(cmd.find(' '));
        check_refused(h, verb + " INC-99" + rest, "C0", "INC-99 does not exist");
        check_refused(h, verb + " inc-99" + rest, inc_of(h, 1).channel_name, "INC-99 does not exist");
    }
}

TEST_CASE("an unknown or empty command answers with the usage") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    check_refused(h, "frobnicate INC-1", "C0", "Unknown command `frobnicate`");
    check_refused(h, "acknowledge", inc_of(h, 1).channel_name, "Unknown command `acknowledge`");
    auto before = fingerprint(h.store);
    for (std::string text : {"help", "", "   ", "/incident help"}) {
        INFO("text: '" << text << "'");
        auto d = h.run(text);
        check_ephemeral(h, d, before);
        CHECK_THAT(d.reply.text, Contains("declare"));
        CHECK_THAT(d.reply.text, Contains("snooze"));
        CHECK_THAT(d.reply.text, !Contains("Unknown command"));
        for (const auto& s : h.eng.config().severities) CHECK_THAT(d.reply.text, Contains(s.name));
        for (const auto& r : h.eng.config().roles) CHECK_THAT(d.reply.text, Contains(r.label));
    }
}

// --- ack -------------------------------------------------------------------------

TEST_CASE("ack records the time, stops the escalation and makes the acknowledger commander") {
    const auto cfg = default_settings();
    const auto* commander = cfg.find_role("commander");
    REQUIRE(commander);
    engine_harness h(cfg, t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    h.advance(minutes(7));
    auto d = h.run("ack", "U2", inc_of(h, 1).channel_name);
    REQUIRE(d.ok);
    const auto& inc = inc_of(h, 1);
    CHECK(inc.acked_at == t0 + minutes(7));
    CHECK(inc.acked_by == "U2");
    CHECK_FALSE(inc.due.ack);
    CHECK(inc.due.update == t0 + minutes(30));  // an ack is not an update
    CHECK(inc.role_holder("commander") == "U2");

    auto own = all_posts_to(d, "");
    CHECK_THAT(own, Contains("<@U2> acknowledged *INC-1* after 7m (target 15m)"));
    CHECK_THAT(own, Contains("<@U2> is now *" + commander->label + "* for *INC-1*"));
    for (const auto& step : commander->checklist) CHECK_THAT(own, Contains("• " + step));
    const auto* inv = first_of(d, action_kind::invite);
    REQUIRE(inv);
    CHECK(inv->users == std::vector<std::string>{"U2"});
    const auto* topic = first_of(d, action_kind::set_topic);
    REQUIRE(topic);
    CHECK(topic->topic == "INC-1 · P1 High · investigating · IC <@U2>");
    CHECK(posts_to(d, "incidents").empty());

    std::vector<std::string> kinds;
    for (const auto& e : d.timeline) kinds.push_back(e.kind);
    CHECK(kinds == std::vector<std::string>{"ack", "role"});
    CHECK_THAT(d.timeline[0].text, Contains("7m"));

    check_refused(h, "ack INC-1", "C0", "already acknowledged by <@U2>");
}

TEST_CASE("ack leaves an existing commander in place") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    REQUIRE(h.run("commander INC-1 <@U5>", "U1").ok);
    auto d = h.run("ack INC-1", "U2");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).role_holder("commander") == "U5");
    CHECK(inc_of(h, 1).acked_by == "U2");
    CHECK(count_kind(d, action_kind::invite) == 0);
    CHECK(count_kind(d, action_kind::set_topic) == 0);
    CHECK_THAT(all_posts_to(d, ""), !Contains("is now"));
}

// --- severity --------------------------------------------------------------------

TEST_CASE("severity changes the severity and re-arms its clocks") {
    for (std::string verb : {"severity", "sev", "SEV"}) {
        DYNAMIC_SECTION("verb " << verb) {
            engine_harness h(default_settings(), t0);
            REQUIRE(h.run("declare P1 checkout is down").ok);
            h.advance(minutes(12));
            const auto now = h.now;
            auto d = h.run(verb + " INC-1 p0", "U2");
            REQUIRE(d.ok);
            const auto& inc = inc_of(h, 1);
            CHECK(inc.severity == "P0");
            CHECK(inc.due.ack == now + minutes(5));
            CHECK(inc.due.update == now + minutes(15));
            CHECK(inc.due.resolve == t0 + hours(1));  // from the declaration, as the post-mortem measures it
            CHECK_THAT(all_posts_to(d, ""), Contains("<@U2> changed the severity of *INC-1* from P1 to *P0*"));
            // An upgrade is announced, and told to the new severity's notified channels.
            CHECK_THAT(all_posts_to(d, "incidents"), Contains("*INC-1* (checkout is down) was raised from P1 to *P0*"));
            CHECK(posts_to(d, "leadership").size() == 1);
            const auto* topic = first_of(d, action_kind::set_topic);
            REQUIRE(topic);
            CHECK(topic->topic == "INC-1 · P0 Critical · investigating · IC unassigned");
            REQUIRE(d.timeline.size() == 1);
            CHECK(d.timeline[0].kind == "severity");
            CHECK_THAT(d.timeline[0].text, Contains("P1") && Contains("P0"));
        }
    }
}

TEST_CASE("a downgrade is posted in the incident channel only and follows the lower cadence") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(10));
    auto d = h.run("severity INC-1 P3");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).severity == "P3");
    CHECK_FALSE(inc_of(h, 1).due.ack);      // already acknowledged
    CHECK_FALSE(inc_of(h, 1).due.update);   // P3 has no update reminders
    CHECK(inc_of(h, 1).due.resolve == t0 + hours(24 * 7));
    CHECK(posts_to(d, "incidents").empty());
    CHECK(posts_to(d, "leadership").empty());
    CHECK_THAT(all_posts_to(d, ""), Contains("from P1 to *P3*"));

    // Raising into a severity with no notified channels tells the announce channel only.
    d = h.run("sev INC-1 P2");
    REQUIRE(d.ok);
    CHECK(posts_to(d, "incidents").size() == 1);
    CHECK(posts_to(d, "leadership").empty());
    CHECK(inc_of(h, 1).due.update == h.now + hours(2));
}

TEST_CASE("severity refuses a missing, unknown or unchanged severity") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    check_refused(h, "severity INC-1", "C0", "Which severity?");
    check_refused(h, "severity INC-1 P9", "C0", "Unknown severity `P9`");
    check_refused(h, "sev INC-1 critical", "C0", "Unknown severity `critical`");
    check_refused(h, "severity INC-1 p1", "C0", "already P1");
    check_refused(h, "sev P7", inc_of(h, 1).channel_name, "P0, P1, P2, P3");
}

// --- roles -----------------------------------------------------------------------

TEST_CASE("role commands assign the role, invite the person and post the checklist") {
    const auto cfg = default_settings();
    struct row {
        std::string verb, role;
    };
    const std::vector<row> rows{{"commander", "commander"},   {"ic", "commander"},        {"IC", "commander"},
                                {"tech-lead", "tech-lead"},   {"tl", "tech-lead"},        {"comms-lead", "comms-lead"},
                                {"comms", "comms-lead"},      {"scribe", "scribe"},       {"ops-lead", "ops-lead"}};
    const std::vector<std::pair<std::string, std::string>> people{
        {"<@U123>", "U123"}, {"<@U123|alice>", "U123"}, {"me", "U7"}, {"ME", "U7"}};
    for (const auto& r : rows) {
        const auto* role = cfg.find_role(r.role);
        REQUIRE(role);
        for (const auto& [typed, user] : people) {
            DYNAMIC_SECTION(r.verb << " " << typed) {
                engine_harness h(cfg, t0);
                REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
                auto d = h.run(r.verb + " INC-1 " + typed, "U7");
                REQUIRE(d.ok);
                const auto& inc = inc_of(h, 1);
                CHECK(inc.role_holder(role->name) == user);
                CHECK(inc.roles.size() == 1);
                const auto* inv = first_of(d, action_kind::invite);
                REQUIRE(inv);
                CHECK(inv->users == std::vector<std::string>{user});
                auto own = all_posts_to(d, "");
                CHECK_THAT(own, Contains("<@" + user + "> is now *" + role->label + "* for *INC-1*"));
                CHECK_THAT(own, Contains("assigned by <@U7>"));
                for (const auto& step : role->checklist) CHECK_THAT(own, Contains("• " + step));
                // Only the commander is in the topic.
                CHECK(count_kind(d, action_kind::set_topic) == (role->name == "commander" ? 1u : 0u));
                if (role->name == "commander")
                    CHECK(first_of(d, action_kind::set_topic)->topic == "INC-1 · P1 High · investigating · IC <@" + user + ">");
                REQUIRE(d.timeline.size() == 1);
                CHECK(d.timeline[0].kind == "role");
                CHECK(d.timeline[0].text == role->label + ": <@" + user + ">");
            }
        }
    }
}

TEST_CASE("roles can be reassigned in the incident channel, and bad people are refused") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    const auto chan = inc_of(h, 1).channel_name;
    REQUIRE(h.run("tl <@U5>", "U1", chan).ok);
    auto d = h.run("tech-lead <@U6|bob>", "U1", chan);
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).role_holder("tech-lead") == "U6");
    CHECK_THAT(all_posts_to(d, ""), Contains("(was <@U5>)"));

    check_refused(h, "tl", chan, "Who should be Technical Lead?");
    check_refused(h, "tl INC-1 bob", "C0", "`bob` is not a person");
    check_refused(h, "scribe INC-1 @bob", "C0", "is not a person");
    check_refused(h, "comms INC-1 <!channel>", "C0", "is not a person");
    check_refused(h, "tech-lead INC-1 <@U6>", "C0", "already Technical Lead");
}

// --- status ----------------------------------------------------------------------

TEST_CASE("status moves the incident through its statuses, resolved only through resolve") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    const auto chan = inc_of(h, 1).channel_name;
    for (std::string s : {"identified", "mitigating", "monitoring", "investigating"}) {
        INFO(s);
        std::string from(to_string(inc_of(h, 1).status));
        auto d = h.run("status " + s, "U2", chan);
        REQUIRE(d.ok);
        CHECK(to_string(inc_of(h, 1).status) == s);
        CHECK_THAT(all_posts_to(d, ""), Contains("<@U2> set *INC-1* to *" + s + "* (was " + from + ")"));
        REQUIRE(first_of(d, action_kind::set_topic));
        CHECK_THAT(first_of(d, action_kind::set_topic)->topic, Contains(s));
        REQUIRE(d.timeline.size() == 1);
        CHECK(d.timeline[0].kind == "status");
    }
    REQUIRE(h.run("status INC-1 MITIGATING").ok);
    CHECK(inc_of(h, 1).status == incident_status::mitigating);

    check_refused(h, "status INC-1 resolved", "C0", "/incident resolve");
    check_refused(h, "status INC-1 fixed", "C0", "Unknown status `fixed`");
    check_refused(h, "status", chan, "Which status?");
    check_refused(h, "status INC-1 mitigating", "C0", "already mitigating");
    CHECK(inc_of(h, 1).is_open());
}

// --- update ----------------------------------------------------------------------

TEST_CASE("update posts a status update with its sections and restarts the update clock") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("status INC-1 identified").ok);
    h.advance(minutes(20));
    const auto ack_due = inc_of(h, 1).due.ack;
    const std::string text = "Failover done impact: 5% of checkouts fail next: watch error rate eta: 30m";
    auto d = h.run("update INC-1 " + text, "U3");
    REQUIRE(d.ok);
    const auto& inc = inc_of(h, 1);
    CHECK(inc.last_update == text);
    CHECK(inc.last_update_at == t0 + minutes(20));
    CHECK(inc.due.update == t0 + minutes(50));
    CHECK(inc.due.ack == ack_due);  // an update is not an acknowledgement
    CHECK_FALSE(inc.acked_at);
    auto own = posts_to(d, "");
    REQUIRE(own.size() == 1);
    const auto& body = own[0]->body.text;
    CHECK_THAT(body, Contains("Status update: INC-1 checkout is down"));
    CHECK_THAT(body, Contains("*Status:* identified · *Severity:* P1 (High) · 2026-11-23 10:20 UTC"));
    CHECK_THAT(body, Contains("\nFailover done\n"));
    CHECK_THAT(body, Contains("*Impact:* 5% of checkouts fail"));
    CHECK_THAT(body, Contains("*Next:* watch error rate"));
    CHECK_THAT(body, Contains("*ETA:* 30m"));
    CHECK_THAT(body, !Contains("*Actions:*"));
    CHECK_THAT(body, Contains("Posted by <@U3>. Next update due in 30m (2026-11-23 10:50 UTC)"));
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "update");
    CHECK(d.timeline[0].text == text);

    // An update ends a snooze.
    REQUIRE(h.run("snooze INC-1 2h").ok);
    REQUIRE(h.run("update INC-1 still rolling back").ok);
    CHECK_FALSE(inc_of(h, 1).snoozed);
    CHECK(inc_of(h, 1).due.update == t0 + minutes(50));

    // In the incident channel the incident can be left out.
    h.advance(minutes(5));
    REQUIRE(h.run("update rollback finished", "U3", inc.channel_name).ok);
    CHECK(inc_of(h, 1).last_update == "rollback finished");
    CHECK(inc_of(h, 1).due.update == t0 + minutes(55));

    check_refused(h, "update INC-1", "C0", "needs text");
    check_refused(h, "update", inc.channel_name, "needs text");
}

// --- note ------------------------------------------------------------------------

TEST_CASE("note adds to the timeline and posts it, without changing the incident") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    h.advance(minutes(3));
    const auto before = inc_of(h, 1);
    auto d = h.run("note INC-1 restarted the payment pods", "U4");
    REQUIRE(d.ok);
    CHECK_FALSE(d.save);
    REQUIRE(d.timeline.size() == 1);
    CHECK(h.store.entries.back().incident == 1);
    CHECK(h.store.entries.back().kind == "note");
    CHECK(h.store.entries.back().actor == "U4");
    CHECK(h.store.entries.back().at == t0 + minutes(3));
    CHECK(h.store.entries.back().text == "restarted the payment pods");
    CHECK_THAT(all_posts_to(d, ""), Contains("<@U4> noted on *INC-1*: restarted the payment pods"));
    CHECK(inc_of(h, 1).due.update == before.due.update);  // a note is not an update

    // Notes can still be added after the incident is resolved.
    REQUIRE(h.run("resolve INC-1").ok);
    REQUIRE(h.run("note INC-1 customer emailed support").ok);
    CHECK(h.store.entries.back().text == "customer emailed support");

    check_refused(h, "note INC-1", "C0", "needs text");
    check_refused(h, "note INC-1    ", "C0", "needs text");
}

// --- snooze ----------------------------------------------------------------------

TEST_CASE("snooze postpones the next update reminder from now, snooze off undoes it") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    h.advance(minutes(10));
    auto d = h.run("snooze INC-1 1h", "U2");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).snoozed);
    CHECK(inc_of(h, 1).due.update == t0 + minutes(70));
    CHECK_THAT(all_posts_to(d, ""), Contains("<@U2> snoozed update reminders for *INC-1* for 1h"));
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "snooze");
    CHECK_THAT(d.timeline[0].text, Contains("1h"));
    CHECK_THAT(h.run("show INC-1").reply.text, Contains("(snoozed)"));

    h.advance(minutes(5));
    d = h.run("snooze off", "U2", inc_of(h, 1).channel_name);
    REQUIRE(d.ok);
    CHECK_FALSE(inc_of(h, 1).snoozed);
    CHECK(inc_of(h, 1).due.update == t0 + minutes(30));  // back on the update clock
    CHECK_THAT(all_posts_to(d, ""), Contains("cancelled the snooze on *INC-1*"));
    CHECK(d.timeline.size() == 1);

    check_refused(h, "snooze INC-1 off", "C0", "not snoozed");
    check_refused(h, "snooze INC-1 5h", "C0", "longer than P1's resolution target (4h)");
    check_refused(h, "snooze INC-1 soon", "C0", "`snooze off`");
    check_refused(h, "snooze INC-1", "C0", "`snooze off`");
    // Exactly the resolution target is not longer than it.
    REQUIRE(h.run("snooze INC-1 4h").ok);
    CHECK(inc_of(h, 1).due.update == h.now + hours(4));

    REQUIRE(h.run("declare P3 minor glitch").ok);
    check_refused(h, "snooze INC-2 1h", "C0", "no update reminders");
}

// --- resolve / reopen ------------------------------------------------------------

TEST_CASE("resolve records the resolution, stops the clocks and schedules post-mortem reminders") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(83));
    auto d = h.run("resolve rolled back the deploy", "U2", inc_of(h, 1).channel_name);
    REQUIRE(d.ok);
    const auto& inc = inc_of(h, 1);
    CHECK(inc.status == incident_status::resolved);
    CHECK_FALSE(inc.is_open());
    CHECK(inc.resolved_at == t0 + minutes(83));
    CHECK(inc.resolution == "rolled back the deploy");
    CHECK_FALSE(inc.due.ack);
    CHECK_FALSE(inc.due.update);
    CHECK_FALSE(inc.due.resolve);
    CHECK(inc.due.postmortem_draft == h.now + hours(24));
    CHECK(inc.due.postmortem_review == h.now + hours(48));

    auto own = all_posts_to(d, "");
    CHECK_THAT(own, Contains("*INC-1 resolved* after 1h 23m: checkout is down"));
    CHECK_THAT(own, Contains("*Summary:* rolled back the deploy"));
    CHECK_THAT(own, Contains("post-mortem is expected"));
    CHECK_THAT(all_posts_to(d, "incidents"), Contains("*INC-1* (P1) resolved after 1h 23m: checkout is down"));
    REQUIRE(first_of(d, action_kind::set_topic));
    CHECK(first_of(d, action_kind::set_topic)->topic == "INC-1 · P1 High · resolved · IC <@U2>");
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "resolved");
    CHECK(d.timeline[0].text == "Resolved after 1h 23m: rolled back the deploy");

    // Changes that only make sense while open are refused now.
    for (std::string cmd : {"resolve INC-1", "ack INC-1", "severity INC-1 P0", "status INC-1 monitoring",
                            "update INC-1 more", "snooze INC-1 1h"})
        check_refused(h, cmd, "C0", "reopen INC-1");
}

TEST_CASE("resolving a severity without post-mortems schedules no reminders") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 slow search").ok);
    h.advance(minutes(47));
    auto d = h.run("resolve INC-1");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).resolution.empty());
    CHECK_FALSE(inc_of(h, 1).due.postmortem_draft);
    CHECK_FALSE(inc_of(h, 1).due.postmortem_review);
    CHECK_THAT(all_posts_to(d, ""), Contains("after 47m"));
    CHECK_THAT(all_posts_to(d, ""), !Contains("post-mortem"));
    CHECK_THAT(all_posts_to(d, ""), !Contains("Summary"));
}

TEST_CASE("reopen brings a resolved incident back with its clocks re-armed") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("declare P2 slow search").ok);
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(10));
    REQUIRE(h.run("resolve INC-1 fixed").ok);
    REQUIRE(h.run("resolve INC-2").ok);
    check_refused(h, "reopen INC-3", "C0", "INC-3 does not exist");
    h.advance(hours(1));

    auto d = h.run("reopen", "U3", inc_of(h, 1).channel_name);
    REQUIRE(d.ok);
    const auto& inc = inc_of(h, 1);
    CHECK(inc.is_open());
    CHECK(inc.status == incident_status::investigating);
    CHECK_FALSE(inc.resolved_at);
    CHECK(inc.resolution.empty());
    CHECK_FALSE(inc.due.ack);  // acknowledged before
    CHECK(inc.due.update == h.now + minutes(30));
    CHECK(inc.due.resolve == h.now + hours(4));
    CHECK_FALSE(inc.due.postmortem_draft);
    CHECK_FALSE(inc.due.postmortem_review);
    CHECK_THAT(all_posts_to(d, ""), Contains("<@U3> reopened *INC-1*"));
    CHECK_THAT(all_posts_to(d, "incidents"), Contains("reopened *INC-1*"));
    REQUIRE(first_of(d, action_kind::set_topic));
    CHECK_THAT(first_of(d, action_kind::set_topic)->topic, Contains("investigating"));
    REQUIRE(d.timeline.size() == 1);
    CHECK(d.timeline[0].kind == "reopened");

    // An unacknowledged incident gets its acknowledgement clock back.
    REQUIRE(h.run("reopen INC-2").ok);
    CHECK(inc_of(h, 2).due.ack == h.now + hours(1));

    check_refused(h, "reopen INC-1", "C0", "is not resolved");
}

// --- show, list, timeline, postmortem, stats ------------------------------------

TEST_CASE("show answers the caller with the incident's summary") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    h.advance(minutes(10));
    auto before = fingerprint(h.store);
    auto d = h.run("show INC-1");
    check_ephemeral(h, d, before);
    CHECK_THAT(d.reply.text, Contains("*INC-1: checkout is down*"));
    CHECK_THAT(d.reply.text, Contains("*Severity:* P1 (High) · *Status:* investigating"));
    CHECK_THAT(d.reply.text, Contains("*Age:* 10m"));
    CHECK_THAT(d.reply.text, Contains("*Not acknowledged* (target 15m)"));
    CHECK_THAT(d.reply.text, Contains("*Roles:* none assigned"));
    CHECK_THAT(d.reply.text, Contains("*Last update:* none yet"));
    CHECK_THAT(d.reply.text, Contains("*Next update due:* in 20m (2026-11-23 10:30 UTC)"));

    REQUIRE(h.run("ack INC-1", "U2").ok);
    REQUIRE(h.run("comms INC-1 <@U3>").ok);
    REQUIRE(h.run("update INC-1 looking better").ok);
    d = h.run("show", "U9", inc_of(h, 1).channel_name);
    CHECK_THAT(d.reply.text, Contains("*Acknowledged* by <@U2> after 10m"));
    CHECK_THAT(d.reply.text, Contains("*Incident Commander:* <@U2>"));
    CHECK_THAT(d.reply.text, Contains("*Communications Lead:* <@U3>"));
    CHECK_THAT(d.reply.text, Contains("2026-11-23 10:10 UTC: looking better"));
    CHECK_THAT(d.reply.text, Contains("*Next update due:* in 30m"));
}

TEST_CASE("list shows open incidents most severe first, list all adds recently resolved ones") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P3 low thing").ok);
    REQUIRE(h.run("declare P1 high thing").ok);
    REQUIRE(h.run("declare P0 critical thing").ok);
    REQUIRE(h.run("declare P2 medium thing").ok);
    REQUIRE(h.run("resolve INC-4").ok);
    auto before = fingerprint(h.store);
    auto d = h.run("list");
    check_ephemeral(h, d, before);
    const auto& r = d.reply.text;
    CHECK_THAT(r, Contains("*Open incidents* (3)"));
    auto p0 = r.find("*INC-3* P0"), p1 = r.find("*INC-2* P1"), p3 = r.find("*INC-1* P3");
    REQUIRE(p0 != std::string::npos);
    REQUIRE(p1 != std::string::npos);
    REQUIRE(p3 != std::string::npos);
    CHECK(p0 < p1);
    CHECK(p1 < p3);
    CHECK_THAT(r, !Contains("INC-4"));

    d = h.run("list all");
    CHECK(d.ok);
    CHECK_THAT(d.reply.text, Contains("(4)"));
    CHECK(d.reply.text.find("*INC-4* P2 · resolved") != std::string::npos);
    CHECK(d.reply.text.find("*INC-4*") > d.reply.text.find("*INC-1*"));  // open ones first

    // Resolved more than 30 days ago drops out of `list all`.
    for (std::string n : {"1", "2", "3"}) REQUIRE(h.run("resolve INC-" + n).ok);
    h.advance(hours(24 * 31));
    d = h.run("list all");
    CHECK_THAT(d.reply.text, Contains("(0)"));
    CHECK_THAT(d.reply.text, !Contains("INC-4"));

    check_refused(h, "list everything", "C0", "list all");
}

// PRODUCT.md: "`list all` includes resolved ones of the last 30 days". The
// engine selects by declaration date, so an incident declared 40 days ago and
// resolved yesterday is missing. The store interface has no "resolved since"
// query, so this cannot be fixed inside commands/ alone.
TEST_CASE("list all includes an incident resolved recently that was declared long ago") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P3 slow leak").ok);
    REQUIRE(h.run("ack INC-1").ok);
    h.now = t0 + hours(24 * 40);  // no timers in between: P3 has only its 7d resolve target
    h.store.incidents.at(1).due = {};
    REQUIRE(h.run("resolve INC-1 found the leak").ok);
    auto d = h.run("list all");
    CHECK(d.ok);
    CHECK_THAT(d.reply.text, Contains("*INC-1* P3 · resolved"));
}

TEST_CASE("list with nothing open says so") {
    engine_harness h(default_settings(), t0);
    auto d = h.run("list");
    CHECK(d.ok);
    CHECK_THAT(d.reply.text, Contains("(0)"));
    CHECK_THAT(d.reply.text, Contains("Nothing to list"));
}

TEST_CASE("timeline answers the caller with every entry in UTC") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    h.advance(minutes(5));
    REQUIRE(h.run("note INC-1 checked the dashboards", "U2").ok);
    h.advance(minutes(3));
    REQUIRE(h.run("ack INC-1", "U3").ok);
    REQUIRE(h.run("declare P2 unrelated").ok);
    auto before = fingerprint(h.store);
    auto d = h.run("timeline", "U9", inc_of(h, 1).channel_name);
    check_ephemeral(h, d, before);
    const auto& r = d.reply.text;
    CHECK_THAT(r, Contains("Timeline of INC-1: checkout is down"));
    CHECK_THAT(r, Contains("`2026-11-23 10:00` <@U1> Declared P1: checkout is down"));
    CHECK_THAT(r, Contains("`2026-11-23 10:05` <@U2> checked the dashboards"));
    CHECK_THAT(r, Contains("`2026-11-23 10:08` <@U3> Acknowledged after 8m"));
    CHECK(r.find("checked the dashboards") < r.find("Acknowledged"));
    CHECK_THAT(r, !Contains("unrelated"));
}

TEST_CASE("postmortem posts a Markdown draft built from the timeline in the incident channel") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 type:outage checkout is down", "U1").ok);
    h.advance(minutes(10));
    REQUIRE(h.run("ack INC-1", "U2").ok);
    h.advance(minutes(10));
    REQUIRE(h.run("update INC-1 digging impact: 5% of checkouts fail").ok);
    h.advance(minutes(20));
    REQUIRE(h.run("update INC-1 worse impact: all checkouts fail next: roll back").ok);
    REQUIRE(h.run("update INC-1 rolling back").ok);
    h.advance(minutes(20));
    REQUIRE(h.run("resolve INC-1 bad deploy rolled back", "U2").ok);
    const auto before_timeline = h.store.entries.size();

    auto d = h.run("postmortem INC-1", "U2");
    REQUIRE(d.ok);
    CHECK_FALSE(d.save);
    CHECK(d.timeline.empty());
    CHECK(h.store.entries.size() == before_timeline);
    auto own = posts_to(d, "");
    REQUIRE(own.size() == 1);
    CHECK(d.actions.size() == 1);
    const auto& md = own[0]->body.text;
    CHECK_THAT(md, StartsWith("# Post-mortem: INC-1 checkout is down"));
    for (std::string section : {"## Summary", "## Impact", "## Response times", "## Timeline (UTC)", "## Root cause",
                                "## What went well", "## What went wrong", "## Action items"})
        CHECK_THAT(md, Contains("\n" + section + "\n"));
    CHECK_THAT(md, Contains("P1 (High), Service outage. Declared 2026-11-23 10:00 UTC by <@U1>; resolved "
                            "2026-11-23 11:00 UTC. bad deploy rolled back"));
    CHECK_THAT(md, Contains("- Incident Commander: <@U2>"));
    CHECK_THAT(md, Contains("## Impact\nall checkouts fail\n"));  // the latest impact stated
    CHECK_THAT(md, Contains("- Acknowledged in 10m (target 15m): met"));
    CHECK_THAT(md, Contains("- Resolved in 1h (target 4h): met"));
    CHECK_THAT(md, Contains("- 2026-11-23 10:00 <@U1>: Declared P1: checkout is down"));
    CHECK_THAT(md, Contains("- 2026-11-23 11:00 <@U2>: Resolved after 1h: bad deploy rolled back"));
    CHECK(md.find("Declared P1") < md.find("Resolved after 1h"));
    CHECK_THAT(d.reply.text, Contains("INC-1"));
    CHECK_THAT(d.reply.text, Contains("#" + inc_of(h, 1).channel_name));
    CHECK(inc_of(h, 1).status == incident_status::resolved);
}

TEST_CASE("postmortem of an open, slow incident reports the missed targets") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P0 everything is down").ok);
    h.advance(minutes(90));
    auto d = h.run("postmortem INC-1");
    REQUIRE(d.ok);
    const auto md = all_posts_to(d, "");
    CHECK_THAT(md, Contains("- Not acknowledged after 1h 30m (target 5m): missed by 1h 25m"));
    CHECK_THAT(md, Contains("- Still open after 1h 30m (target 1h): missed by 30m"));
    CHECK_THAT(md, Contains("_Who and what was affected"));
}

// --- Slack's limits ------------------------------------------------------------------

namespace {

std::size_t chars(const std::string& s) { return warroom::templates::slack_length(s); }

// What Slack checks: at most 50 blocks, 3,000 characters a section, about
// 13,000 in all blocks, 40,000 of text.
void check_within_slack_limits(const message& m) {
    INFO(m.text.substr(0, 200));
    CHECK(chars(m.text) <= 40000);
    auto blocks = nlohmann::json::parse(m.blocks_json);
    CHECK(blocks.size() <= 50);
    std::size_t total = 0;
    for (const auto& b : blocks)
        if (b.contains("text")) {
            auto t = b["text"]["text"].get<std::string>();
            CHECK(chars(t) <= 3000);
            total += chars(t);
        }
    CHECK(total <= 13000);
}

void add_notes(engine_harness& h, std::int64_t number, int n) {
    for (int i = 0; i < n; ++i)
        h.store.entries.push_back({number, t0 + minutes(1 + i / 100), "U2", "note",
                                   "note " + std::to_string(i) + " restarted pod checkout-" + std::to_string(i) +
                                       " after the heap grew past the limit again"});
}

}  // namespace

TEST_CASE("a long timeline shows the most recent entries and says how many earlier ones are left out") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    add_notes(h, 1, 5000);
    const auto total = h.store.entries.size();
    auto d = h.run("timeline INC-1", "U9");
    REQUIRE(d.ok);
    CHECK(d.actions.empty());
    check_within_slack_limits(d.reply);
    const auto& r = d.reply.text;
    CHECK_THAT(r, Contains("note 4999 restarted"));  // the newest is there
    CHECK_THAT(r, !Contains("note 0 restarted"));
    // Shown and left out add up to the whole timeline, and the answer says how to get the rest.
    std::size_t shown = 0;
    for (std::size_t at = r.find("\n`"); at != std::string::npos; at = r.find("\n`", at + 1)) ++shown;
    REQUIRE(shown > 10);
    CHECK_THAT(r, Contains("… " + format_count(total - shown) + " earlier entries not shown"));
    CHECK_THAT(r, Contains("`/incident timeline INC-1 all`"));
    CHECK_THAT(r, Contains("`warroom export`"));
    // The blocks show everything the text does: nothing cut silently there either.
    CHECK_THAT(d.reply.blocks_json, Contains("note 4999 restarted"));
    CHECK_THAT(d.reply.blocks_json, Contains("earlier entries not shown"));
}

TEST_CASE("timeline all posts every entry in the incident's channel, in a thread when it takes several messages") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    add_notes(h, 1, 1500);
    auto d = h.run("timeline INC-1 all", "U9");
    REQUIRE(d.ok);
    auto parts = posts_to(d, "");
    REQUIRE(parts.size() > 1);
    std::string all;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        check_within_slack_limits(parts[i]->body);
        CHECK(parts[i]->thread_of == (i == 0 ? -1 : 0));
        all += parts[i]->body.text;
    }
    for (int i = 0; i < 1500; i += 7) CHECK_THAT(all, Contains("note " + std::to_string(i) + " restarted"));
    CHECK_THAT(d.reply.text, Contains("1,501 entries"));
    check_refused(h, "timeline INC-1 everything", "C0", "timeline [INC-n] all");
}

TEST_CASE("list of more open incidents than one answer holds says how many more") {
    engine_harness h(default_settings(), t0);
    for (int i = 0; i < 402; ++i) REQUIRE(h.run("declare P" + std::to_string(i % 4) + " service " + std::to_string(i) +
                                                " returns errors for some customers in eu-west").ok);
    auto d = h.run("list", "U9");
    REQUIRE(d.ok);
    check_within_slack_limits(d.reply);
    const auto& r = d.reply.text;
    std::size_t shown = 0;
    for (std::size_t at = r.find("\n• "); at != std::string::npos; at = r.find("\n• ", at + 1)) ++shown;
    REQUIRE(shown > 10);
    REQUIRE(shown < 402);
    CHECK_THAT(r, Contains("(402)"));
    CHECK_THAT(r, Contains("… and " + std::to_string(402 - shown) + " more not shown"));
    CHECK_THAT(r, Contains("P0"));  // the most severe first
}

TEST_CASE("a post-mortem too long for one message goes out in parts in a thread, nothing dropped") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    add_notes(h, 1, 5000);
    auto d = h.run("postmortem INC-1", "U2");
    REQUIRE(d.ok);
    auto parts = posts_to(d, "");
    REQUIRE(parts.size() > 1);
    CHECK(d.actions.size() == parts.size());
    std::string all;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        INFO("part " << i + 1);
        check_within_slack_limits(parts[i]->body);
        CHECK(parts[i]->thread_of == (i == 0 ? -1 : 0));  // parts 2..n reply to part 1
        CHECK_THAT(parts[i]->body.text, Contains("part " + std::to_string(i + 1) + " of " + std::to_string(parts.size())));
        all += parts[i]->body.text + "\n";
    }
    CHECK_THAT(parts[0]->body.text, StartsWith("# Post-mortem: INC-1 checkout is down"));
    for (std::string section : {"## Summary", "## Timeline (UTC)", "## Root cause", "## What went wrong", "## Action items"})
        CHECK_THAT(all, Contains(section));
    for (int i = 0; i < 5000; i += 13) CHECK_THAT(all, Contains("note " + std::to_string(i) + " restarted"));
    CHECK(all.find("## Root cause") > all.find("note 4999 restarted"));
    CHECK_THAT(parts.back()->body.text, Contains("- [ ] _action_ (owner, due date)"));
}

TEST_CASE("stats gives count, MTTA and MTTR per severity against the targets") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 one").ok);
    REQUIRE(h.run("declare P1 two").ok);
    REQUIRE(h.run("declare P0 three").ok);
    h.advance_to(t0 + minutes(10));
    REQUIRE(h.run("ack INC-1").ok);
    h.advance_to(t0 + minutes(20));
    REQUIRE(h.run("ack INC-2").ok);
    h.advance_to(t0 + minutes(30));
    REQUIRE(h.run("ack INC-3").ok);
    h.advance_to(t0 + hours(2));
    REQUIRE(h.run("resolve INC-1").ok);
    h.advance_to(t0 + hours(6));
    REQUIRE(h.run("resolve INC-2").ok);
    REQUIRE(h.run("resolve INC-3").ok);

    auto before = fingerprint(h.store);
    for (std::string cmd : {"stats", "stats 30d"}) {
        INFO(cmd);
        auto d = h.run(cmd);
        check_ephemeral(h, d, before);
        const auto& r = d.reply.text;
        CHECK_THAT(r, Contains("*Incidents in the last 30d* (3)"));
        CHECK_THAT(r, Contains("*P0* Critical: 1 · MTTA 30m (target 5m, met 0/1) · MTTR 6h (target 1h, met 0/1)"));
        CHECK_THAT(r, Contains("*P1* High: 2 · MTTA 15m (target 15m, met 1/2) · MTTR 4h (target 4h, met 1/2)"));
        CHECK_THAT(r, Contains("*P2* Medium: 0 · MTTA – (target 1h, met 0/0)"));
        CHECK_THAT(r, Contains("*P3* Low: 0"));
    }
    // A period that starts after the declarations counts nothing.
    auto d = h.run("stats 1h");
    CHECK(d.ok);
    CHECK_THAT(d.reply.text, Contains("*Incidents in the last 1h* (0)"));
    CHECK_THAT(d.reply.text, Contains("*P1* High: 0"));

    check_refused(h, "stats soon", "C0", "stats [period]");
}

// --- errors, all together --------------------------------------------------------

TEST_CASE("every error answers only the caller and changes nothing") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("commander INC-1 <@U5>").ok);
    h.advance(minutes(2));
    const auto chan = inc_of(h, 1).channel_name;
    for (std::string cmd : {"declare P1", "declare type:nope x", "severity", "sev INC-1 SEV9",
                            "status INC-1", "status INC-1 sleeping", "update", "note", "snooze INC-1 -5m",
                            "snooze INC-1 999d", "reopen INC-1", "commander INC-1 <@U5>", "commander INC-1 someone",
                            "list open", "stats 0d", "whatever", "ack INC-99", "resolve INC-99 fixed"}) {
        check_refused(h, cmd, chan);
    }
}

TEST_CASE("severity names come from the config, not from the code") {
    auto cfg = default_settings();
    cfg.severities = {
        {"SEV-1", "Major", minutes(10), minutes(20), hours(2), {"exec"}, {}, true, true, {}, false},
        {"SEV-2", "Minor", hours(1), std::nullopt, hours(48), {}, {}, false, true, {}, false},
    };
    engine_harness h(cfg, t0);
    auto d = h.run("declare login broken");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).severity == "SEV-2");
    CHECK_FALSE(inc_of(h, 1).due.update);
    CHECK(posts_to(d, "exec").empty());

    d = h.run("declare sev-1 login broken everywhere");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 2).severity == "SEV-1");
    CHECK(inc_of(h, 2).title == "login broken everywhere");
    CHECK(inc_of(h, 2).due.update == t0 + minutes(20));
    CHECK(posts_to(d, "exec").size() == 1);
    CHECK(posts_to(d, "leadership").empty());

    d = h.run("sev INC-1 SEV-1");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).severity == "SEV-1");
    CHECK(posts_to(d, "exec").size() == 1);
    check_refused(h, "sev INC-1 P1", "C0", "Unknown severity `P1`");
    CHECK_THAT(h.run("help").reply.text, Contains("SEV-1") && Contains("SEV-2") && !Contains("P0"));
}

// --- the pinned summary and the buttons --------------------------------------------

namespace {

std::vector<const action*> summary_updates(const decision& d) {
    std::vector<const action*> out;
    for (const auto& a : d.actions)
        if (a.kind == action_kind::update_summary) out.push_back(&a);
    return out;
}

// The one summary update of `d`, checked to be for incident 1 in its own channel.
std::string updated_summary(const decision& d) {
    auto updates = summary_updates(d);
    REQUIRE(updates.size() == 1);
    CHECK(updates[0]->incident == 1);
    CHECK(updates[0]->channel.empty());
    CHECK(updates[0]->users.empty());
    CHECK_FALSE(updates[0]->pin);
    CHECK_THAT(updates[0]->body.text, StartsWith(":rotating_light: *INC-1: checkout is down*"));
    return updates[0]->body.text;
}

nlohmann::json blocks_of(const message& m) {
    REQUIRE_FALSE(m.blocks_json.empty());
    auto blocks = nlohmann::json::parse(m.blocks_json);
    REQUIRE(blocks.is_array());
    return blocks;
}

// The actions block with this block_id, or null.
nlohmann::json actions_block(const message& m, const std::string& block_id) {
    for (const auto& b : blocks_of(m))
        if (b.value("type", "") == "actions" && b.value("block_id", "") == block_id) return b;
    return nullptr;
}

std::vector<std::string> action_ids(const nlohmann::json& block) {
    std::vector<std::string> out;
    for (const auto& e : block.at("elements")) out.push_back(e.at("action_id").get<std::string>());
    return out;
}

// Every button: a plain_text label with emoji, the incident number as its value.
void check_buttons(const nlohmann::json& block, const std::string& value) {
    REQUIRE(block.at("elements").size() <= 25);
    for (const auto& e : block.at("elements")) {
        INFO(e.dump());
        CHECK(e.at("type") == "button");
        CHECK(e.at("value") == value);
        CHECK(e.at("text").at("type") == "plain_text");
        CHECK(e.at("text").at("emoji") == true);
        CHECK(e.at("text").at("text").get<std::string>().size() <= 75);
    }
}

const nlohmann::json& element(const nlohmann::json& block, const std::string& action_id) {
    for (const auto& e : block.at("elements"))
        if (e.at("action_id") == action_id) return e;
    FAIL("no button " << action_id);
    throw;  // not reached
}

}  // namespace

TEST_CASE("every change to what the summary shows edits the pinned summary, once") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    const auto chan = inc_of(h, 1).channel_name;
    h.advance(minutes(2));

    auto text = updated_summary(h.run("severity INC-1 P0", "U2"));
    CHECK_THAT(text, Contains("*Severity:* P0 (Critical)"));
    CHECK_THAT(text, Contains("acknowledge within 5m"));

    text = updated_summary(h.run("status identified", "U2", chan));
    CHECK_THAT(text, Contains("*Status:* identified"));

    text = updated_summary(h.run("tl INC-1 <@U5>", "U2"));
    CHECK_THAT(text, Contains("*Technical Lead:* <@U5>"));
    CHECK_THAT(text, Contains("*Commander:* none yet"));

    h.advance(minutes(3));
    text = updated_summary(h.run("ack INC-1", "U2"));  // and makes U2 commander
    CHECK_THAT(text, Contains("*Acknowledged by:* <@U2> after 5m"));
    CHECK_THAT(text, Contains("*Incident Commander:* <@U2>") && !Contains("none yet"));

    text = updated_summary(h.run("commander INC-1 <@U6>", "U2"));
    CHECK_THAT(text, Contains("*Incident Commander:* <@U6>") && !Contains("*Incident Commander:* <@U2>"));

    h.advance(minutes(5));
    text = updated_summary(h.run("update INC-1 failover done <!channel>", "U6"));
    CHECK_THAT(text, Contains("*Last update (2026-11-23 10:10 UTC):* failover done &lt;!channel&gt;"));

    h.advance(minutes(73));
    auto d = h.run("resolve INC-1 bad deploy rolled back", "U6");
    text = updated_summary(d);
    CHECK_THAT(text, Contains("*Status:* resolved"));
    CHECK_THAT(text, Contains(":large_green_circle: *Resolved* at 2026-11-23 11:23 UTC, after 1h 23m: bad deploy rolled back"));
    CHECK(actions_block(summary_updates(d)[0]->body, "warroom_summary_actions").is_null());
    CHECK(blocks_of(summary_updates(d)[0]->body).back().at("type") == "section");

    h.advance(hours(2));
    d = h.run("reopen INC-1", "U6");
    text = updated_summary(d);
    CHECK_THAT(text, Contains("*Status:* investigating") && !Contains("Resolved"));
    CHECK_FALSE(actions_block(summary_updates(d)[0]->body, "warroom_summary_actions").is_null());

    // It comes after the decision's own posts, so the channel reads the change first.
    CHECK(h.store.outbox.back().kind == action_kind::update_summary);
}

TEST_CASE("a resolution without a summary still says when and after how long") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P2 checkout is down").ok);
    h.advance(hours(26));
    auto text = updated_summary(h.run("resolve INC-1"));
    CHECK_THAT(text, Contains(":large_green_circle: *Resolved* at 2026-11-24 12:00 UTC, after 1d 2h") &&
                         !Contains("after 1d 2h:"));
    CHECK_THAT(text, !Contains("`/incident commander me`"));  // no prompts on a closed incident
}

TEST_CASE("what leaves the summary as it was does not edit it") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    REQUIRE(h.run("declare P2 search is slow", "U1").ok);
    for (std::string cmd : {"note INC-1 restarted pods", "show INC-1", "timeline INC-1", "list", "list all",
                            "snooze INC-1 1h", "snooze INC-1 off", "postmortem INC-1", "stats", "help",
                            "status INC-1 investigating", "severity INC-1 P1", "nonsense"}) {
        INFO(cmd);
        h.advance(minutes(7));  // time alone must not change the summary either
        auto d = h.run(cmd, "U2");
        CHECK(summary_updates(d).empty());
    }
    // A change to another incident edits that incident's summary only.
    auto d = h.run("status INC-2 identified", "U2");
    REQUIRE(summary_updates(d).size() == 1);
    CHECK(summary_updates(d)[0]->incident == 2);
    CHECK_THAT(summary_updates(d)[0]->body.text, Contains("*INC-2: search is slow*"));
    // A declaration pins a new summary; it edits none.
    CHECK(summary_updates(h.run("declare P1 another one")).empty());
}

TEST_CASE("the summary does not change with the clock alone") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    h.advance(minutes(1));
    auto first = updated_summary(h.run("status INC-1 identified"));
    h.advance(hours(3));
    REQUIRE(h.run("status INC-1 mitigating").ok);
    h.advance(hours(5));
    auto later = updated_summary(h.run("status INC-1 identified"));
    CHECK(first == later);
    CHECK_THAT(first, !Contains("Age") && !Contains("due"));
}

TEST_CASE("the summary carries the incident's buttons while it is open") {
    engine_harness h(default_settings(), t0);
    h.store.counter = 7;
    auto d = h.run("declare P1 checkout is down", "U1");
    REQUIRE(d.ok);
    auto own = posts_to(d, "");
    REQUIRE(own.size() == 1);
    REQUIRE(own[0]->pin);
    auto block = actions_block(own[0]->body, "warroom_summary_actions");
    REQUIRE_FALSE(block.is_null());
    CHECK(blocks_of(own[0]->body).back() == block);  // below the summary
    CHECK(action_ids(block) ==
          std::vector<std::string>{"warroom_update", "warroom_severity", "warroom_role", "warroom_resolve"});
    check_buttons(block, "7");
    CHECK(element(block, "warroom_update").at("text").at("text") == "Post update");
    CHECK(element(block, "warroom_update").at("style") == "primary");
    CHECK(element(block, "warroom_severity").at("text").at("text") == "Change severity");
    CHECK_FALSE(element(block, "warroom_severity").contains("style"));
    CHECK(element(block, "warroom_role").at("text").at("text") == "Assign role");
    const auto& resolve = element(block, "warroom_resolve");
    CHECK(resolve.at("text").at("text") == "Resolve");
    CHECK(resolve.at("style") == "danger");
    const auto& confirm = resolve.at("confirm");
    CHECK(confirm.at("title").at("type") == "plain_text");
    CHECK(confirm.at("title").at("text") == "Resolve INC-7?");
    CHECK_THAT(confirm.at("text").at("text").get<std::string>(), Contains("reminders") && Contains("#incidents"));
    CHECK(confirm.at("text").at("text").get<std::string>().size() <= 300);
    CHECK(confirm.at("confirm").at("text") == "Resolve");
    CHECK(confirm.at("deny").at("text") == "Cancel");
    // The fallback text is the summary alone.
    CHECK_THAT(own[0]->body.text, !Contains("warroom_") && !Contains("Post update"));

    // No other post of the declaration has the summary's buttons.
    auto notified = posts_to(d, "leadership");
    REQUIRE(notified.size() == 1);
    CHECK(actions_block(notified[0]->body, "warroom_summary_actions").is_null());

    SECTION("a configured announce channel ID is named in words in the plain-text confirmation") {
        auto cfg = default_settings();
        cfg.announce_channel = "C0ANNOUNCE";
        engine_harness h2(cfg, t0);
        auto d2 = h2.run("declare P1 checkout is down");
        auto b = actions_block(posts_to(d2, "")[0]->body, "warroom_summary_actions");
        auto said = element(b, "warroom_resolve").at("confirm").at("text").at("text").get<std::string>();
        CHECK_THAT(said, Contains("the announce channel") && !Contains("<#"));
    }
}

TEST_CASE("the announcement carries Acknowledge and Join channel buttons") {
    engine_harness h(default_settings(), t0);
    h.store.counter = 12;
    auto d = h.run("declare P0 payments failing", "U1");
    REQUIRE(d.ok);
    for (std::string channel : {"incidents", "leadership"}) {
        INFO(channel);
        auto posts = posts_to(d, channel);
        REQUIRE(posts.size() == 1);
        auto block = actions_block(posts[0]->body, "warroom_announce_actions");
        REQUIRE_FALSE(block.is_null());
        CHECK(blocks_of(posts[0]->body).back() == block);
        CHECK(action_ids(block) == std::vector<std::string>{"warroom_ack", "warroom_join"});
        check_buttons(block, "12");
        CHECK(element(block, "warroom_ack").at("text").at("text") == "Acknowledge");
        CHECK(element(block, "warroom_join").at("text").at("text") == "Join channel");
        CHECK_THAT(posts[0]->body.text, StartsWith(":rotating_light: *INC-12* declared: *payments failing*"));
        CHECK_THAT(posts[0]->body.text, !Contains("Acknowledge"));
    }
    // Other posts (the upgrade notice, the resolution) are not the announcement.
    REQUIRE(h.run("declare P3 search is slow").ok);
    auto up = h.run("severity INC-13 P1");
    REQUIRE(posts_to(up, "incidents").size() == 1);
    CHECK(actions_block(posts_to(up, "incidents")[0]->body, "warroom_announce_actions").is_null());
}

TEST_CASE("a title of many paragraphs still leaves the buttons within Slack's 50 blocks") {
    engine_harness h(default_settings(), t0);
    std::string title;
    for (int i = 0; i < 120; ++i) title += "p" + std::to_string(i % 10) + "\n\n";
    auto d = h.run("declare P1 " + title);
    REQUIRE(d.ok);
    REQUIRE(inc_of(h, 1).title.size() <= 500);
    auto check_capped = [](const message& m, const std::string& block_id) {
        auto blocks = blocks_of(m);
        CHECK(blocks.size() <= 50);  // paragraphs share sections rather than being cut
        CHECK(blocks.back().at("type") == "actions");
        CHECK(blocks.back().at("block_id") == block_id);
        CHECK(blocks[0].at("type") == "section");
        CHECK_THAT(m.blocks_json, !Contains("not shown"));
    };
    check_capped(posts_to(d, "")[0]->body, "warroom_summary_actions");
    check_capped(posts_to(d, "incidents")[0]->body, "warroom_announce_actions");

    // A long update with many paragraphs in the summary: still 50 at most, buttons last.
    std::string update;
    for (int i = 0; i < 200; ++i) update += "u\n\n";
    auto u = h.run("update INC-1 " + update);
    REQUIRE(u.ok);
    auto updates = summary_updates(u);
    REQUIRE(updates.size() == 1);
    check_capped(updates[0]->body, "warroom_summary_actions");
}

// --- join --------------------------------------------------------------------------

TEST_CASE("join invites the caller to the incident's channel and answers them alone") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    const auto chan = inc_of(h, 1).channel_name;

    auto before = fingerprint(h.store);
    auto d = h.eng.join(1, "U9", h.store, h.now);
    REQUIRE(d.ok);
    CHECK_FALSE(d.save);
    CHECK(d.timeline.empty());  // member_joined_channel records the join
    REQUIRE(d.actions.size() == 1);
    CHECK(d.actions[0].kind == action_kind::invite);
    CHECK(d.actions[0].incident == 1);
    CHECK(d.actions[0].channel.empty());
    CHECK(d.actions[0].users == std::vector<std::string>{"U9"});
    CHECK_THAT(d.reply.text, Contains("Adding you to #" + chan));
    CHECK(fingerprint(h.store) == before);

    SECTION("once the channel exists, it is linked") {
        h.store.incidents.at(1).channel_id = "C0INC1";
        CHECK_THAT(h.eng.join(1, "U9", h.store, h.now).reply.text, Contains("Adding you to <#C0INC1>"));
    }
    SECTION("the declarer and role holders are invited all the same") {
        auto again = h.eng.join(1, "U1", h.store, h.now);
        REQUIRE(again.ok);
        REQUIRE(count_kind(again, action_kind::invite) == 1);
        CHECK(again.actions[0].users == std::vector<std::string>{"U1"});
    }
    SECTION("a resolved incident can still be joined, for the post-mortem") {
        REQUIRE(h.run("resolve INC-1").ok);
        auto late = h.eng.join(1, "U9", h.store, h.now);
        REQUIRE(late.ok);
        REQUIRE(count_kind(late, action_kind::invite) == 1);
        CHECK_THAT(late.reply.text, Contains("resolved"));
    }
    SECTION("an incident that does not exist is refused, clearly") {
        auto none = h.eng.join(9, "U9", h.store, h.now);
        CHECK_FALSE(none.ok);
        CHECK(none.actions.empty());
        CHECK_FALSE(none.save);
        CHECK_THAT(none.reply.text, StartsWith(":warning:") && Contains("There is no INC-9."));
    }
}

// --- resolve_requires_role ------------------------------------------------------------

TEST_CASE("resolve_requires_role: only role holders resolve, others are told who can") {
    auto cfg = default_settings();
    SECTION("off (the default): anyone resolves") {
        REQUIRE_FALSE(cfg.resolve_requires_role);
        engine_harness h(cfg, t0);
        REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
        REQUIRE(h.run("commander INC-1 <@U2>").ok);
        auto d = h.run("resolve INC-1", "U9");
        REQUIRE(d.ok);
        CHECK_FALSE(inc_of(h, 1).is_open());
    }
    SECTION("on") {
        cfg.resolve_requires_role = true;
        engine_harness h(cfg, t0);
        REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
        // Nobody holds a role yet; the declarer (U1, as check_refused runs) is not a role holder.
        check_refused(h, "resolve INC-1 fixed", "C0", "`resolve_requires_role`");
        check_refused(h, "resolve INC-1", "C0", "`/incident commander INC-1");

        REQUIRE(h.run("commander INC-1 <@U2>").ok);
        check_refused(h, "resolve INC-1 fixed", "C0", "Ask its commander, <@U2>");
        auto stranger = h.run("resolve INC-1", "U9");
        CHECK_FALSE(stranger.ok);
        CHECK(inc_of(h, 1).is_open());

        SECTION("by the commander") {
            auto d = h.run("resolve INC-1 fixed", "U2");
            REQUIRE(d.ok);
            CHECK_FALSE(inc_of(h, 1).is_open());
            CHECK(summary_updates(d).size() == 1);
        }
        SECTION("by another role holder, in the incident channel") {
            REQUIRE(h.run("scribe INC-1 <@U3>").ok);
            auto d = h.run("resolve fixed", "U3", inc_of(h, 1).channel_name);
            REQUIRE(d.ok);
            CHECK(inc_of(h, 1).resolution == "fixed");
        }
        SECTION("without a commander, the role holders are named") {
            h.store.incidents.at(1).roles.erase("commander");
            REQUIRE(h.run("tl INC-1 <@U4>").ok);
            check_refused(h, "resolve INC-1", "C0", "Ask one of <@U4>");
        }
        SECTION("reopen is not restricted") {
            REQUIRE(h.run("resolve INC-1", "U2").ok);
            REQUIRE(h.run("reopen INC-1", "U9").ok);
        }
    }
}

// --- answers that read right -------------------------------------------------------

TEST_CASE("the post-mortem's response times read as English in every state") {
    SECTION("declared seconds ago: both targets pending") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P2 checkout is down").ok);
        h.advance(std::chrono::seconds(30));
        auto md = all_posts_to(h.run("postmortem INC-1"), "");
        CHECK_THAT(md, Contains("- Not acknowledged yet (target 1h): pending (due in 59m)\n"));
        CHECK_THAT(md, Contains("- Not resolved yet (target 1d): pending (due in 23h 59m)\n"));
        CHECK_THAT(md, !Contains("missed"));
        CHECK_THAT(md, !Contains("in not acknowledged"));
        CHECK_THAT(md, !Contains("in still open"));
    }
    SECTION("open past its targets: missed, by how much") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P0 everything is down").ok);
        h.advance(minutes(90));
        auto md = all_posts_to(h.run("postmortem INC-1"), "");
        CHECK_THAT(md, Contains("- Not acknowledged after 1h 30m (target 5m): missed by 1h 25m\n"));
        CHECK_THAT(md, Contains("- Still open after 1h 30m (target 1h): missed by 30m\n"));
    }
    SECTION("acknowledged late, resolved in time") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P1 checkout is down").ok);
        h.advance(minutes(20));
        REQUIRE(h.run("ack INC-1").ok);
        h.advance(minutes(40));
        REQUIRE(h.run("resolve INC-1").ok);
        auto md = all_posts_to(h.run("postmortem INC-1"), "");
        CHECK_THAT(md, Contains("- Acknowledged in 20m (target 15m): missed by 5m\n"));
        CHECK_THAT(md, Contains("- Resolved in 1h (target 4h): met\n"));
    }
    SECTION("resolved without an acknowledgement") {
        engine_harness h(default_settings(), t0);
        REQUIRE(h.run("declare P2 false alarm").ok);
        h.advance(minutes(10));
        REQUIRE(h.run("resolve INC-1").ok);
        auto md = all_posts_to(h.run("postmortem INC-1"), "");
        CHECK_THAT(md, Contains("- Never acknowledged (target 1h): resolved before it was due\n"));
        CHECK_THAT(md, Contains("- Resolved in 10m (target 1d): met\n"));
    }
}

TEST_CASE("a person is me, @me, <@U…> or <@U…|name> wherever one is expected") {
    for (std::string typed : {"me", "@me", "@ME", "<@U7>", "<@U7|alice>"}) {
        DYNAMIC_SECTION(typed) {
            engine_harness h(default_settings(), t0);
            REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
            auto d = h.run("commander 1 " + typed, "U7");
            REQUIRE(d.ok);
            CHECK(inc_of(h, 1).role_holder("commander") == "U7");
        }
    }
}

TEST_CASE("error examples name the caller's own incident, a number that names none says so") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    REQUIRE(h.run("declare P2 search is slow", "U2").ok);
    h.advance(minutes(1));
    REQUIRE(h.run("declare P3 login flaky", "U1").ok);
    // U1's newest open incident is INC-3; U2's is INC-2; U9 has none.
    check_refused(h, "resolve", "C0", "Name it (`/incident resolve INC-3 [summary]`)");
    auto d = h.run("ack", "U2", "C0");
    CHECK_THAT(d.reply.text, Contains("Name it (`/incident ack INC-2`)"));
    d = h.run("tl", "U9", "C0");
    CHECK_THAT(d.reply.text, Contains("Name it (`/incident tl INC-n &lt;person&gt;` (an @mention or `me`))"));
    CHECK_THAT(d.reply.text, !Contains("INC-7"));
    // A command written two ways: the example is the first, whole.
    check_refused(h, "snooze", "C0", "Name it (`/incident snooze INC-3 &lt;duration&gt;`) or type");
    check_refused(h, "timeline", "C0", "Name it (`/incident timeline INC-3`) or type");
    REQUIRE(h.run("resolve INC-3", "U1").ok);
    check_refused(h, "show", "C0", "`/incident show INC-1`");

    for (std::string cmd : {"ack INC-0", "ack inc-0", "ack 0", "show INC-00", "resolve INC-0 fixed",
                            "commander INC-0 me"})
        check_refused(h, cmd, "C0", "INC-0");
    check_refused(h, "ack INC-0", "C0", "INC-0 does not exist");
    check_refused(h, "show INC-99999999999999999999", "C0", "INC-99999999999999999999 does not exist");
    // In an incident's channel a bare 0 starting a note is its text.
    auto chan = inc_of(h, 1).channel_name;
    REQUIRE(h.run("note 0 errors since the rollback", "U1", chan).ok);
    CHECK(h.store.entries.back().text == "0 errors since the rollback");
}

TEST_CASE("channel names are built from the text people see, not Slack's markup") {
    engine_harness h(default_settings(), t0);
    const std::string title =
        "<!channel> API <!here> is down <!subteam^S123|@oncall> <@U999> <#C123|general>";
    auto d = h.run("declare P2 " + title);
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).channel_name == "incident-20261123-api-is-down-oncall-general");
    CHECK(inc_of(h, 1).title == title);  // the title itself is kept as typed (and escaped when shown)
    REQUIRE(h.run("declare P2 <@U1|alice> sees <https://status.example.com|the status page> &amp; 500s").ok);
    CHECK(inc_of(h, 2).channel_name == "incident-20261123-alice-sees-the-status-page-500s");
    REQUIRE(h.run("declare P2 <!everyone> <@U1>").ok);
    CHECK(inc_of(h, 3).channel_name == "incident-20261123-inc-3");
}

TEST_CASE("possible duplicates are only similar incidents, at most three, most similar first") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 🔥🔥🔥").ok);
    REQUIRE(h.run("declare P1 checkout down").ok);
    auto d = h.run("declare P0 slow");
    REQUIRE(d.ok);
    CHECK_THAT(d.reply.text, !Contains("Possible duplicates"));

    REQUIRE(h.run("declare P2 payments API timeouts").ok);          // INC-4
    REQUIRE(h.run("declare P2 checkout payments failing").ok);      // INC-5
    REQUIRE(h.run("declare P3 search index stale").ok);             // INC-6
    REQUIRE(h.run("declare P2 checkout payment API errors").ok);    // INC-7
    d = h.run("declare P1 checkout payments API is down");
    REQUIRE(d.ok);
    const auto& r = d.reply.text;
    CHECK_THAT(r, Contains("Possible duplicates"));
    // INC-7 shares checkout, payment(s), API; INC-5 checkout and payments; INC-4 payments and API.
    CHECK_THAT(r, Contains("*INC-7*"));
    CHECK_THAT(r, Contains("*INC-5*"));
    CHECK_THAT(r, Contains("*INC-4*"));
    CHECK(r.find("*INC-7*") < r.find("*INC-5*"));
    CHECK(r.find("*INC-7*") < r.find("*INC-4*"));
    CHECK_THAT(r, !Contains("*INC-6*"));
    CHECK_THAT(r, !Contains("*INC-1*"));
    CHECK_THAT(r, !Contains("*INC-3*"));  // "slow" alone says nothing about checkout
    CHECK_THAT(r, Contains("and more"));   // INC-2 is similar too, but not shown

    // The same incident type makes two declarations similar, whatever their titles.
    REQUIRE(h.run("declare P2 type:database replica lag").ok);
    d = h.run("declare P2 type:database writes rejected");
    CHECK_THAT(d.reply.text, Contains("replica lag"));
}

TEST_CASE("a severity change says only what it arms and keeps the resolution target from declaration") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    REQUIRE(h.run("ack 1").ok);
    h.advance(minutes(30));
    auto d = h.run("severity 1 P0");
    REQUIRE(d.ok);
    auto own = all_posts_to(d, "");
    CHECK_THAT(own, !Contains("acknowledge"));
    CHECK_THAT(own, Contains("From now: post an update every 15m."));
    CHECK_THAT(own, Contains("Resolution target: 1h after declaration, due in 30m (2026-11-23 11:00 UTC)."));
    CHECK(inc_of(h, 1).due.resolve == t0 + hours(1));
    CHECK_FALSE(inc_of(h, 1).due.ack);

    // Unacknowledged, the acknowledgement clock is armed and said.
    REQUIRE(h.run("declare P2 search is slow").ok);
    d = h.run("sev 2 P1");
    CHECK_THAT(all_posts_to(d, ""), Contains("From now: acknowledge within 15m and post an update every 30m."));

    // The post-mortem and stats measure against that same target.
    h.advance(minutes(40));  // 1h 10m after INC-1's declaration
    REQUIRE(h.run("resolve 1").ok);
    CHECK_THAT(all_posts_to(h.run("postmortem 1"), ""), Contains("- Resolved in 1h 10m (target 1h): missed by 10m"));
    CHECK_THAT(h.run("stats").reply.text, Contains("MTTR 1h 10m (target 1h, met 0/1)"));
}

TEST_CASE("a downgrade keeps the resolution target from declaration, a missed one is not escalated twice") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P0 checkout is down").ok);
    REQUIRE(h.run("ack 1").ok);
    h.advance(minutes(90));  // P0's 1h target was missed and escalated
    CHECK_FALSE(inc_of(h, 1).due.resolve);
    auto d = h.run("sev 1 P1");
    REQUIRE(d.ok);
    CHECK(inc_of(h, 1).due.resolve == t0 + hours(4));
    CHECK_THAT(all_posts_to(d, ""), Contains("Resolution target: 4h after declaration, due in 2h 30m"));
    d = h.run("sev 1 P0");  // back up: that target was missed and escalated already: not again
    CHECK_FALSE(inc_of(h, 1).due.resolve);
    CHECK_THAT(all_posts_to(d, ""), Contains("Resolution target: 1h after declaration, missed by 30m."));
}

TEST_CASE("words after a complete command are refused with its usage") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down").ok);
    check_refused(h, "tl 1 me extra words", "C0", "`extra words` is more than `tl` takes. Write it as `/incident tl [INC-n] &lt;person&gt;` (an @mention or `me`).");
    check_refused(h, "ack 1 now please", "C0", "Write it as `/incident ack [INC-n]`");
    check_refused(h, "severity 1 P0 now", "C0", "Write it as `/incident severity [INC-n] &lt;P0|P1|P2|P3&gt;`");
    check_refused(h, "status 1 mitigating quickly", "C0", "`/incident status [INC-n]");
    check_refused(h, "snooze 1 off now", "C0", "`/incident snooze [INC-n] off`");
    check_refused(h, "snooze 1 30m please", "C0", "snooze [INC-n] &lt;duration&gt;");
    check_refused(h, "show 1 everything", "C0", "`/incident show [INC-n]`");
    check_refused(h, "timeline 1 everything", "C0", "`/incident timeline [INC-n]` or `/incident timeline [INC-n] all`");
    check_refused(h, "timeline 1 all of it", "C0", "`of it` is more than `timeline` takes");
    check_refused(h, "postmortem 1 now", "C0", "`/incident postmortem [INC-n]`");
    check_refused(h, "stats 30d please", "C0", "stats [period]");
    const auto chan = inc_of(h, 1).channel_name;
    check_refused(h, "ack it", chan, "`it` is more than `ack` takes");
    REQUIRE(h.run("resolve 1").ok);
    check_refused(h, "reopen 1 please", "C0", "`/incident reopen [INC-n]`");
    // A duration may be written with a space, as people say it.
    REQUIRE(h.run("reopen 1").ok);
    REQUIRE(h.run("snooze 1 1h 30m").ok);
    CHECK(inc_of(h, 1).due.update == h.now + minutes(90));
}

TEST_CASE("a role goes to someone warroom knows is in the channel without another invite") {
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    auto invites = [](const decision& d) { return count_kind(d, action_kind::invite); };
    CHECK(invites(h.run("commander 1 me", "U1")) == 0);     // the declarer: the channel was made with them
    CHECK(invites(h.run("tl 1 <@U2>", "U1")) == 1);          // someone new
    CHECK(invites(h.run("scribe 1 <@U2>", "U1")) == 0);      // holds a role already
    CHECK(invites(h.run("tl 1 <@U3>", "U1")) == 1);
    CHECK(invites(h.run("comms 1 <@U2>", "U1")) == 0);      // still a holder
    REQUIRE(h.run("scribe 1 <@U4>", "U1").ok);
    CHECK(invites(h.run("scribe 1 <@U5>", "U1")) == 1);
    CHECK(invites(h.run("ops-lead 1 <@U4>", "U1")) == 0);   // invited before, for a role since given away
    auto& inc = h.store.incidents.at(1);
    inc.channel_id = "C100";
    observation joined;
    joined.what = observation::kind::member_joined;
    joined.user = "U6";
    joined.channel = "C100";
    h.store.apply(h.eng.observe(joined, h.store, h.now));
    CHECK(invites(h.run("commander 1 <@U6>", "U1")) == 0);  // their join was recorded
    // Acknowledging makes a commander of someone unknown only when none is set; on a new one, invited.
    REQUIRE(h.run("declare P1 search is down", "U1").ok);
    CHECK(invites(h.run("ack 2", "U8")) == 1);
}

// Pinned from the answers before each try was rendered and packed only once:
// the same number of items, the text and blocks as fit_text and blocks_for make them.
TEST_CASE("a long answer holds as many items as before, its blocks exactly blocks_for of its text") {
    auto count = [](const std::string& text, std::string_view marker) {
        std::size_t n = 0;
        for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) ++n;
        return n;
    };
    engine_harness h(default_settings(), t0);
    REQUIRE(h.run("declare P1 checkout is down", "U1").ok);
    add_notes(h, 1, 5000);
    auto timeline = h.run("timeline INC-1", "U9").reply;
    CHECK(count(timeline.text, "\n`") == 113);
    CHECK(timeline.blocks_json == warroom::templates::blocks_for(timeline.text));
    CHECK(warroom::templates::fits_in_blocks(timeline.text));

    engine_harness many(default_settings(), t0);
    for (int i = 0; i < 402; ++i)
        REQUIRE(many.run("declare P" + std::to_string(i % 4) + " service " + std::to_string(i) +
                         " returns errors for some customers in eu-west").ok);
    auto list = many.run("list", "U9").reply;
    CHECK(count(list.text, "\n• ") == 65);
    CHECK(list.blocks_json == warroom::templates::blocks_for(list.text));
    CHECK(warroom::templates::fits_in_blocks(list.text));
}
