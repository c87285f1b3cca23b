#include "bot/status_site.hpp"

#include "bot/db_worker.hpp"
#include "statuspage/site.hpp"
#include "statuspage/status_model.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

boost::asio::awaitable<net::http_response> status_site::handle(net::http_request req) {
    auto now = clock_.now();
    // A day more than the bars show, so an incident that began before the
    // window but ended inside it still colours its days.
    auto since = now - std::chrono::days(statuspage::uptime_days + 1);
    std::vector<store_ops::incident_history> rows;
    try {
        rows = co_await db_.run(&store_ops::status_page_incidents, since);
    } catch (const std::exception& e) {
        spdlog::error("status page: could not read the incidents: {}", e.what());
        co_return net::http_response{503, "text/plain; charset=utf-8", "The status page is unavailable; try again soon.\n",
                                     {{"Retry-After", "10"}, {"Cache-Control", "no-store"}}};
    }
    std::vector<statuspage::stored_incident> stored;
    stored.reserve(rows.size());
    for (auto& r : rows) stored.push_back({std::move(r.inc), std::move(r.timeline), {}});
    auto model = statuspage::build_model(cfg_.status_page, cfg_.settings.severities, stored, now);
    auto answer = statuspage::respond(req.method, req.target, req.header("If-None-Match"), model);
    co_return net::http_response{answer.status, std::move(answer.content_type), std::move(answer.body),
                                 std::move(answer.headers)};
}

}  // namespace warroom::bot
