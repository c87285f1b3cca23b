// The public status page's HTTP handler: reads the incidents through the
// database thread's status_page_incidents, builds statuspage's model and
// answers with its pure routes. Read-only; served on WARROOM_STATUS_LISTEN,
// never on the Slack port.
#pragma once

#include "bot/clock.hpp"
#include "bot/config.hpp"
#include "bot/net/http_types.hpp"

#include <boost/asio/awaitable.hpp>

namespace warroom::bot {

class db_worker;

class status_site {
public:
    status_site(db_worker& db, const config& cfg, const clock& clk) : db_(db), cfg_(cfg), clock_(clk) {}

    boost::asio::awaitable<net::http_response> handle(net::http_request req);

private:
    db_worker& db_;
    const config& cfg_;
    const clock& clock_;
};

}  // namespace warroom::bot
