// Web API calls over the kept-alive client.
#include "bot/slack/web_client.hpp"

#include "bot/net/async.hpp"

#include <stdexcept>

namespace warroom::slack {

namespace {
net::url_parts require_url(const std::string& url) {
    auto parts = net::parse_url(url);
    if (!parts) throw std::invalid_argument("SLACK_API_URL must be an http:// or https:// URL, got " + url);
    if (!parts->path.ends_with('/')) parts->path += '/';
    return *parts;
}

api_result from_client(const net::client_result& r) {
    if (!r.error.empty()) {
        api_result out;
        out.error = "network: " + r.error;
        out.maybe_delivered = r.maybe_delivered;
        return out;
    }
    return make_result(r.status, r.retry_after, r.body);
}
}  // namespace

web_client::web_client(net::executor ex, boost::asio::ssl::context& tls, const std::string& base_url, std::string token)
    : ex_(ex), tls_(tls), token_(std::move(token)), api_(ex, tls, require_url(base_url)) {}

net::task<api_result> web_client::call(std::string_view method, const nlohmann::json& args) {
    // Arguments are named before co_await: GCC 12 mishandles braced lists and
    // temporaries inside a co_await expression.
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + token_}};
    std::string body = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string content_type = "application/json; charset=utf-8";
    std::string path(method);
    auto r = co_await api_.post(std::move(path), std::move(content_type), std::move(body), std::move(headers));
    // Named first: GCC 12 reads a garbage bool when a temporary is co_returned here (UBSan).
    auto result = from_client(r);
    co_return result;
}

void web_client::cancel() {
    cancelled_ = true;
    api_.cancel();
    for (auto& [host, client] : hooks_) client->cancel();
}

net::task<api_result> web_client::respond(const std::string& response_url, const nlohmann::json& message) {
    auto parts = net::parse_url(response_url);
    if (!parts) {
        api_result bad;
        bad.answered = true;
        bad.error = "invalid_response_url";
        co_return bad;
    }
    std::string key = (parts->tls ? "https://" : "http://") + parts->host + ":" + parts->port;
    auto& client = hooks_[key];
    std::string path = parts->path;
    if (!client) {
        parts->path = "";
        client = std::make_unique<net::http_client>(ex_, tls_, *parts);
        if (cancelled_) client->cancel();
    }
    std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string content_type = "application/json; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> no_headers;
    auto r = co_await client->post(std::move(path), std::move(content_type), std::move(body), std::move(no_headers));
    if (!r.error.empty()) {
        auto failed = from_client(r);
        co_return failed;
    }
    // response_url answers plain "ok", not JSON: success is the status.
    api_result out;
    out.answered = true;
    out.ok = r.status >= 200 && r.status < 300;
    if (!out.ok) out.error = "http_" + std::to_string(r.status);
    co_return out;
}

}  // namespace warroom::slack
