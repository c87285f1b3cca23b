// Which deliveries to /pagerduty/webhook and /opsgenie/webhook are believed:
// signed with a configured secret (any of several), fresh, about an incident
// of this install. Everything else is refused or ignored, and says why.
#include "bot/paging/answer_check.hpp"
#include "bot/paging/hmac.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace warroom::paging;
using Catch::Matchers::Contains;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

namespace {

// 2026-12-01T04:02:00Z
const std::chrono::sys_seconds occurred = sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours{4} + minutes{2};

std::string pd_body(const std::string& key, const std::string& occurred_at = "2026-12-01T04:02:00.000Z",
                    const std::string& type = "incident.acknowledged") {
    return R"({"event":{"id":"01DEN2HVFA0R7BZYHXB2V4R2DN","event_type":")" + type +
           R"(","resource_type":"incident","occurred_at":")" + occurred_at +
           R"(","agent":{"id":"PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},)"
           R"("data":{"id":"PGR0VU2","type":"incident","incident_key":")" + key + R"("}}})";
}

std::string og_body(const std::string& alias, long long updated_ns) {
    return R"({"action":"Close","alert":{"alertId":"70413a06","alias":")" + alias +
           R"(","username":"alice@example.com","updatedAt":)" + std::to_string(updated_ns) + "}}";
}

std::string sign(const std::string& secret, const std::string& body) { return "v1=" + hmac_sha256_hex(secret, body); }

pager_target pager(pager_kind kind, std::string webhook_secret) {
    pager_target p;
    p.name = "p";
    p.kind = kind;
    p.webhook_secret = std::move(webhook_secret);
    return p;
}

}  // namespace

TEST_CASE("PagerDuty answer: signed by any configured secret, fresh, ours: accepted with its incident") {
    const std::vector<std::string> secrets{"first-subscription", "second-subscription"};
    auto body = pd_body("warroom-T111-INC-42");
    auto v = check_pagerduty_answer(secrets, sign("second-subscription", body), body, "T111", occurred + minutes(1));
    REQUIRE(v.status == answer_verdict::accepted);
    CHECK(v.incident == 42);
    CHECK(v.answer.by == "Tenex Engineer");
    CHECK(v.answer.event_id == "01DEN2HVFA0R7BZYHXB2V4R2DN");
    CHECK(v.answer.occurred_at == occurred);
    // During PagerDuty's rotation the header carries one signature per secret.
    auto rotating = sign("retired", body) + ", " + sign("first-subscription", body);
    CHECK(check_pagerduty_answer(secrets, rotating, body, "T111", occurred).status == answer_verdict::accepted);
}

TEST_CASE("PagerDuty answer: forged, unsigned, tampered or unconfigured: refused, saying why without secrets") {
    const std::vector<std::string> secrets{"pd-secret"};
    auto body = pd_body("warroom-T111-INC-42");
    auto forged = check_pagerduty_answer(secrets, sign("guess", body), body, "T111", occurred);
    CHECK(forged.status == answer_verdict::refused);
    CHECK(forged.reason == "signature mismatch");
    CHECK(check_pagerduty_answer(secrets, "", body, "T111", occurred).reason == "missing signature header");
    CHECK(check_pagerduty_answer(secrets, "sha256=00", body, "T111", occurred).reason == "malformed signature header");
    CHECK(check_pagerduty_answer(secrets, sign("pd-secret", body), body + " ", "T111", occurred).status ==
          answer_verdict::refused);
    auto none = check_pagerduty_answer({}, sign("", body), body, "T111", occurred);
    CHECK(none.status == answer_verdict::refused);
    CHECK_THAT(none.reason, Contains("no PagerDuty pager has a webhook secret"));
    for (const auto& v : {forged, none}) CHECK_THAT(v.reason, !Contains("pd-secret"));
}

