// The integration outbox's sender for pages: PagerDuty Events v2, Opsgenie
// and outgoing webhooks. Rebuilds each request from the queued page and the
// target's secret (read from the environment at start), sends it through
// one kept-alive client per origin, and classifies the answer
// (paging::classify). Secrets never reach a log line: errors name the target
// and the vendor's message, with the secret cut out should a vendor echo it.
#pragma once

#include "bot/outbound/sender.hpp"
#include "bot/paging/pager_config.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}
namespace warroom::net {
class http_client;
struct url_parts;
}

namespace warroom::bot::outbound {

class pager_sender final : public sender {
public:
    pager_sender(net::executor ex, boost::asio::ssl::context& tls, std::vector<paging::pager_target> pagers,
                 std::chrono::seconds timeout = std::chrono::seconds(10));
    ~pager_sender() override;

    std::string_view destination() const override;
    net::task<send_result> send(const storage::integration_entry& e, const send_context& ctx) override;
    void cancel() override;

private:
    net::http_client* client_for(const std::string& origin_key, const net::url_parts& origin);

    net::executor ex_;
    boost::asio::ssl::context& tls_;
    std::vector<paging::pager_target> pagers_;
    std::chrono::seconds timeout_;
    std::map<std::string, std::unique_ptr<net::http_client>> clients_;  // by scheme://host:port
    bool cancelled_ = false;
};

// `text` with every configured secret replaced by "[redacted]".
std::string redact(std::string text, const std::vector<paging::pager_target>& pagers);

}  // namespace warroom::bot::outbound
