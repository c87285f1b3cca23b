// Paging as PagerDuty, Opsgenie and a webhook receiver see it: the bodies
// checked against the vendors' documented rules (the same rules
// tests/support/fake_pagerduty.py and fake_opsgenie.py enforce), what their
// answers mean for the outbox, the signatures both ways, the answers coming
// back, and the [[pagers]] config as an operator writes it.
#include "bot/config.hpp"
#include "bot/paging/hmac.hpp"
#include "bot/paging/inbound.hpp"
#include "bot/paging/opsgenie.hpp"
#include "bot/paging/pager_config.hpp"
#include "bot/paging/pagerduty.hpp"
#include "bot/paging/result.hpp"
#include "bot/paging/webhook.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace warroom;
using namespace warroom::paging;
using Catch::Matchers::Contains;
using json = nlohmann::json;
using std::chrono::seconds;

namespace {

const std::string routing_key = "0123456789abcdef0123456789abcdef";  // 32, as PagerDuty's are
const std::chrono::sys_seconds t0{seconds(1'764'561'600)};             // 2025-12-01T04:00:00Z

page_event incident(page_action action = page_action::trigger) {
    page_event e;
    e.number = 42;
    e.title = "checkout is down";
    e.severity = "P1";
    e.severity_rank = 1;
    e.action = action;
    e.channel_url = "https://slack.com/app_redirect?channel=C0INC42";
    e.commander = "U0ALICE";
    e.actor = "U0BOB";
    e.install = "T111";
    e.at = t0;
    return e;
}

pager_target target(pager_kind kind) {
    pager_target t;
    t.name = "payments-oncall";
    t.kind = kind;
    t.secret = kind == pager_kind::pagerduty ? routing_key : "genie-or-webhook-secret";
    t.url = kind == pager_kind::pagerduty  ? "https://events.pagerduty.com"
            : kind == pager_kind::opsgenie ? "https://api.opsgenie.com"
                                           : "https://hooks.example.com/warroom";
    return t;
}

std::size_t chars(const std::string& s) {  // code points, as the vendors count
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// PagerDuty's Events API v2 rules (PagerDuty/api-schema,
// reference/events-v2/openapiv3.json, and the documented limits), as
// fake_pagerduty.py checks them. Empty: accepted.
std::vector<std::string> pagerduty_errors(const json& b) {
    std::vector<std::string> e;
    if (!b.is_object()) return {"not an object"};
    if (!b.contains("routing_key") || !b["routing_key"].is_string() || b["routing_key"].get<std::string>().size() != 32)
        e.push_back("routing_key must be 32 characters");
    static const std::set<std::string> actions = {"trigger", "acknowledge", "resolve"};
    std::string action = b.value("event_action", "");
    if (!actions.count(action)) e.push_back("event_action");
    if (b.contains("dedup_key") && (!b["dedup_key"].is_string() || chars(b["dedup_key"]) > 255)) e.push_back("dedup_key");
    if (action != "trigger" && !b.contains("dedup_key")) e.push_back("dedup_key required");
    if (action == "trigger") {
        if (!b.contains("payload") || !b["payload"].is_object()) {
            e.push_back("payload required");
        } else {
            const auto& p = b["payload"];
            for (const char* k : {"summary", "source", "severity"})
                if (!p.contains(k) || !p[k].is_string() || p[k].get<std::string>().empty())
                    e.push_back(std::string("payload.") + k);
            if (p.contains("summary") && chars(p["summary"]) > 1024) e.push_back("summary > 1024");
            static const std::set<std::string> sev = {"critical", "error", "warning", "info"};
            if (!sev.count(p.value("severity", ""))) e.push_back("payload.severity enum");
            if (p.contains("custom_details") && !p["custom_details"].is_object()) e.push_back("custom_details");
        }
    }
    if (b.contains("links"))
        for (const auto& l : b["links"])
            if (!l.contains("href") || !l["href"].is_string()) e.push_back("links[].href");
    static const std::set<std::string> known = {"routing_key", "event_action", "dedup_key", "payload",
                                                "client", "client_url", "links", "images"};
    for (const auto& [k, v] : b.items())
        if (!known.count(k)) e.push_back("unknown field " + k);
    return e;
}

// Opsgenie's Alert API limits, as fake_opsgenie.py checks them.
std::vector<std::string> opsgenie_create_errors(const json& b) {
    std::vector<std::string> e;
    if (!b.contains("message") || !b["message"].is_string() || b["message"].get<std::string>().empty())
        e.push_back("message required");
    else if (chars(b["message"]) > 130)
        e.push_back("message > 130");
    if (b.contains("alias") && chars(b["alias"]) > 512) e.push_back("alias > 512");
    if (b.contains("description") && chars(b["description"]) > 15000) e.push_back("description > 15000");
    static const std::set<std::string> prio = {"P1", "P2", "P3", "P4", "P5"};
    if (b.contains("priority") && !prio.count(b["priority"].get<std::string>())) e.push_back("priority");
    if (b.contains("details"))
        for (const auto& [k, v] : b["details"].items())
            if (!v.is_string()) e.push_back("details." + k + " is not a string");
    for (const char* k : {"user", "source"})
        if (b.contains(k) && chars(b[k]) > 100) e.push_back(std::string(k) + " > 100");
    if (b.contains("tags"))
        for (const auto& t : b["tags"])
            if (!t.is_string() || chars(t) > 50) e.push_back("tag > 50");
    return e;
}

std::string error_of(const std::string& toml) {
    std::vector<commands::severity_def> sevs = commands::default_settings().severities;
    try {
        auto pagers = parse_pagers(toml, "team.toml");
        route_severities(pagers, sevs, "team.toml");
    } catch (const pager_config_error& e) {
        return e.what();
    }
    return "";
}

env_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
}

const std::string three_pagers = R"(
[[pagers]]
name = "payments-oncall"
kind = "pagerduty"
routing_key_env = "PD_PAYMENTS_KEY"
webhook_secret_env = "PD_WEBHOOK_SECRET"

[[pagers]]
name = "platform"
kind = "opsgenie"
api_key_env = "OPSGENIE_KEY"
region = "eu"

[[pagers]]
name = "teams-bridge"
kind = "webhook"
url = "https://hooks.example.com/warroom/"
secret_env = "BRIDGE_SECRET"
)";

}  // namespace

// -- PagerDuty --------------------------------------------------------------------------------------

TEST_CASE("PagerDuty: a trigger is a valid enqueue body that links back to the channel") {
    auto r = pagerduty_request(target(pager_kind::pagerduty), incident());
    CHECK(r.method == "POST");
    CHECK(r.url == "https://events.pagerduty.com/v2/enqueue");
    auto b = json::parse(r.body);
    CHECK(pagerduty_errors(b).empty());
    CHECK(b["routing_key"] == routing_key);
    CHECK(b["event_action"] == "trigger");
    CHECK(b["dedup_key"] == "warroom-T111-INC-42");
    CHECK(b["payload"]["summary"] == "INC-42 [P1] checkout is down");
    CHECK(b["payload"]["severity"] == "error");
    CHECK(b["payload"]["source"] == "warroom");
    CHECK(b["payload"]["timestamp"] == "2025-12-01T04:00:00Z");
    CHECK(b["payload"]["custom_details"]["commander"] == "U0ALICE");
    REQUIRE(b["links"].size() == 1);
    CHECK(b["links"][0]["href"] == "https://slack.com/app_redirect?channel=C0INC42");
}

TEST_CASE("PagerDuty: acknowledge and resolve name the same alert, and nothing else") {
    auto trigger = json::parse(pagerduty_body(incident(), routing_key, "warroom"));
    for (auto action : {page_action::acknowledge, page_action::resolve}) {
        auto b = json::parse(pagerduty_body(incident(action), routing_key, "warroom"));
        CHECK(pagerduty_errors(b).empty());
        CHECK(b["event_action"] == std::string(to_string(action)));
        CHECK(b["dedup_key"] == trigger["dedup_key"]);
        CHECK_FALSE(b.contains("payload"));
    }
}

TEST_CASE("PagerDuty: the dedup key is the incident's, the same across retries, distinct across installs") {
    auto a = incident(), b = incident();
    b.at = t0 + seconds(3600);  // a retry an hour later
    b.title = "checkout is down (renamed)";
    CHECK(json::parse(pagerduty_body(a, routing_key, "w"))["dedup_key"] ==
          json::parse(pagerduty_body(b, routing_key, "w"))["dedup_key"]);
    b.install = "T222";
    CHECK(json::parse(pagerduty_body(a, routing_key, "w"))["dedup_key"] !=
          json::parse(pagerduty_body(b, routing_key, "w"))["dedup_key"]);
    CHECK(incident_of("warroom-T111-INC-42", "T111") == 42);
    CHECK(incident_of("warroom-T222-INC-42", "T111") == std::nullopt);
    CHECK(incident_of("warroom-T111-INC-042", "T111") == std::nullopt);
    CHECK(incident_of("warroom-T111-INC-", "T111") == std::nullopt);
    CHECK(incident_of("warroom-T111-INC-4x", "T111") == std::nullopt);
    CHECK(incident_of("srv01/mysql", "T111") == std::nullopt);
}

TEST_CASE("PagerDuty: severities map by rank onto the schema's enum") {
    CHECK(pagerduty_severity(0) == "critical");
    CHECK(pagerduty_severity(1) == "error");
    CHECK(pagerduty_severity(2) == "warning");
    CHECK(pagerduty_severity(3) == "info");
    CHECK(pagerduty_severity(9) == "info");
}

TEST_CASE("PagerDuty: a title of any length fits the 1024-character summary, cut on a character boundary") {
    auto e = incident();
    e.title.clear();
    for (int i = 0; i < 600; ++i) e.title += "é";  // 2 bytes each
    auto b = json::parse(pagerduty_body(e, routing_key, "warroom"));
    CHECK(pagerduty_errors(b).empty());
    auto s = b["payload"]["summary"].get<std::string>();
    CHECK(s.size() <= pagerduty_summary_max);
    CHECK(s.substr(s.size() - 3) == "\xE2\x80\xA6");
    CHECK(s.rfind("INC-42 [P1] é", 0) == 0);
}

TEST_CASE("PagerDuty: the validator the fake shares refuses what PagerDuty refuses") {
    auto good = json::parse(pagerduty_body(incident(), routing_key, "warroom"));
    auto bad = good;
    bad["routing_key"] = "short";
    CHECK_FALSE(pagerduty_errors(bad).empty());
    bad = good;
    bad["payload"]["severity"] = "P1";
    CHECK_FALSE(pagerduty_errors(bad).empty());
    bad = good;
    bad["event_action"] = "escalate";
    CHECK_FALSE(pagerduty_errors(bad).empty());
    bad = json::parse(pagerduty_body(incident(page_action::resolve), routing_key, "warroom"));
    bad.erase("dedup_key");
    CHECK_FALSE(pagerduty_errors(bad).empty());
}

// -- Opsgenie ---------------------------------------------------------------------------------------

TEST_CASE("Opsgenie: a trigger creates an alert whose alias is the incident's") {
    auto r = opsgenie_request(target(pager_kind::opsgenie), incident());
    CHECK(r.url == "https://api.opsgenie.com/v2/alerts");
    REQUIRE(r.header("authorization"));
    CHECK(*r.header("Authorization") == "GenieKey genie-or-webhook-secret");
    auto b = json::parse(r.body);
    CHECK(opsgenie_create_errors(b).empty());
    CHECK(b["message"] == "INC-42 [P1] checkout is down");
    CHECK(b["alias"] == "warroom-T111-INC-42");
    CHECK(b["priority"] == "P2");
    CHECK_THAT(b["description"].get<std::string>(), Contains("https://slack.com/app_redirect?channel=C0INC42"));
    CHECK(b["details"]["incident"] == "INC-42");
}

TEST_CASE("Opsgenie: acknowledge and close address the alert by alias") {
    auto ack = opsgenie_request(target(pager_kind::opsgenie), incident(page_action::acknowledge));
    CHECK(ack.url == "https://api.opsgenie.com/v2/alerts/warroom-T111-INC-42/acknowledge?identifierType=alias");
    auto close = opsgenie_request(target(pager_kind::opsgenie), incident(page_action::resolve));
    CHECK(close.url == "https://api.opsgenie.com/v2/alerts/warroom-T111-INC-42/close?identifierType=alias");
    auto b = json::parse(close.body);
    CHECK(b["user"] == "U0BOB");
    CHECK_FALSE(b.contains("message"));
    // An install name with characters a path cannot hold is escaped, not sent raw.
    auto e = incident(page_action::acknowledge);
    e.install = "team a/b";
    CHECK_THAT(opsgenie_request(target(pager_kind::opsgenie), e).url, Contains("/v2/alerts/warroom-team%20a%2Fb-INC-42/"));
}

TEST_CASE("Opsgenie: a long title fits the 130-character message, priorities P1 to P5") {
    auto e = incident();
    e.title = std::string(300, 'x');
    auto b = json::parse(opsgenie_body(e));
    CHECK(opsgenie_create_errors(b).empty());
    CHECK(chars(b["message"]) <= 130);
    CHECK(opsgenie_priority(0) == "P1");
    CHECK(opsgenie_priority(4) == "P5");
    CHECK(opsgenie_priority(12) == "P5");
}

// -- Outgoing webhook -------------------------------------------------------------------------------

TEST_CASE("webhook: one versioned document per event, signed over timestamp and body") {
    webhook_event ev;
    ev.kind = incident_event_kind::severity_changed;
    ev.id = "evt-7";
    ev.state = "acknowledged";
    ev.incident = incident();
    ev.details = {{"from", "P2"}, {"to", "P1"}};
    auto r = webhook_request(target(pager_kind::webhook), ev, t0);
    CHECK(r.url == "https://hooks.example.com/warroom");
    auto doc = json::parse(r.body);
    CHECK(doc["schema_version"] == 1);
    CHECK(doc["event"] == "incident.severity_changed");
    CHECK(doc["id"] == "evt-7");
    CHECK(doc["incident"]["id"] == "INC-42");
    CHECK(doc["incident"]["state"] == "acknowledged");
    CHECK(doc["details"]["from"] == "P2");
    CHECK(doc["occurred_at"] == "2025-12-01T04:00:00Z");
    REQUIRE(r.header("X-Warroom-Signature"));
    const auto& sig = *r.header("X-Warroom-Signature");
    CHECK(sig.rfind("t=1764561600,v1=", 0) == 0);
    CHECK(sig == "t=1764561600,v1=" + hmac_sha256_hex("genie-or-webhook-secret", "1764561600." + r.body));
    CHECK(verify_webhook("genie-or-webhook-secret", sig, r.body, t0 + seconds(10)) == signature_verdict::ok);
    CHECK(*r.header("X-Warroom-Event") == "incident.severity_changed");
}

TEST_CASE("webhook: every event kind has its own name") {
    std::set<std::string> names;
    for (auto k : {incident_event_kind::declared, incident_event_kind::acknowledged,
                   incident_event_kind::severity_changed, incident_event_kind::role_assigned,
                   incident_event_kind::update_posted, incident_event_kind::resolved, incident_event_kind::reopened})
        names.insert(event_name(k));
    CHECK(names.size() == 7);
    CHECK(names.count("incident.reopened"));
}

TEST_CASE("webhook: the receiver's check refuses tampering, stale or future timestamps and wrong secrets") {
    const std::string body = R"({"schema_version":1})";
    const auto sig = webhook_signature("s3cret", t0, body);
    CHECK(verify_webhook("s3cret", sig, body, t0) == signature_verdict::ok);
    CHECK(verify_webhook("s3cret", sig, body + " ", t0) == signature_verdict::bad_signature);
    CHECK(verify_webhook("other", sig, body, t0) == signature_verdict::bad_signature);
    CHECK(verify_webhook("", sig, body, t0) == signature_verdict::bad_signature);
    CHECK(verify_webhook("s3cret", sig, body, t0 + seconds(300)) == signature_verdict::ok);
    CHECK(verify_webhook("s3cret", sig, body, t0 + seconds(301)) == signature_verdict::stale);
    CHECK(verify_webhook("s3cret", sig, body, t0 - seconds(301)) == signature_verdict::stale);
    CHECK(verify_webhook("s3cret", "", body, t0) == signature_verdict::missing);
    CHECK(verify_webhook("s3cret", "v1=abc", body, t0) == signature_verdict::malformed);
    CHECK(verify_webhook("s3cret", "t=-5,v1=abc", body, t0) == signature_verdict::malformed);
    CHECK(verify_webhook("s3cret", "t=1764561600", body, t0) == signature_verdict::malformed);
    // A replay with a new timestamp but the old signature does not verify.
    auto replay = "t=1764561900," + sig.substr(sig.find("v1="));
    CHECK(verify_webhook("s3cret", replay, body, t0 + seconds(300)) == signature_verdict::bad_signature);
}

TEST_CASE("webhook: during a rotation either secret's signature is accepted") {
    const std::string body = "{}";
    auto old_sig = webhook_signature("old", t0, body);
    auto new_sig = webhook_signature("new", t0, body);
    auto both = old_sig + "," + new_sig.substr(new_sig.find("v1="));
    CHECK(verify_webhook("old", both, body, t0) == signature_verdict::ok);
    CHECK(verify_webhook("new", both, body, t0) == signature_verdict::ok);
    CHECK(verify_webhook("neither", both, body, t0) == signature_verdict::bad_signature);
}

// -- Answers: what the outbox does with them -------------------------------------------------------

TEST_CASE("classify: 2xx delivered, 429, 5xx and no answer retry, refusals are dead with the vendor's words") {
    CHECK(classify(pager_kind::pagerduty, {202, R"({"status":"success","message":"Event processed"})", "", ""}).kind ==
          page_result::delivered);
    CHECK(classify(pager_kind::webhook, {204, "", "", ""}).kind == page_result::delivered);

    auto limited = classify(pager_kind::pagerduty, {429, "", "30", ""});
    CHECK(limited.kind == page_result::retry);
    CHECK(limited.retry_after == seconds(30));
    CHECK(classify(pager_kind::opsgenie, {429, "", "", ""}).retry_after == std::nullopt);
    CHECK(classify(pager_kind::opsgenie, {429, "", "Wed, 21 Oct 2026 07:28:00 GMT", ""}).retry_after == std::nullopt);
    CHECK(classify(pager_kind::opsgenie, {429, "", "999999", ""}).retry_after == seconds(3600));
    CHECK(classify(pager_kind::pagerduty, {500, "<html>oops</html>", "", ""}).kind == page_result::retry);
    CHECK(classify(pager_kind::pagerduty, {503, "", "5", ""}).retry_after == seconds(5));
    auto hung = classify(pager_kind::pagerduty, {0, "", "", "timeout"});
    CHECK(hung.kind == page_result::retry);
    CHECK(hung.error == "pagerduty: no answer: timeout");

    auto refused = classify(pager_kind::pagerduty,
                            {400,
                             R"({"status":"invalid event","message":"Event object is invalid",)"
                             R"j("errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]})j",
                             "", ""});
    CHECK(refused.kind == page_result::dead);
    CHECK(refused.error ==
          "pagerduty: 400 invalid event: Event object is invalid (Length of 'routing_key' is incorrect "
          "(should be 32 characters))");
    auto og = classify(pager_kind::opsgenie,
                       {422, R"({"message":"Request body is not processable","errors":{"message":"Message can not be empty."}})",
                        "", ""});
    CHECK(og.kind == page_result::dead);
    CHECK_THAT(og.error, Contains("Message can not be empty."));
    for (int status : {401, 403, 404, 301})
        CHECK(classify(pager_kind::webhook, {status, "", "", ""}).kind == page_result::dead);
}

