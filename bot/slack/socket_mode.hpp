// Socket Mode: Slack's events, slash commands and interactivity over a
// WebSocket the bot opens itself (no public URL needed). The connection is
// opened with apps.connections.open (app-level token), every envelope is
// acknowledged with its envelope_id within 3 s, a refresh opens the next
// connection before the old one is closed, dead links are replaced with
// backoff. The WebSocket itself is bot/net/websocket.hpp.
#pragma once

#include "bot/net/async.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace warroom::slack {
class web_client;
}
namespace warroom::net {
class task_group;
}

namespace warroom::bot {

class metrics;
class envelope_handler;

struct socket_mode_options {
    // No frame for half of this: a ping; nothing at all for all of it: the
    // connection is dead and replaced.
    std::chrono::seconds idle_timeout{10};
    // From the TCP connect to Slack's hello.
    std::chrono::seconds hello_within{10};
    // Reconnect delays grow from `first_retry` to `max_retry` (with jitter).
    std::chrono::milliseconds first_retry{500};
    std::chrono::seconds max_retry{30};
    // How long a retiring connection waits for its in-flight envelopes' acks.
    std::chrono::seconds drain_within{3};
};

class socket_mode_client {
public:
    // `app_api` carries the app-level token (xapp-…) and only calls
    // apps.connections.open; `endpoint` does the work (the HTTP endpoint, as for HTTP).
    // Its readers, writers and envelope handlers run in `tasks`.
    socket_mode_client(net::executor ex, net::task_group& tasks, boost::asio::ssl::context& tls,
                       slack::web_client& app_api, envelope_handler& endpoint, metrics& m,
                       socket_mode_options opts = {});
    ~socket_mode_client();

    // Connects and keeps a connection until stop() or link_disabled.
    net::task<void> run();
    // Closes the connections normally (close frame); run() then returns.
    void stop();
    // For /healthz: "connecting", "connected", "stopped", or "disabled: <why>".
    std::string status() const;
    bool healthy() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace warroom::bot
