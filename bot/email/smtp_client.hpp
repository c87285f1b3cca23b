// Sends a mail_message over SMTP through libcurl: STARTTLS (required unless
// the config says otherwise) and AUTH, with the certificate and host name
// verified against the system's trust store (or SSL_CERT_FILE, as OpenSSL
// reads it for the rest of warroom). A well-kept client instead of our own
// SMTP dialogue: STARTTLS, AUTH mechanisms and dot-stuffing are easy to get subtly wrong.
//
// A transfer blocks for up to `timeout`, so it never runs on the event loop:
// smtp_worker runs them on a thread of its own and calls back from it.
#pragma once

#include "bot/email/email_config.hpp"
#include "bot/email/message.hpp"
#include "bot/email/send_result.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace warroom::email {

// Lets another thread end a transfer in progress: cancel() marks it and shuts
// its socket down, so libcurl's blocking wait for a reply ends at once (the
// progress callback alone is not called while libcurl waits for the final
// reply to a message).
class transfer_control {
public:
    void cancel();
    bool cancelled() const { return cancelled_; }
    void opened(int fd);
    void closed(int fd);

private:
    std::atomic<bool> cancelled_{false};
    std::mutex mutex_;
    int socket_ = -1;
};

// One message, one connection. Blocking; ends early (as a retry) once `control` is cancelled.
smtp_outcome send_blocking(const email_settings& s, const mail_message& m,
                           std::chrono::seconds timeout = std::chrono::seconds(60),
                           transfer_control* control = nullptr);

// One thread sending one message at a time, in order. `done` is called on
// that thread (the caller hands the result back to its own executor).
class smtp_worker {
public:
    explicit smtp_worker(email_settings settings, std::chrono::seconds timeout = std::chrono::seconds(60));
    ~smtp_worker();  // the message in hand finishes (or times out); the queued ones are answered retry
    smtp_worker(const smtp_worker&) = delete;
    smtp_worker& operator=(const smtp_worker&) = delete;

    void submit(mail_message m, std::function<void(send_result)> done);
    // For the stop: the transfer in hand ends within about a second, later ones at once (all as retries).
    void cancel() { control_.cancel(); }

private:
    void run();

    email_settings settings_;
    std::chrono::seconds timeout_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<mail_message, std::function<void(send_result)>>> queue_;
    bool stopping_ = false;
    transfer_control control_;
    std::thread thread_;
};

}  // namespace warroom::email