// -- Inbound: pages answered on the vendor's side ---------------------------------------------------

TEST_CASE("PagerDuty webhook v3: an acknowledgement names the incident's key and who acked") {
    auto r = parse_pagerduty_webhook(R"({"event":{"id":"01DEN2HVFA0R7BZYHXB2V4R2DN",
        "event_type":"incident.acknowledged","resource_type":"incident","occurred_at":"2025-12-01T04:02:00Z",
        "agent":{"id":"PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},
        "data":{"id":"PGR0VU2","type":"incident","number":2,"status":"acknowledged",
                "incident_key":"warroom-T111-INC-42","title":"INC-42 [P1] checkout is down"}}})");
    REQUIRE(r.status == inbound_result::answered);
    CHECK(r.answer.kind == page_answer::acknowledged);
    CHECK(r.answer.key == "warroom-T111-INC-42");
    CHECK(r.answer.by == "Tenex Engineer");
    CHECK(r.answer.provider == "PagerDuty");
    CHECK(r.answer.event_id == "01DEN2HVFA0R7BZYHXB2V4R2DN");
    CHECK(incident_of(r.answer.key, "T111") == 42);

    auto resolved = parse_pagerduty_webhook(
        R"({"event":{"id":"E2","event_type":"incident.resolved","agent":null,"data":{"incident_key":"k"}}})");
    REQUIRE(resolved.status == inbound_result::answered);
    CHECK(resolved.answer.kind == page_answer::resolved);
    CHECK(resolved.answer.by == "PagerDuty");  // auto-resolved: nobody to name
}

