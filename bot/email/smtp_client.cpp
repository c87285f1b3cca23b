#include "bot/email/smtp_client.hpp"

#include "bot/email/libcurl_api.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

namespace warroom::email {

namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl::global_init(CURL_GLOBAL_DEFAULT); });
}

struct upload {
    const std::string* data;
    std::size_t offset = 0;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* u = static_cast<upload*>(user);
    std::size_t n = std::min(size * count, u->data->size() - u->offset);
    std::memcpy(buffer, u->data->data() + u->offset, n);
    u->offset += n;
    return n;
}

// Keeps the server's last reply line: libcurl says "RCPT failed: 550", the
// server says why, and that is what someone reading `warroom outbox` needs.
int watch_replies(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    std::string line(data, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.size() >= 3 && (line[0] == '4' || line[0] == '5')) *static_cast<std::string*>(user) = line;
    return 0;
}

int check_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* control = static_cast<const transfer_control*>(user);
    return control && control->cancelled() ? 1 : 0;  // non-zero aborts the transfer
}

int socket_opened(void* user, curl_socket_t fd, curlsocktype) {
    if (user) static_cast<transfer_control*>(user)->opened(fd);
    return CURL_SOCKOPT_OK;
}

int socket_closing(void* user, curl_socket_t fd) {
    if (user) static_cast<transfer_control*>(user)->closed(fd);
    return ::close(fd);
}

smtp_outcome::failure_t failure_of(CURLcode code) {
    using f = smtp_outcome::failure_t;
    switch (code) {
        case CURLE_OK: return f::none;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT: return f::connect;
        case CURLE_OPERATION_TIMEDOUT: return f::timeout;
        case CURLE_ABORTED_BY_CALLBACK: return f::dropped;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_WEIRD_SERVER_REPLY: return f::dropped;
        case CURLE_USE_SSL_FAILED: return f::starttls_missing;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM: return f::tls;
        case CURLE_LOGIN_DENIED:
        case CURLE_SEND_FAIL_REWIND:
        case CURLE_UPLOAD_FAILED:
        case CURLE_QUOTE_ERROR:
        case CURLE_REMOTE_ACCESS_DENIED: return f::refused;
        default: return f::other;
    }
}

}  // namespace

void transfer_control::cancel() {
    cancelled_ = true;
    std::lock_guard lock(mutex_);
    if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
}

void transfer_control::opened(int fd) {
    std::lock_guard lock(mutex_);
    socket_ = fd;
    if (cancelled_) ::shutdown(fd, SHUT_RDWR);
}

void transfer_control::closed(int fd) {
    std::lock_guard lock(mutex_);
    if (socket_ == fd) socket_ = -1;
}

smtp_outcome send_blocking(const email_settings& s, const mail_message& m, std::chrono::seconds timeout,
                           transfer_control* control) {
    try {
        global_init();
    } catch (const std::exception& e) {  // libcurl could not be loaded: said as the send's failure
        return {smtp_outcome::failure_t::other, 0, "", e.what()};
    }
    if (control && control->cancelled()) return {smtp_outcome::failure_t::dropped, 0, "", "warroom is stopping"};
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl::easy_init(), curl::easy_cleanup);
    if (!curl) return {smtp_outcome::failure_t::other, 0, "", "curl_easy_init failed"};
    curl_slist* rcpt = nullptr;
    for (const auto& to : m.to) rcpt = curl::slist_append(rcpt, ("<" + to + ">").c_str());
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt_owner(rcpt, curl::slist_free_all);

    upload body{&m.data};
    std::string last_reply;
    char error[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    const std::string from = "<" + m.from + ">";
    curl::easy_setopt(c, CURLOPT_URL, s.smtp_url.c_str());
    curl::easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl::easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(s.require_starttls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    curl::easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl::easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    // The rest of warroom verifies through OpenSSL, which reads SSL_CERT_FILE; libcurl
    // uses its own built-in bundle path unless told, so tell it the same file.
    if (const char* ca = std::getenv("SSL_CERT_FILE"); ca && *ca) curl::easy_setopt(c, CURLOPT_CAINFO, ca);
    if (!s.username.empty()) {
        curl::easy_setopt(c, CURLOPT_USERNAME, s.username.c_str());
        curl::easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    curl::easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl::easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    // One refused address on a list must not keep the message from the others.
    curl::easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
    curl::easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl::easy_setopt(c, CURLOPT_READFUNCTION, read_body);
    curl::easy_setopt(c, CURLOPT_READDATA, &body);
    curl::easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.data.size()));
    curl::easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl::easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
    curl::easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for name resolution timeouts
    curl::easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl::easy_setopt(c, CURLOPT_DEBUGFUNCTION, watch_replies);
    curl::easy_setopt(c, CURLOPT_DEBUGDATA, &last_reply);
    curl::easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds watch_replies; it prints nothing
    curl::easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_cancelled);
    curl::easy_setopt(c, CURLOPT_XFERINFODATA, control);
    curl::easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, socket_opened);
    curl::easy_setopt(c, CURLOPT_SOCKOPTDATA, control);
    curl::easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, socket_closing);
    curl::easy_setopt(c, CURLOPT_CLOSESOCKETDATA, control);
    curl::easy_setopt(c, CURLOPT_NOPROGRESS, 0L);

    CURLcode code = curl::easy_perform(c);
    smtp_outcome out;
    out.failure = failure_of(code);
    if (code != CURLE_OK) {
        long reply = 0;
        curl::easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
        out.reply_code = reply;
        out.reply = last_reply;
        out.detail = error[0] ? error : curl::easy_strerror(code);
        if (out.failure == smtp_outcome::failure_t::other && reply >= 400) out.failure = smtp_outcome::failure_t::refused;
    }
    return out;
}

smtp_worker::smtp_worker(email_settings settings, std::chrono::seconds timeout)
    : settings_(std::move(settings)), timeout_(timeout), thread_([this] { run(); }) {}

smtp_worker::~smtp_worker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void smtp_worker::submit(mail_message m, std::function<void(send_result)> done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.emplace_back(std::move(m), std::move(done));
            wake_.notify_one();
            return;
        }
    }
    done({send_result::retry, "warroom is stopping"});
}

void smtp_worker::run() {
    for (;;) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) {
            auto left = std::move(queue_);
            lock.unlock();
            for (auto& [m, done] : left) done({send_result::retry, "warroom is stopping"});
            return;
        }
        auto [m, done] = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        auto outcome = send_blocking(settings_, m, timeout_, &control_);
        if (control_.cancelled() && outcome.failure != smtp_outcome::failure_t::none) {
            outcome = {smtp_outcome::failure_t::dropped, 0, "", "warroom is stopping"};
        }
        done(classify(outcome));
    }
}

}  // namespace warroom::email
