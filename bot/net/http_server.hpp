// An HTTP/1.1 server on Beast: keep-alive, body limit, timeouts, graceful stop.
#pragma once

#include "bot/net/http_types.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace warroom::net {

struct server_limits {
    std::size_t max_body = 1024 * 1024;  // past it: 413
    // Open connections. At the cap, the one idle the longest is closed to
    // make room (then the slowest still sending a request); only when every
    // connection is busy is a newcomer turned away.
    std::size_t max_connections = 1024;
    // Memory all request bodies being read or handled may hold together;
    // past it: 503 (Slack retries). Small bodies may go a quarter over, so
    // a flood of big ones does not starve Slack's usual few-KB requests.
    std::size_t body_memory = 32 * 1024 * 1024;
    std::chrono::seconds read_timeout{10};   // to read one request once it has started
    std::chrono::seconds idle_timeout{75};   // between requests on a kept-alive connection
    // Between requests while over three quarters of max_connections are open.
    std::chrono::seconds busy_idle_timeout{2};
    std::chrono::seconds write_timeout{10};
};

using http_handler = std::function<boost::asio::awaitable<http_response>(http_request)>;

// Sees a request's method, target and headers before its body is read
// (`content_length`: nullopt when chunked). A response refuses the request
// without reading a large body; nullopt lets it through.
using header_gate =
    std::function<std::optional<http_response>(const http_request& head, std::optional<std::uint64_t> content_length)>;

struct server_stats {
    std::size_t open = 0;
    std::uint64_t closed_idle = 0;     // closed to make room for a newcomer
    std::uint64_t refused = 0;         // turned away: every connection busy, or no file descriptor
    std::uint64_t body_memory_full = 0;  // answered 503: bodies in flight held the whole budget
};

class task_group;

class http_server {
public:
    // With `tasks`, the listener and every connection run there (a stop waits
    // for the requests in hand); without, on their own.
    http_server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& at, http_handler handler,
                server_limits limits = {}, task_group* tasks = nullptr);
    ~http_server();

    void set_header_gate(header_gate gate);
    void start();
    // Stops accepting; connections finish the request in hand and close.
    void stop();
    // After stop(), when the grace is over: closes the connections still
    // reading a request too (those handling one end with their handler).
    void abort();
    server_stats stats() const;
    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

// "host:port" -> endpoint; throws std::invalid_argument with the reason.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& text);

}  // namespace warroom::net
