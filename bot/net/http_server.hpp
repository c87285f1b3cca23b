// An HTTP/1.1 server on Beast: keep-alive, body limit, timeouts, graceful stop.
#pragma once

#include "bot/net/http_types.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace warroom::net {

struct server_limits {
    std::size_t max_body = 1024 * 1024;  // past it: 413
    std::size_t max_connections = 1024;
    std::chrono::seconds read_timeout{10};   // to read one request once it has started
    std::chrono::seconds idle_timeout{75};   // between requests on a kept-alive connection
    std::chrono::seconds write_timeout{10};
};

using http_handler = std::function<boost::asio::awaitable<http_response>(http_request)>;

class http_server {
public:
    http_server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& at, http_handler handler,
                server_limits limits = {});
    ~http_server();

    void start();
    // Stops accepting; connections finish the request in hand and close.
    void stop();
    std::size_t active_connections() const;
    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

// "host:port" -> endpoint; throws std::invalid_argument with the reason.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& text);

}  // namespace warroom::net