TEST_CASE("PagerDuty webhook v3: other events are ignored, other shapes invalid") {
    CHECK(parse_pagerduty_webhook(R"({"event":{"event_type":"incident.triggered","data":{"incident_key":"k"}}})").status ==
          inbound_result::ignored);
    CHECK(parse_pagerduty_webhook(R"({"event":{"event_type":"pagey.ping","data":{}}})").status == inbound_result::ignored);
    CHECK(parse_pagerduty_webhook(R"({"event":{"event_type":"incident.acknowledged","data":{}}})").status ==
          inbound_result::ignored);
    CHECK(parse_pagerduty_webhook(R"({"messages":[]})").status == inbound_result::invalid);  // webhooks v2
    CHECK(parse_pagerduty_webhook("not json").status == inbound_result::invalid);
    CHECK(parse_pagerduty_webhook("[]").status == inbound_result::invalid);
    CHECK(parse_pagerduty_webhook(R"({"event":{"event_type":7}})").status == inbound_result::invalid);
}

TEST_CASE("Opsgenie webhook: Acknowledge and Close answer the alert by alias") {
    auto r = parse_opsgenie_webhook(R"({"action":"Acknowledge","alert":{"alertId":"70413a06",
        "message":"INC-42 [P1] checkout is down","alias":"warroom-T111-INC-42","username":"alice@example.com"},
        "source":{"name":"","type":"mobile"},"integrationName":"warroom"})");
    REQUIRE(r.status == inbound_result::answered);
    CHECK(r.answer.kind == page_answer::acknowledged);
    CHECK(r.answer.key == "warroom-T111-INC-42");
    CHECK(r.answer.by == "alice@example.com");
    CHECK(r.answer.provider == "Opsgenie");
    auto close = parse_opsgenie_webhook(R"({"action":"Close","alert":{"alertId":"70413a06","alias":"a"}})");
    REQUIRE(close.status == inbound_result::answered);
    CHECK(close.answer.kind == page_answer::resolved);
    CHECK(close.answer.event_id != r.answer.event_id);
    CHECK(parse_opsgenie_webhook(R"({"action":"AddNote","alert":{"alias":"a"}})").status == inbound_result::ignored);
    CHECK(parse_opsgenie_webhook(R"({"action":"Close","alert":{}})").status == inbound_result::ignored);
    CHECK(parse_opsgenie_webhook(R"({"alert":{"alias":"a"}})").status == inbound_result::invalid);
}

