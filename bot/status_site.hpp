// The public status page's HTTP handler: reads the incidents through the
// database thread's status_page_incidents, builds statuspage's model and
// answers with its pure routes. Read-only; served on WARROOM_STATUS_LISTEN,
// never on the Slack port.
#pragma once

#include "bot/clock.hpp"
#include "bot/config.hpp"
#include "bot/net/async.hpp"
#include "bot/net/http_types.hpp"
#include "statuspage/status_model.hpp"

#include <cstdint>
#include <functional>
#include <memory>

namespace warroom::bot {

class db_worker;

class status_site {
public:
    // `changes` counts the commands that changed stored state (runtime::changes).
    status_site(db_worker& db, const config& cfg, const clock& clk, std::function<std::uint64_t()> changes)
        : db_(db), cfg_(cfg), clock_(clk), changes_(std::move(changes)) {}

    // Runs on the network thread only (the cache is not locked).
    net::task<net::http_response> handle(net::http_request req);

private:
    db_worker& db_;
    const config& cfg_;
    const clock& clock_;
    std::function<std::uint64_t()> changes_;
    // The public can poll as fast as it likes; the database thread, which
    // also serves Slack, builds the model again only after a command changed
    // something, or every few seconds for the clock's sake.
    std::shared_ptr<const statuspage::status_model> model_;
    std::uint64_t model_version_ = 0;
    commands::time_point model_built_{};
    bool refreshing_ = false;
};

}  // namespace warroom::bot
