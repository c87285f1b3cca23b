#include "bot/healthcheck_command.hpp"

#include <cerrno>
#include <cstring>
#include <ostream>
#include <string_view>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace warroom::bot {

namespace {

struct target {
    std::string host, port, path;
};

// "http://host:port/path" or "host:port"; nullopt-like empty host on anything else.
target parse_target(std::string url, const std::string& default_path) {
    target t;
    constexpr std::string_view scheme = "http://";
    if (url.rfind(scheme, 0) == 0) url.erase(0, scheme.size());
    auto slash = url.find('/');
    t.path = slash == std::string::npos ? default_path : url.substr(slash);
    std::string hostport = url.substr(0, slash);
    if (!hostport.empty() && hostport.front() == '[') {  // [::1]:3000
        auto close = hostport.find(']');
        if (close == std::string::npos) return {};
        t.host = hostport.substr(1, close - 1);
        if (close + 1 < hostport.size() && hostport[close + 1] == ':') t.port = hostport.substr(close + 2);
    } else {
        auto colon = hostport.rfind(':');
        t.host = hostport.substr(0, colon);
        if (colon != std::string::npos) t.port = hostport.substr(colon + 1);
    }
    if (t.port.empty()) t.port = "80";
    if (t.host == "0.0.0.0" || t.host.empty()) t.host = "127.0.0.1";
    if (t.host == "::") t.host = "::1";
    return t;
}

struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

int run_healthcheck_command(const config& cfg, const std::string& url, bool ready, std::ostream& out,
                            std::ostream& err) {
    auto t = parse_target(url.empty() ? cfg.listen : url, ready ? "/readyz" : "/healthz");
    if (t.host.empty()) {
        err << "warroom healthcheck: cannot read the address " << url << "\n";
        return 2;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &found); rc != 0) {
        err << "warroom healthcheck: " << t.host << ": " << ::gai_strerror(rc) << "\n";
        return 1;
    }
    std::string response;
    std::string failure = "no address";
    for (auto* a = found; a; a = a->ai_next) {
        fd_guard s{::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol)};
        if (s.fd < 0) continue;
        timeval timeout{5, 0};  // a hung server is an unhealthy one
        ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        if (::connect(s.fd, a->ai_addr, a->ai_addrlen) != 0) {
            failure = std::strerror(errno);
            continue;
        }
        std::string request = "GET " + t.path + " HTTP/1.1\r\nHost: " + t.host + "\r\nUser-Agent: warroom-healthcheck\r\n"
                              "Connection: close\r\n\r\n";
        if (::send(s.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
            failure = std::strerror(errno);
            continue;
        }
        char buf[4096];
        for (;;) {
            auto n = ::recv(s.fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            response.append(buf, static_cast<std::size_t>(n));
            if (response.size() > 64 * 1024) break;
        }
        break;
    }
    ::freeaddrinfo(found);
    if (response.empty()) {
        err << "warroom healthcheck: no answer from " << t.host << ":" << t.port << t.path << ": " << failure << "\n";
        return 1;
    }
    // "HTTP/1.1 200 OK\r\n...\r\n\r\n{body}"
    auto status_end = response.find("\r\n");
    std::string status_line = response.substr(0, status_end);
    auto body_at = response.find("\r\n\r\n");
    std::string body = body_at == std::string::npos ? "" : response.substr(body_at + 4);
    bool ok = status_line.rfind("HTTP/1.", 0) == 0 && status_line.size() >= 12 && status_line.substr(9, 3) == "200";
    (ok ? out : err) << status_line << (body.empty() ? "\n" : "\n" + body);
    if (!body.empty() && body.back() != '\n') (ok ? out : err) << "\n";
    return ok ? 0 : 1;
}

}  // namespace warroom::bot