TEST_CASE("PagerDuty signature: v1 HMAC of the raw body, any of several during rotation") {
    const std::string body = R"({"event":{"event_type":"incident.acknowledged"}})";
    const auto mine = "v1=" + hmac_sha256_hex("pd-secret", body);
    const auto other = "v1=" + hmac_sha256_hex("rotated-away", body);
    CHECK(verify_pagerduty_signature("pd-secret", mine, body) == signature_verdict::ok);
    CHECK(verify_pagerduty_signature("pd-secret", other + "," + mine, body) == signature_verdict::ok);
    CHECK(verify_pagerduty_signature("pd-secret", other, body) == signature_verdict::bad_signature);
    CHECK(verify_pagerduty_signature("pd-secret", mine, body + "x") == signature_verdict::bad_signature);
    CHECK(verify_pagerduty_signature("", mine, body) == signature_verdict::bad_signature);
    CHECK(verify_pagerduty_signature("pd-secret", "", body) == signature_verdict::missing);
    CHECK(verify_pagerduty_signature("pd-secret", "sha256=abc", body) == signature_verdict::malformed);
    CHECK(verify_pagerduty_signature("pd-secret", "v1=" + mine.substr(3, 10), body) == signature_verdict::bad_signature);
}

TEST_CASE("Opsgenie shared secret: equal or refused, and an unset secret refuses everything") {
    CHECK(verify_shared_secret("og-secret", "og-secret") == signature_verdict::ok);
    CHECK(verify_shared_secret("og-secret", "og-secreT") == signature_verdict::bad_signature);
    CHECK(verify_shared_secret("og-secret", "og-secret ") == signature_verdict::bad_signature);
    CHECK(verify_shared_secret("og-secret", "") == signature_verdict::missing);
    CHECK(verify_shared_secret("", "anything") == signature_verdict::bad_signature);
}

