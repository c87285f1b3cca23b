// Kept-alive HTTP(S) connections to one host, for the Slack Web API and
// response_url calls: TLS with verification and SNI, timeouts, reconnects.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace warroom::net {

struct url_parts {
    bool tls = true;
    std::string host;
    std::string port;
    std::string path;  // starts with '/'
};
// "https://slack.com/api/" -> {tls, "slack.com", "443", "/api/"}; nullopt unless http(s).
std::optional<url_parts> parse_url(std::string_view url);

struct client_result {
    std::string error;         // empty on an HTTP answer (any status)
    bool maybe_delivered = false;  // the request may have reached the server (error after writing)
    unsigned status = 0;
    std::string body;
    std::string retry_after;   // the Retry-After header, if any
    bool closed_by_peer = false;  // eof or reset before any answer
};

class http_client {
public:
    http_client(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls, url_parts origin,
                std::chrono::seconds timeout = std::chrono::seconds(15));
    ~http_client();

    // POSTs to origin.path + `path`. Network failures come back in `error`, never as exceptions.
    boost::asio::awaitable<client_result> post(std::string path, std::string content_type, std::string body,
                                               std::vector<std::pair<std::string, std::string>> headers);
    // Any method (Statuspage takes PATCH and GET); an empty content_type sends none.
    // `may_resend`: a kept-alive connection found closed after the request was
    // written is retried once on a new one (the server may have acted on it);
    // false for what must never happen twice (Statuspage's create): such a
    // request always goes on a fresh connection, and a lost answer is the caller's to resolve.
    boost::asio::awaitable<client_result> request(std::string method, std::string path, std::string content_type,
                                                  std::string body,
                                                  std::vector<std::pair<std::string, std::string>> headers,
                                                  bool may_resend = true);
    const url_parts& origin() const;
    // For the stop: aborts every request in flight (their sockets close) and
    // fails later ones at once, so no call outlives the objects it uses.
    void cancel();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace warroom::net
