#include "bot/customer/email_sender.hpp"

#include "bot/customer/notices.hpp"
#include "bot/email/message.hpp"

namespace warroom::bot::customer_out {

email_sender::email_sender(email::email_settings settings, std::string install_id, std::chrono::seconds timeout)
    : settings_(std::move(settings)),
      install_id_(std::move(install_id)),
      worker_(std::make_unique<email::smtp_worker>(settings_, timeout)) {}

email_sender::~email_sender() = default;

std::string_view email_sender::destination() const { return customer::email_destination; }

void email_sender::cancel() { worker_->cancel(); }

net::task<outbound::send_result> email_sender::send(const storage::integration_entry& e,
                                                    const outbound::send_context&) {
    outbound::send_result out;
    out.kind_label = "smtp";
    auto mail = customer::read_mail(e.act.payload);
    if (!mail) {
        out.kind = outbound::send_result::dead;
        out.error = "email: this message's stored form cannot be read (written by another warroom version?)";
        co_return out;
    }
    if (!settings_.username_env.empty() && (settings_.username.empty() || settings_.password.empty())) {
        out.kind = outbound::send_result::dead;
        out.error = "email: " + (settings_.username.empty() ? settings_.username_env : settings_.password_env) +
                    " is not set; set it, restart warroom and run `warroom outbox --retry-dead`";
        co_return out;
    }
    auto message = email::build_mail(settings_, install_id_, *mail);
    // Named, not a temporary in the co_await expression (GCC 12, see DEVELOPERS.md).
    auto* worker = worker_.get();
    auto start = [worker, message = std::move(message)](net::resume_with<email::send_result> resume) mutable {
        worker->submit(std::move(message), [resume](email::send_result r) { resume(nullptr, std::move(r)); });
    };
    email::send_result r = co_await net::from_elsewhere<email::send_result>(std::move(start));
    out.kind = r.kind == email::send_result::delivered ? outbound::send_result::delivered
               : r.kind == email::send_result::retry   ? outbound::send_result::retry
                                                       : outbound::send_result::dead;
    out.error = r.error.empty() ? r.error : "email: " + r.error;
    co_return out;
}

}  // namespace warroom::bot::customer_out