// -- Config -----------------------------------------------------------------------------------------

TEST_CASE("[[pagers]]: one per provider, with defaults and the region's base URL") {
    auto pagers = parse_pagers(three_pagers, "team.toml");
    REQUIRE(pagers.size() == 3);
    CHECK(pagers[0].kind == pager_kind::pagerduty);
    CHECK(pagers[0].secret_env == "PD_PAYMENTS_KEY");
    CHECK(pagers[0].webhook_secret_env == "PD_WEBHOOK_SECRET");
    CHECK(pagers[0].url == "https://events.pagerduty.com");
    CHECK(pagers[1].kind == pager_kind::opsgenie);
    CHECK(pagers[1].url == "https://api.eu.opsgenie.com");
    CHECK(pagers[2].url == "https://hooks.example.com/warroom");
    CHECK(parse_pagers("[[pagers]]\nname=\"o\"\nkind=\"opsgenie\"\napi_key_env=\"K\"\n", "t")[0].url ==
          "https://api.opsgenie.com");
    CHECK(parse_pagers("[[pagers]]\nname=\"p\"\nkind=\"pagerduty\"\nrouting_key_env=\"K\"\n"
                       "base_url=\"http://127.0.0.1:9000/\"\n",
                       "t")[0]
              .url == "http://127.0.0.1:9000");
    CHECK(parse_pagers("", "t").empty());
}

