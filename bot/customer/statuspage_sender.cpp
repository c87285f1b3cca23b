#include "bot/customer/statuspage_sender.hpp"

#include "bot/customer/notices.hpp"
#include "bot/db_worker.hpp"
#include "bot/net/http_client.hpp"
#include "bot/statuspage_api/requests.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot::customer_out {

struct statuspage_sender::answer {
    paging::http_outcome outcome;
    paging::page_result verdict;
};

namespace {

outbound::send_result to_send_result(const paging::page_result& v, const std::string& what) {
    outbound::send_result out;
    out.kind_label = "statuspage";
    out.kind = v.kind == paging::page_result::delivered ? outbound::send_result::delivered
               : v.kind == paging::page_result::retry   ? outbound::send_result::retry
                                                        : outbound::send_result::dead;
    out.retry_after = v.retry_after;
    if (!v.error.empty()) out.error = "statuspage: " + what + ": " + v.error;
    return out;
}

outbound::send_result dead(std::string error) {
    outbound::send_result out;
    out.kind_label = "statuspage";
    out.kind = outbound::send_result::dead;
    out.error = "statuspage: " + std::move(error);
    return out;
}

}  // namespace

statuspage_sender::statuspage_sender(net::executor ex, boost::asio::ssl::context& tls,
                                     statuspage_api::publish_settings settings, db_worker& db,
                                     std::chrono::seconds timeout)
    : settings_(std::move(settings)), db_(db) {
    auto origin = net::parse_url(settings_.base_url);
    if (!origin) throw std::runtime_error("[statuspage_api] base_url is not an http(s) URL: " + settings_.base_url);
    origin->path = "";
    client_ = std::make_unique<net::http_client>(ex, tls, *origin, timeout);
}

statuspage_sender::~statuspage_sender() = default;

std::string_view statuspage_sender::destination() const { return customer::statuspage_destination; }

void statuspage_sender::cancel() { client_->cancel(); }

net::task<statuspage_sender::answer> statuspage_sender::call(paging::http_request r) {
    auto parts = net::parse_url(r.url);
    std::string path = parts ? parts->path : r.url;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto& h : r.headers) {
        if (h.first == "Content-Type")
            content_type = h.second;
        else
            headers.push_back(std::move(h));
    }
    std::string method = r.method;
    std::string body = std::move(r.body);
    // POST creates, and Statuspage's create is not idempotent: never resent behind our back.
    const bool may_resend = method != "POST";
    auto got = co_await client_->request(std::move(method), std::move(path), std::move(content_type), std::move(body),
                                         std::move(headers), may_resend);
    answer a;
    a.outcome.status = got.error.empty() ? static_cast<int>(got.status) : 0;
    a.outcome.body = std::move(got.body);
    a.outcome.retry_after = std::move(got.retry_after);
    a.outcome.network_error = got.error;
    a.verdict = statuspage_api::classify(a.outcome);
    co_return a;
}

net::task<outbound::send_result> statuspage_sender::send(const storage::integration_entry& e,
                                                         const outbound::send_context& ctx) {
    auto wanted = customer::read_publication(e.act.payload);
    if (!wanted) co_return dead("this update's stored form cannot be read (written by another warroom version?)");
    if (settings_.api_key.empty())
        co_return dead(settings_.api_key_env + " is not set; set it, restart warroom and run `warroom outbox --retry-dead`");
    const std::int64_t incident = e.act.incident;
    const commands::time_point now = ctx.now;
    std::optional<storage::statuspage_link> link = co_await db_.run(&store_ops::statuspage_link, incident);
    std::string id = link ? link->statuspage_id : "";

    if (id.empty() && link && link->create_sent_at) {
        // A create went out and its answer was never stored: look before creating again.
        // Named, not temporaries in the co_await expressions (GCC 12, see DEVELOPERS.md).
        auto list_request = statuspage_api::list_unresolved(settings_);
        auto listed = co_await call(std::move(list_request));
        if (listed.verdict.kind != paging::page_result::delivered)
            co_return to_send_result(listed.verdict, "looking for the incident a lost create may have made");
        if (auto found = statuspage_api::find_by_key(listed.outcome.body, wanted->key)) {
            id = *found;
            std::string adopted = id;
            co_await db_.run(&store_ops::record_statuspage_id, incident, std::move(adopted), now);
            spdlog::info("statuspage: INC-{}: adopted incident {} created by an earlier attempt", incident, id);
            // That create carried this entry's state: done. A later entry still applies its own.
            if (link->create_entry == e.id) co_return to_send_result({paging::page_result::delivered, {}, ""}, "");
        }
    }

    if (id.empty()) {
        co_await db_.run(&store_ops::mark_statuspage_create, incident, e.id, now);
        auto create_request = statuspage_api::create_incident(settings_, *wanted);
        auto created = co_await call(std::move(create_request));
        if (created.verdict.kind != paging::page_result::delivered)
            co_return to_send_result(created.verdict, "creating the incident");
        auto new_id = statuspage_api::incident_id(created.outcome.body);
        if (!new_id) {
            // Created, but we cannot say which: the next attempt finds it by its key.
            co_return to_send_result({paging::page_result::retry, std::nullopt, "the created incident's id is unreadable"},
                                     "creating the incident");
        }
        std::string recorded = *new_id;
        co_await db_.run(&store_ops::record_statuspage_id, incident, std::move(recorded), now);
        co_return to_send_result(created.verdict, "creating the incident");
    }

    auto update_request = statuspage_api::update_incident(settings_, id, *wanted);
    auto updated = co_await call(std::move(update_request));
    co_return to_send_result(updated.verdict, "updating incident " + id);
}

}  // namespace warroom::bot::customer_out
