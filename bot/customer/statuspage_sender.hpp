// The integration outbox's sender for Atlassian Statuspage. Each queued
// notice is the state our incident should show there; the sender creates the
// Statuspage incident the first time and updates it after.
//
// ONE INCIDENT, ONCE. Statuspage's create is not idempotent, so:
//  1. before the POST, "a create was sent by entry N" is committed (schema 009);
//  2. the id in Statuspage's answer is committed before anything else happens;
//  3. when an entry finds a create sent but no id (the answer was lost, or
//     warroom died between Statuspage's answer and step 2), it lists the
//     page's unresolved incidents and adopts the one whose metadata carries
//     our key; only when none does is a create sent again.
// A crash anywhere therefore leaves either the id stored, or a marker that
// makes the next attempt look before it creates.
#pragma once

#include "bot/outbound/sender.hpp"
#include "bot/paging/request.hpp"
#include "bot/statuspage_api/publish_config.hpp"

#include <memory>

namespace boost::asio::ssl {
class context;
}
namespace warroom::net {
class http_client;
}
namespace warroom::bot {
class db_worker;
}

namespace warroom::bot::customer_out {

class statuspage_sender final : public outbound::sender {
public:
    statuspage_sender(net::executor ex, boost::asio::ssl::context& tls, statuspage_api::publish_settings settings,
                      db_worker& db, std::chrono::seconds timeout = std::chrono::seconds(15));
    ~statuspage_sender() override;

    std::string_view destination() const override;
    net::task<outbound::send_result> send(const storage::integration_entry& e,
                                          const outbound::send_context& ctx) override;
    void cancel() override;

    struct answer;  // an HTTP answer and what it means (defined in the .cpp)

private:
    net::task<answer> call(paging::http_request r);

    statuspage_api::publish_settings settings_;
    db_worker& db_;
    std::unique_ptr<net::http_client> client_;
};

}  // namespace warroom::bot::customer_out
