// What an SMTP attempt means for the outbox action that asked: delivered,
// retry, or dead with the server's own words for `warroom outbox`. Pure: the
// libcurl transfer (smtp_client) reports an smtp_outcome, this decides.
#pragma once

#include <string>

namespace warroom::email {

struct smtp_outcome {
    enum class failure_t {
        none,              // the server accepted the message
        connect,           // no connection: refused, unreachable, name not resolved
        timeout,           // connected, but the server went quiet
        dropped,           // the connection broke mid-dialogue
        starttls_missing,  // require_starttls, and the server offers no STARTTLS
        tls,               // the TLS handshake or the certificate failed
        refused,           // the server answered with an error reply (reply_code says which)
        other,
    } failure = failure_t::none;
    long reply_code = 0;  // the server's last reply code; 0: none
    std::string reply;    // the server's last reply line, e.g. "550 5.1.1 <x@y>: no such user"
    std::string detail;   // libcurl's words for the failure
};

struct send_result {
    enum kind_t { delivered, retry, dead } kind = delivered;
    std::string error;  // empty when delivered: "SMTP 550 5.1.1 <x@y>: no such user"
};

// 2xx/3xx and no failure: delivered. A 4xx reply (greylisting, a full
// mailbox, "try again later") and connection trouble retry. A 5xx reply is
// dead with the server's message: a refused login (535), a refused sender or
// every recipient refused; retrying sends the same thing. A server without
// STARTTLS when it is required, and a certificate that does not verify, are
// dead too: the fix is in the config or the server, and `warroom outbox
// --retry-dead` sends again after it.
send_result classify(const smtp_outcome& o);

}  // namespace warroom::email
