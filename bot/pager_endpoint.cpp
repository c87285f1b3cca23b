#include "bot/pager_endpoint.hpp"

#include "bot/config.hpp"
#include "bot/db_worker.hpp"
#include "bot/log_format.hpp"
#include "bot/paging/answer_check.hpp"
#include "bot/paging/hmac.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

using net::http_response;

namespace {

http_response plain(unsigned status, std::string text) {
    return {status, "text/plain; charset=utf-8", std::move(text) + "\n", {}};
}

// The header each vendor proves itself with (PagerDuty signs the body; Opsgenie sends a shared secret).
std::string_view proof_header(bool pagerduty) {
    return pagerduty ? std::string_view("X-PagerDuty-Signature") : paging::opsgenie_secret_header;
}

std::string metric_kind(bool pagerduty) { return pagerduty ? "pagerduty_webhook" : "opsgenie_webhook"; }

}  // namespace

namespace {
std::vector<std::string> names_of(const std::vector<paging::pager_target>& pagers, paging::pager_kind kind) {
    std::vector<std::string> out;
    for (const auto& p : pagers)
        if (p.kind == kind) out.push_back(p.name);
    return out;
}
}  // namespace

pager_endpoint::pager_endpoint(db_worker& db, metrics& m, const clock& clk, const config& cfg,
                               std::function<void()> after_change)
    : db_(db),
      metrics_(m),
      clock_(clk),
      install_(cfg.install_id),
      pagerduty_secrets_(paging::webhook_secrets(cfg.pagers, paging::pager_kind::pagerduty)),
      opsgenie_secrets_(paging::webhook_secrets(cfg.pagers, paging::pager_kind::opsgenie)),
      pagerduty_targets_(names_of(cfg.pagers, paging::pager_kind::pagerduty)),
      opsgenie_targets_(names_of(cfg.pagers, paging::pager_kind::opsgenie)),
      after_change_(std::move(after_change)) {}

std::string pager_endpoint::status() const {
    auto one = [](std::string_view provider, std::string_view path, std::size_t secrets) {
        if (secrets == 0) return std::string(provider) + " answers off (no webhook secret set)";
        return std::string(provider) + " answers on " + std::string(path) + " (" + std::to_string(secrets) +
               (secrets == 1 ? " secret)" : " secrets)");
    };
    return one("PagerDuty", pagerduty_path, pagerduty_secrets_.size()) + "; " +
           one("Opsgenie", opsgenie_path, opsgenie_secrets_.size());
}

http_response pager_endpoint::refuse(std::string_view provider, const std::string& reason, std::size_t body_size) {
    // Anyone can send these, as fast as they like: counted in /metrics, a sample of them logged.
    warn_throttled("pager.unverified", "refused a webhook from {}: {} ({} bytes); nothing changed", provider, reason,
                   body_size);
    metrics_.count_request(metric_kind(provider == "PagerDuty"), "unverified");
    return plain(401, "unverified request");
}

std::optional<http_response> pager_endpoint::screen(const net::http_request& head,
                                                    std::optional<std::uint64_t> content_length) {
    if (head.method != "POST") return std::nullopt;  // handle() answers 405
    const bool pd = head.target == pagerduty_path;
    const std::string_view provider = pd ? "PagerDuty" : "Opsgenie";
    if ((pd ? pagerduty_secrets_ : opsgenie_secrets_).empty())
        return refuse(provider, std::string("no ") + std::string(provider) + " pager has a webhook secret set",
                      content_length.value_or(0));
    if (head.header(proof_header(pd)).empty())
        return refuse(provider, "no " + std::string(proof_header(pd)) + " header", content_length.value_or(0));
    if (content_length && *content_length > paging::max_webhook_body) {
        warn_throttled("pager.too_big", "refused a webhook from {} of {} bytes (limit {})", provider, *content_length,
                       paging::max_webhook_body);
        metrics_.count_request(metric_kind(pd), "too_large");
        return plain(413, "body too large");
    }
    return std::nullopt;
}

