// The inbound pager webhooks (/pagerduty/webhook, /opsgenie/webhook) over
// arbitrary input: parse_pagerduty_webhook, parse_opsgenie_webhook, the
// signature checks and check_*_answer, which decide whether a request from
// the internet changes an incident. They must never crash or throw, and:
//   - accepted only with a secret configured, a header that verifies against
//     one of them, and (PagerDuty) an event time within the window; the
//     incident is the one the dedup key names for this install;
//   - a PagerDuty signature that verifies a body never verifies that body
//     changed (the HMAC covers every byte);
//   - no verdict's reason (it is logged) holds a secret the request did not carry in its body;
//   - ignored and invalid parses say why.
//
// Input: "vendor\nsecrets\nheader\nnow\nbody...". vendor: "pagerduty" or
// anything else (Opsgenie). secrets: comma-separated, as webhook_secret is.
// header: the signature or shared secret; "=sign" makes a valid one for the
// first secret (each secret gets a fixed suffix, so only "=sign" verifies), so the fuzzer reaches the parsing behind the check. now: Unix
// seconds. The body is the rest.
#include "bot/paging/answer_check.hpp"
#include "bot/paging/hmac.hpp"
#include "bot/paging/inbound.hpp"
#include "bot/paging/page_event.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace warroom::paging;

namespace {

constexpr std::string_view install = "T0FUZZ";
constexpr std::string_view secret_suffix = "~q7#";

void check_parse(const inbound_result& r) {
    if (r.status != inbound_result::answered && r.reason.empty()) fail("ignored or invalid without a reason");
    if (r.status == inbound_result::answered && (r.answer.key.empty() || r.answer.provider.empty()))
        fail("answered without a key or provider");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const bool pagerduty = next_line(in) == "pagerduty";
    const auto secrets_line = next_line(in);
    auto header = std::string(next_line(in));
    const auto now_text = next_line(in);
    const auto body = in;

    // Each secret ends in a suffix no fixed text holds, so finding one in a
    // reason is finding the secret, not a word it happens to share.
    std::vector<std::string> secrets;
    for (auto part : header_parts(secrets_line))
        if (!part.empty()) secrets.push_back(std::string(part) + std::string(secret_suffix));
    std::int64_t now_seconds = 0;
    std::from_chars(now_text.data(), now_text.data() + now_text.size(), now_seconds);
    const std::chrono::sys_seconds now{std::chrono::seconds{now_seconds}};
    if (header == "=sign" && !secrets.empty())
        header = pagerduty ? "v1=" + hmac_sha256_hex(secrets.front(), body) : secrets.front();

    const auto parsed = pagerduty ? parse_pagerduty_webhook(body) : parse_opsgenie_webhook(body);
    check_parse(parsed);
    const auto v = pagerduty ? check_pagerduty_answer(secrets, header, body, install, now)
                             : check_opsgenie_answer(secrets, header, body, install, now);

    bool verifies = false;
    for (const auto& s : secrets) {
        auto sig = pagerduty ? verify_pagerduty_signature(s, header, body) : verify_shared_secret(s, header);
        if (describe(sig).empty()) fail("describe() gave an empty text");
        if (sig != signature_verdict::ok) continue;
        verifies = true;
        if (s.empty()) fail("a signature verified against an empty secret");
        if (pagerduty) {
            std::string changed(body);
            changed += '\0';
            if (verify_pagerduty_signature(s, header, changed) == signature_verdict::ok)
                fail("a PagerDuty signature verified a changed body");
        }
    }

    if (v.status != answer_verdict::refused && !verifies) fail("a request no secret verifies was not refused");
    if (v.status == answer_verdict::accepted) {
        if (parsed.status != inbound_result::answered) fail("accepted what the parser did not answer");
        if (v.incident <= 0) fail("accepted without an incident");
        if (incident_of(v.answer.key, install) != v.incident) fail("accepted for an incident its key does not name");
        if (pagerduty && !v.answer.occurred_at) fail("a PagerDuty answer accepted without its event time");
        if (v.answer.occurred_at && std::chrono::abs(now - *v.answer.occurred_at) > answer_window)
            fail("accepted outside the window");
    } else if (v.reason.empty()) {
        fail("a verdict other than accepted without a reason");
    }
    for (const auto& s : secrets)
        if (v.reason.find(s) != std::string::npos && body.find(s) == std::string_view::npos)
            fail("a secret in a verdict's reason (it is logged)");
    return 0;
}
