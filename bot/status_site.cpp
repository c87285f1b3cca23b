#include "bot/status_site.hpp"

#include "bot/db_worker.hpp"
#include "statuspage/site.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

namespace {

// How long a model may serve when nothing changed: its clock (today's bar, "updated") moves on.
constexpr std::chrono::seconds model_max_age{5};

}  // namespace

net::task<net::http_response> status_site::handle(net::http_request req) {
    auto now = clock_.now();
    auto version = changes_();
    bool stale = !model_ || version != model_version_ || now - model_built_ >= model_max_age;
    // One refresh at a time: requests meeting one in flight answer from the model in hand.
    if (stale && (!model_ || !refreshing_)) {
        refreshing_ = true;
        // A day more than the bars show, so an incident that began before the
        // window but ended inside it still colours its days.
        auto since = now - std::chrono::days(statuspage::uptime_days + 1);
        std::vector<store_ops::incident_history> rows;
        std::vector<commands::maintenance> maintenances;
        std::string failure;
        try {
            rows = co_await db_.run(&store_ops::status_page_incidents, since);
            maintenances = co_await db_.run(&store_ops::status_page_maintenances, since);
        } catch (const std::exception& e) {
            failure = *e.what() ? e.what() : "unknown error";
        }
        refreshing_ = false;
        if (failure.empty()) {
            std::vector<statuspage::stored_incident> stored;
            stored.reserve(rows.size());
            for (auto& r : rows) {
                auto affected = statuspage::affected_of(r.inc);
                stored.push_back({std::move(r.inc), std::move(r.timeline), std::move(affected)});
            }
            model_ = std::make_shared<const statuspage::status_model>(
                statuspage::build_model(cfg_.status_page, cfg_.settings.severities, stored, now, maintenances));
            model_version_ = version;
            model_built_ = now;
        } else {
            spdlog::error("status page: could not read the incidents: {}", failure);
            if (!model_)
                co_return net::http_response{503, "text/plain; charset=utf-8",
                                             "The status page is unavailable; try again soon.\n",
                                             {{"Retry-After", "10"}, {"Cache-Control", "no-store"}}};
        }
    }
    auto model = model_;  // this request's, even if a newer one replaces it meanwhile
    auto answer = statuspage::respond(req.method, req.target, req.header("If-None-Match"), *model);
    co_return net::http_response{answer.status, std::move(answer.content_type), std::move(answer.body),
                                 std::move(answer.headers)};
}

}  // namespace warroom::bot
