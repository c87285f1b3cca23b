// The integration outbox's sender for e-mail: rebuilds the message from the
// queued notice (bot/customer/notices) and sends it over SMTP on
// smtp_worker's thread, the event loop resuming when the server has answered.
#pragma once

#include "bot/email/email_config.hpp"
#include "bot/email/smtp_client.hpp"
#include "bot/outbound/sender.hpp"

#include <memory>
#include <string>

namespace warroom::bot::customer_out {

class email_sender final : public outbound::sender {
public:
    email_sender(email::email_settings settings, std::string install_id,
                 std::chrono::seconds timeout = std::chrono::seconds(30));
    ~email_sender() override;

    std::string_view destination() const override;
    net::task<outbound::send_result> send(const storage::integration_entry& e,
                                          const outbound::send_context& ctx) override;
    void cancel() override;

private:
    email::email_settings settings_;
    std::string install_id_;
    std::unique_ptr<email::smtp_worker> worker_;
};

}  // namespace warroom::bot::customer_out
