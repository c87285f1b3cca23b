#include "bot/email/send_result.hpp"

namespace warroom::email {

namespace {

std::string server_words(const smtp_outcome& o) {
    if (!o.reply.empty()) return "SMTP " + o.reply;
    return "SMTP " + std::to_string(o.reply_code) + (o.detail.empty() ? "" : " (" + o.detail + ")");
}

}  // namespace

send_result classify(const smtp_outcome& o) {
    using f = smtp_outcome::failure_t;
    if (o.failure == f::none) return {send_result::delivered, ""};
    if (o.reply_code >= 500 && o.reply_code < 600) return {send_result::dead, server_words(o)};
    if (o.reply_code >= 400 && o.reply_code < 500) return {send_result::retry, server_words(o)};
    switch (o.failure) {
        case f::starttls_missing:
            return {send_result::dead, "the SMTP server does not offer STARTTLS, and require_starttls is on: "
                                       "nothing is sent in clear text (" + o.detail + ")"};
        case f::tls: return {send_result::dead, "TLS with the SMTP server failed: " + o.detail};
        case f::connect: return {send_result::retry, "cannot connect to the SMTP server: " + o.detail};
        case f::timeout: return {send_result::retry, "the SMTP server timed out: " + o.detail};
        case f::dropped: return {send_result::retry, "the SMTP connection broke: " + o.detail};
        case f::refused:
        case f::other:
        case f::none: break;
    }
    return {send_result::retry, "SMTP failed: " + o.detail + (o.reply.empty() ? "" : " (" + o.reply + ")")};
}

}  // namespace warroom::email
