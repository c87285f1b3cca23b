// A WebSocket client connection (ws:// or wss://) for Socket Mode, with
// Beast kept behind this header: text frames in and out, keep-alive pings,
// an idle deadline, a normal close. One read and one write may be in flight
// at a time (Beast's rule); the caller queues.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace warroom::net {

struct ws_options {
    // From the TCP connect to the end of the WebSocket handshake.
    std::chrono::seconds open_within{10};
    // No frame for half of this: a ping; nothing at all for all of it: the read fails with `timeout`.
    std::chrono::seconds idle_timeout{10};
    std::size_t max_message = 8 * 1024 * 1024;
};

// Why a read ended without a message.
enum class ws_end {
    none,      // a message arrived
    closed,    // the peer sent a close frame (close_reason() says which)
    timeout,   // no frame within idle_timeout, not even a pong
    dropped,   // eof or reset without a close frame
    other,     // anything else (see error)
};

struct ws_message {
    ws_end end = ws_end::none;
    std::string error;  // the system's wording, when end != none
    std::string text;
};

class websocket {
public:
    websocket(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls, ws_options opts);
    ~websocket();

    // Connects to ws:// or wss:// `url` (TLS verified, SNI) and handshakes.
    // An error for the log (never the URL's path or query: Slack's ticket), empty on success.
    boost::asio::awaitable<std::string> open(const std::string& url);
    boost::asio::awaitable<ws_message> read();
    // Errors for the log, empty on success.
    boost::asio::awaitable<std::string> write_text(const std::string& text);
    // A close frame with code 1000; an aborted close is not an error.
    boost::asio::awaitable<std::string> close_normally();
    // Closes the socket at once; pending reads and writes fail.
    void abort();
    // The peer's close frame: "1000" or "1001 going away".
    std::string close_reason() const;
    // "wss://host:port", for the log.
    const std::string& where() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace warroom::net
