#include "bot/outbound/pager_sender.hpp"

#include "bot/net/http_client.hpp"
#include "bot/paging/outbox_page.hpp"
#include "bot/paging/result.hpp"

namespace warroom::bot::outbound {

pager_sender::pager_sender(net::executor ex, boost::asio::ssl::context& tls, std::vector<paging::pager_target> pagers,
                           std::chrono::seconds timeout)
    : ex_(std::move(ex)), tls_(tls), pagers_(std::move(pagers)), timeout_(timeout) {}

pager_sender::~pager_sender() = default;

std::string_view pager_sender::destination() const { return paging::page_destination; }

std::string redact(std::string text, const std::vector<paging::pager_target>& pagers) {
    for (const auto& p : pagers) {
        for (const std::string* secret : {&p.secret, &p.webhook_secret}) {
            if (secret->size() < 4) continue;  // too short to be told from ordinary words
            for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at))
                text.replace(at, secret->size(), "[redacted]");
        }
    }
    return text;
}

net::http_client* pager_sender::client_for(const std::string& origin_key, const net::url_parts& origin) {
    auto& client = clients_[origin_key];
    if (!client) {
        auto bare = origin;
        bare.path = "";
        client = std::make_unique<net::http_client>(ex_, tls_, bare, timeout_);
        if (cancelled_) client->cancel();
    }
    return client.get();
}

net::task<send_result> pager_sender::send(const storage::integration_entry& e, const send_context& ctx) {
    send_result out;
    auto page = paging::from_payload(e.act.payload);
    if (!page) {
        out.kind = send_result::dead;
        out.error = "pager: this page's stored form cannot be read (written by another warroom version?)";
        co_return out;
    }
    const auto* target = paging::find_pager(pagers_, page->target);
    if (!target) {
        out.kind = send_result::dead;
        out.error = "pager: no [[pagers]] target named \"" + page->target +
                    "\" in the config any more; add it back and run `warroom outbox --retry-dead`";
        co_return out;
    }
    out.kind_label = std::string(paging::to_string(target->kind));
    if (target->secret.empty()) {
        // Nothing to send with: the fix is the environment, then --retry-dead.
        out.kind = send_result::dead;
        out.error = out.kind_label + ": " + target->secret_env + " is not set; set it, restart warroom and run "
                    "`warroom outbox --retry-dead`";
        co_return out;
    }
    // Queued before Slack made the channel: link to it now that it exists.
    if (page->event.channel_url.empty()) page->event.channel_url = paging::slack_channel_url(ctx.channel_id);
    const std::string delivery_id = page->event.install + "-" + std::to_string(e.id);
    auto request = paging::build_request(*target, *page, delivery_id, ctx.now);
    auto parts = net::parse_url(request.url);
    if (!parts) {
        out.kind = send_result::dead;
        out.error = out.kind_label + ": the URL of " + target->name + " is not http(s)";
        co_return out;
    }
    std::string key = (parts->tls ? "https://" : "http://") + parts->host + ":" + parts->port;
    auto* client = client_for(key, *parts);
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto& h : request.headers)
        if (h.first != "Content-Type") headers.push_back(std::move(h));
    std::string path = parts->path;
    std::string body = std::move(request.body);
    auto r = co_await client->post(std::move(path), std::move(content_type), std::move(body), std::move(headers));
    paging::http_outcome answer;
    answer.status = r.error.empty() ? static_cast<int>(r.status) : 0;
    answer.body = std::move(r.body);
    answer.retry_after = std::move(r.retry_after);
    answer.network_error = r.error;
    auto verdict = paging::classify(target->kind, answer);
    out.kind = verdict.kind == paging::page_result::delivered ? send_result::delivered
               : verdict.kind == paging::page_result::retry   ? send_result::retry
                                                              : send_result::dead;
    out.retry_after = verdict.retry_after;
    out.error = redact(verdict.error, pagers_);
    co_return out;
}

void pager_sender::cancel() {
    cancelled_ = true;
    for (auto& [key, c] : clients_) c->cancel();
}

}  // namespace warroom::bot::outbound