net::task<http_response> pager_endpoint::handle(net::http_request req) {
    if (req.method != "POST") co_return http_response{405, "text/plain", "POST only\n", {{"Allow", "POST"}}};
    const bool pd = req.target == pagerduty_path;
    const std::string_view provider = pd ? "PagerDuty" : "Opsgenie";
    if (req.body.size() > paging::max_webhook_body) {  // a chunked body had no length to screen
        warn_throttled("pager.too_big", "refused a webhook from {} of {} bytes (limit {})", provider, req.body.size(),
                       paging::max_webhook_body);
        metrics_.count_request(metric_kind(pd), "too_large");
        co_return plain(413, "body too large");
    }
    const auto header = req.header(proof_header(pd));
    auto v = pd ? paging::check_pagerduty_answer(pagerduty_secrets_, header, req.body, install_, clock_.now())
                : paging::check_opsgenie_answer(opsgenie_secrets_, header, req.body, install_, clock_.now());
    switch (v.status) {
        case paging::answer_verdict::refused: co_return refuse(provider, v.reason, req.body.size());
        case paging::answer_verdict::malformed:
            warn_throttled("pager.malformed", "rejected a verified {} webhook: {}", provider, v.reason);
            metrics_.count_request(metric_kind(pd), "bad_request");
            co_return plain(400, "not a webhook body warroom reads");
        case paging::answer_verdict::ignored:
            // 2xx: the vendor's subscription sends every event of its services; an
            // error would only make it retry (and count failures against the subscription).
            spdlog::info("{} webhook ignored: {}", provider, v.reason);
            metrics_.count_request(metric_kind(pd), "ignored");
            co_return plain(202, "ignored");
        case paging::answer_verdict::accepted: break;
    }

    commands::pager_answer answer;
    answer.what = v.answer.kind == paging::page_answer::acknowledged ? commands::pager_answer::kind::acknowledged
                                                                      : commands::pager_answer::kind::resolved;
    answer.incident = v.incident;
    answer.provider = v.answer.provider;
    answer.by = v.answer.by;
    answer.targets = pd ? pagerduty_targets_ : opsgenie_targets_;
    const std::string verb = answer.what == commands::pager_answer::kind::acknowledged ? "acknowledged" : "resolved";
    // Without a vendor id, the body itself names the delivery (a retry resends it unchanged).
    const std::string id = v.answer.event_id.empty() ? "body-" + paging::hmac_sha256_hex("warroom", req.body)
                                                     : v.answer.event_id;
    std::string key = std::string(pd ? "pagerduty:" : "opsgenie:") + id;
    auto result = co_await db_.run(&store_ops::answer_from_pager, std::move(answer), std::move(key));
    switch (result) {
        case runtime::pager_answer_result::reflected:
            spdlog::info("INC-{} {} in {} by {} (event {})", v.incident, verb, provider, v.answer.by, id);
            metrics_.count_request(metric_kind(pd), "ok");
            after_change_();
            co_return plain(200, "ok");
        case runtime::pager_answer_result::duplicate:
            spdlog::info("{} event {} (INC-{} {}) seen before; acknowledged and ignored", provider, id, v.incident,
                         verb);
            metrics_.count_request(metric_kind(pd), "duplicate");
            co_return plain(200, "ok");
        case runtime::pager_answer_result::unknown_incident:
            spdlog::info("{} webhook ignored: INC-{} is not an incident of this warroom", provider, v.incident);
            metrics_.count_request(metric_kind(pd), "ignored");
            co_return plain(202, "ignored");
        case runtime::pager_answer_result::failed: break;  // logged by the runtime
    }
    metrics_.count_request(metric_kind(pd), "error");
    co_return plain(500, "could not record it; retry");
}

}  // namespace warroom::bot