TEST_CASE("[[pagers]] errors name the file, the key and what was expected") {
    CHECK_THAT(error_of("[[pagers]]\nname=\"x\"\nkind=\"pagerduty\"\n"),
               Contains("team.toml: pagers[0].routing_key_env: expected a non-empty string"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"x\"\nkind=\"pagerduty\"\nrouting_key_env=\"0123456789abcdef0123456789abcdef\"\n"),
               Contains("the NAME of an environment variable"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"x\"\nkind=\"pagerduty\"\nrouting_key=\"abc\"\n"),
               Contains("pagers[0].routing_key: expected no such key") && Contains("routing_key_env"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"x\"\nkind=\"slack\"\n"),
               Contains("pagers[0].kind: expected \"pagerduty\", \"opsgenie\" or \"webhook\""));
    CHECK_THAT(error_of("[[pagers]]\nname=\"Payments\"\nkind=\"webhook\"\n"), Contains("pagers[0].name") && Contains("lowercase"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"o\"\nkind=\"opsgenie\"\napi_key_env=\"K\"\nregion=\"ap\"\n"),
               Contains("pagers[0].region") && Contains("(line 5)"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"o\"\nkind=\"opsgenie\"\napi_key_env=\"K\"\nregion=\"eu\"\nbase_url=\"https://x\"\n"),
               Contains("either region or base_url"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"w\"\nkind=\"webhook\"\nurl=\"hooks.example.com\"\nsecret_env=\"S\"\n"),
               Contains("pagers[0].url: expected a URL starting with https://"));
    CHECK_THAT(error_of("[[pagers]]\nname=\"w\"\nkind=\"webhook\"\nurl=\"https://a\"\nsecret_env=\"S\"\n"
                        "[[pagers]]\nname=\"w\"\nkind=\"webhook\"\nurl=\"https://b\"\nsecret_env=\"S\"\n"),
               Contains("pagers[1].name") && Contains("used twice"));
    CHECK_THAT(error_of("pagers = \"pd\"\n"), Contains("pagers: expected a list of tables written [[pagers]]"));
}