TEST_CASE("PagerDuty answer: an event more than 15 minutes from now either way is refused as stale") {
    const std::vector<std::string> secrets{"pd-secret"};
    auto body = pd_body("warroom-T111-INC-42");
    auto s = sign("pd-secret", body);
    CHECK(check_pagerduty_answer(secrets, s, body, "T111", occurred + minutes(15)).status == answer_verdict::accepted);
    CHECK(check_pagerduty_answer(secrets, s, body, "T111", occurred - minutes(15)).status == answer_verdict::accepted);
    auto late = check_pagerduty_answer(secrets, s, body, "T111", occurred + minutes(15) + seconds(1));
    CHECK(late.status == answer_verdict::refused);
    CHECK_THAT(late.reason, Contains("stale") && Contains("ago"));
    auto early = check_pagerduty_answer(secrets, s, body, "T111", occurred - minutes(16));
    CHECK(early.status == answer_verdict::refused);
    CHECK_THAT(early.reason, Contains("ahead"));
    // Offsets and fractions as RFC 3339 allows; no time at all cannot be judged fresh.
    auto offset = pd_body("warroom-T111-INC-42", "2026-12-01T05:02:00+01:00");
    CHECK(check_pagerduty_answer(secrets, sign("pd-secret", offset), offset, "T111", occurred).status ==
          answer_verdict::accepted);
    for (std::string bad : {"", "yesterday", "2026-12-01 04:02:00Z", "2026-13-01T04:02:00Z", "2026-12-01T04:02:00"}) {
        auto b = pd_body("warroom-T111-INC-42", bad);
        CHECK(check_pagerduty_answer(secrets, sign("pd-secret", b), b, "T111", occurred).status ==
              answer_verdict::refused);
    }
}

TEST_CASE("PagerDuty answer: verified but not ours or not an answer: ignored, not its shape: malformed") {
    const std::vector<std::string> secrets{"pd-secret"};
    for (std::string key : {"warroom-T222-INC-42", "srv01/mysql", "warroom-T111-INC-x"}) {
        auto b = pd_body(key);
        auto v = check_pagerduty_answer(secrets, sign("pd-secret", b), b, "T111", occurred);
        CHECK(v.status == answer_verdict::ignored);
        CHECK_THAT(v.reason, Contains("not opened by this warroom"));
    }
    auto triggered = pd_body("warroom-T111-INC-42", "2026-12-01T04:02:00Z", "incident.triggered");
    CHECK(check_pagerduty_answer(secrets, sign("pd-secret", triggered), triggered, "T111", occurred).status ==
          answer_verdict::ignored);
    std::string junk = R"({"messages":[]})";
    CHECK(check_pagerduty_answer(secrets, sign("pd-secret", junk), junk, "T111", occurred).status ==
          answer_verdict::malformed);
    // Unsigned junk is refused before it is read.
    CHECK(check_pagerduty_answer(secrets, sign("x", junk), junk, "T111", occurred).status == answer_verdict::refused);
}

TEST_CASE("Opsgenie answer: the shared secret header, any of the configured ones, updatedAt in nanoseconds") {
    const std::vector<std::string> secrets{"og-old", "og-new"};
    const long long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(occurred.time_since_epoch()).count();
    auto body = og_body("warroom-T111-INC-7", ns);
    auto v = check_opsgenie_answer(secrets, "og-new", body, "T111", occurred + minutes(2));
    REQUIRE(v.status == answer_verdict::accepted);
    CHECK(v.incident == 7);
    CHECK(v.answer.kind == page_answer::resolved);
    CHECK(v.answer.occurred_at == occurred);
    CHECK_THAT(v.answer.event_id, Contains("70413a06:Close:"));
    CHECK(check_opsgenie_answer(secrets, "og-old", body, "T111", occurred).status == answer_verdict::accepted);
    CHECK(check_opsgenie_answer(secrets, "og-ne", body, "T111", occurred).status == answer_verdict::refused);
    CHECK(check_opsgenie_answer(secrets, "", body, "T111", occurred).reason == "missing signature header");
    CHECK(check_opsgenie_answer({}, "og-new", body, "T111", occurred).status == answer_verdict::refused);
    CHECK(check_opsgenie_answer(secrets, "og-new", body, "T111", occurred + minutes(16)).status ==
          answer_verdict::refused);
    // Milliseconds are read too.
    auto ms = og_body("warroom-T111-INC-7", ns / 1'000'000);
    CHECK(check_opsgenie_answer(secrets, "og-new", ms, "T111", occurred + minutes(16)).status ==
          answer_verdict::refused);
    CHECK(check_opsgenie_answer(secrets, "og-new", og_body("other-tool-alert", ns), "T111", occurred).status ==
          answer_verdict::ignored);
}

TEST_CASE("webhook secrets: every pager of the kind, each variable split at commas for a rotation") {
    std::vector<pager_target> pagers{pager(pager_kind::pagerduty, "pd-a"), pager(pager_kind::opsgenie, "og-new, og-old"),
                                     pager(pager_kind::pagerduty, ""), pager(pager_kind::pagerduty, "pd-b,")};
    CHECK(webhook_secrets(pagers, pager_kind::pagerduty) == std::vector<std::string>{"pd-a", "pd-b"});
    CHECK(webhook_secrets(pagers, pager_kind::opsgenie) == std::vector<std::string>{"og-new", "og-old"});
    CHECK(webhook_secrets(pagers, pager_kind::webhook).empty());
}