TEST_CASE("a severity's page list names pagers beside Slack groups, a typo is refused") {
    std::vector<commands::severity_def> sevs(2);
    sevs[0].name = "P0";
    sevs[0].page = {"S0ONCALL", "payments-oncall", "teams-bridge"};
    sevs[0].page_on_declare = true;
    sevs[1].name = "P1";
    sevs[1].page = {"U0BOSS"};
    auto pagers = parse_pagers(three_pagers, "team.toml");
    route_severities(pagers, sevs, "team.toml");
    CHECK(sevs[0].page == std::vector<std::string>{"S0ONCALL"});  // what the Slack mention is built from
    CHECK(sevs[0].pagers == std::vector<std::string>{"payments-oncall", "teams-bridge"});
    CHECK(sevs[1].pagers.empty());

    std::vector<commands::severity_def> typo(1);
    typo[0].name = "P0";
    typo[0].page = {"payments-oncal"};
    CHECK_THROWS_WITH(route_severities(pagers, typo, "team.toml"),
                      Contains("severity P0: page") && Contains("\"payments-oncal\"") && Contains("\"payments-oncall\""));
    std::vector<commands::severity_def> nothing_to_page(1);
    nothing_to_page[0].name = "P0";
    nothing_to_page[0].page = {"S0ONCALL"};
    nothing_to_page[0].page_on_declare = true;
    CHECK_THROWS_WITH(route_severities(pagers, nothing_to_page, "team.toml"), Contains("page_on_declare"));
}

TEST_CASE("load_config: pagers read with their secrets, check-config names what is missing and never a value") {
    auto path = (std::filesystem::temp_directory_path() / "warroom_paging_test.toml").string();
    std::ofstream(path) << three_pagers << R"(
[[severities]]
name = "SEV-1"
ack_within = "5m"
resolve_within = "1h"
page = ["S0ONCALL", "payments-oncall"]
page_on_declare = true
[[severities]]
name = "SEV-2"
ack_within = "15m"
resolve_within = "4h"
)";
    auto c = bot::load_config({path, std::nullopt},
                              env_of({{"PD_PAYMENTS_KEY", routing_key}, {"BRIDGE_SECRET", "bridge-very-secret"}}));
    REQUIRE(c.pagers.size() == 3);
    CHECK(c.pagers[0].secret == routing_key);
    CHECK(c.pagers[1].secret.empty());
    CHECK(c.settings.severities[0].pagers == std::vector<std::string>{"payments-oncall"});
    CHECK(c.settings.severities[0].page == std::vector<std::string>{"S0ONCALL"});
    CHECK(c.settings.severities[0].page_on_declare);

    auto text = bot::describe(c);
    CHECK_THAT(text, !Contains(routing_key) && !Contains("bridge-very-secret"));
    CHECK_THAT(text, Contains("# warning: OPSGENIE_KEY is not set: pages to platform cannot be sent"));
    CHECK_THAT(text, Contains("# warning: PD_WEBHOOK_SECRET is not set: answers from payments-oncall will be refused"));
    CHECK_THAT(text, !Contains("PD_PAYMENTS_KEY is not set"));
    CHECK_THAT(text, Contains("routing_key_env = \"PD_PAYMENTS_KEY\"  # set (redacted)"));
    CHECK_THAT(text, Contains("api_key_env = \"OPSGENIE_KEY\"  # NOT SET"));
    CHECK_THAT(text, Contains("page = [\"S0ONCALL\", \"payments-oncall\"]\npage_on_declare = true"));

    // check-config's output is itself a valid config with the same pagers and routes.
    auto again_path = (std::filesystem::temp_directory_path() / "warroom_paging_test_described.toml").string();
    std::ofstream(again_path) << text;
    auto again = bot::load_config({again_path, std::nullopt},
                                  env_of({{"PD_PAYMENTS_KEY", routing_key}, {"BRIDGE_SECRET", "bridge-very-secret"}}));
    again.source = c.source;
    CHECK(bot::describe(again) == text);

    std::ofstream(path) << three_pagers << "[[severities]]\nname = \"SEV-1\"\nack_within = \"5m\"\n"
                        << "resolve_within = \"1h\"\npage = [\"payments\"]\n";
    CHECK_THROWS_AS(bot::load_config({path, std::nullopt}, env_of({})), bot::config_error);
    std::filesystem::remove(path);
    std::filesystem::remove(again_path);
}

TEST_CASE("a request says where it goes without what it carries") {
    auto r = opsgenie_request(target(pager_kind::opsgenie), incident(page_action::resolve));
    CHECK(describe(r) == "POST https://api.opsgenie.com/v2/alerts/warroom-T111-INC-42/close");
    auto pd = pagerduty_request(target(pager_kind::pagerduty), incident());
    CHECK_THAT(describe(pd), !Contains(routing_key));
}

TEST_CASE("the example file's commented pagers, uncommented, are one valid target per provider") {
    std::ifstream in(std::string(WARROOM_SOURCE_DIR) + "/deploy/warroom.example.toml");
    REQUIRE(in);
    std::string line, block;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line == "# [[pagers]]") inside = true;
        if (inside && line.rfind("# ", 0) == 0) block += line.substr(2) + "\n";
        else if (inside && line == "#") block += "\n";
    }
    auto pagers = parse_pagers(block, "warroom.example.toml");
    REQUIRE(pagers.size() == 3);
    CHECK(pagers[0].kind == pager_kind::pagerduty);
    CHECK(pagers[1].kind == pager_kind::opsgenie);
    CHECK(pagers[1].url == "https://api.opsgenie.com");
    CHECK(pagers[2].kind == pager_kind::webhook);
}

TEST_CASE("Opsgenie: a severity name longer than a tag may be is cut, not refused") {
    auto e = incident();
    e.severity = std::string(80, 'S');
    auto b = json::parse(opsgenie_body(e));
    CHECK(opsgenie_create_errors(b).empty());
    CHECK(chars(b["tags"][1]) <= 50);
}
