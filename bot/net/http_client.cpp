// The HTTP(S) client: connect, TLS handshake with host verification, then
// requests over a few kept-alive connections, one request per connection at a time.
#include "bot/net/http_client.hpp"

#include "bot/net/stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <vector>

namespace warroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::optional<url_parts> parse_url(std::string_view url) {
    url_parts p;
    if (url.starts_with("https://")) {
        url.remove_prefix(8);
        p.tls = true;
        p.port = "443";
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
        p.tls = false;
        p.port = "80";
    } else {
        return std::nullopt;
    }
    auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    p.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        p.port = std::string(authority.substr(colon + 1));
        authority = authority.substr(0, colon);
    }
    p.host = std::string(authority);
    if (p.host.empty() || p.port.empty()) return std::nullopt;
    return p;
}

// What a call made after cancel() answers.
static std::string stopping_error(const url_parts& origin) { return "stopping: no new request to " + origin.host; }

// One kept-alive connection. A connection carries one request at a time:
// Beast asserts on overlapping reads or writes of a stream.
struct connection {
    ssl::context& tls;
    const bool& cancelled;  // the client's: no new connection or request after cancel()
    const url_parts& origin;
    std::chrono::seconds timeout;
    net::stream stream;
    std::chrono::steady_clock::time_point last_used{};
    beast::flat_buffer buffer;
    bool busy = false;

    // Slack closes idle keep-alive connections; reconnecting before that
    // avoids sending into a socket the server is about to close.
    static constexpr auto max_idle = std::chrono::seconds(30);

    connection(asio::any_io_executor e, ssl::context& t, const bool& c, const url_parts& o, std::chrono::seconds to)
        : tls(t), cancelled(c), origin(o), timeout(to), stream(std::move(e)) {}

    bool fresh() const { return stream.is_open() && std::chrono::steady_clock::now() - last_used < max_idle; }

    void close() {
        stream.close();
        buffer.clear();
    }

    asio::awaitable<std::string> connect() {
        close();
        auto err = co_await stream.connect(tls, origin, timeout);
        if (err.empty() && cancelled) {
            stream.close();
            err = stopping_error(origin);
        }
        co_return err;
    }

    asio::awaitable<client_result> exchange(http::request<http::string_body>& req) {
        client_result out;
        if (cancelled) {
            out.error = stopping_error(origin);
            co_return out;
        }
        stream.tcp().expires_after(timeout);
        auto [wec, wn] = co_await http::async_write(stream, req, tuple_awaitable);
        if (wec) {
            out.error = "sending to " + origin.host + ": " + wec.message();
            out.closed_by_peer = true;
            co_return out;
        }
        out.maybe_delivered = true;
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        stream.tcp().expires_after(timeout);
        auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
        if (rec) {
            out.closed_by_peer = rec == http::error::end_of_stream || rec == asio::error::connection_reset ||
                                 rec == asio::error::eof || rec == asio::error::broken_pipe;
            out.error = (rec == beast::error::timeout ? "no answer from " : "reading from ") + origin.host + ": " + rec.message();
            co_return out;
        }
        auto& res = parser.get();
        out.status = res.result_int();
        out.body = std::move(res.body());
        if (auto it = res.find(http::field::retry_after); it != res.end()) out.retry_after = std::string(it->value());
        if (!res.keep_alive()) close();
        co_return out;
    }

    asio::awaitable<client_result> send(http::request<http::string_body>& req, bool may_resend) {
        bool reused = fresh();
        if (reused && !may_resend) {
            // Not safe to send twice: a fresh connection, so a stale one is never the reason to.
            close();
            reused = false;
        }
        if (!reused) {
            if (auto err = co_await connect(); !err.empty()) co_return client_result{err, false, 0, {}, {}, false};
        }
        client_result result = co_await exchange(req);
        // A reused connection the server had already closed fails at once with
        // eof or reset before any answer: reconnect and send once more.
        if (!result.error.empty() && result.closed_by_peer && reused && may_resend) {
            close();
            if (auto err = co_await connect(); !err.empty())
                co_return client_result{err, result.maybe_delivered, 0, {}, {}, false};
            result = co_await exchange(req);
        }
        if (!result.error.empty()) close();
        last_used = std::chrono::steady_clock::now();
        co_return result;
    }
};

// A few connections to one host, each lent to one request at a time. The
// delivery worker, interaction answers (views.open has a 3 s trigger_id) and
// event intake all call Slack at once; past `max_connections` they queue.
struct http_client::impl {
    asio::any_io_executor ex;
    ssl::context& tls;
    url_parts origin;
    std::chrono::seconds timeout;
    std::vector<std::unique_ptr<connection>> pool;
    std::deque<asio::steady_timer*> waiting;
    bool cancelled = false;

    static constexpr std::size_t max_connections = 4;

    impl(asio::any_io_executor e, ssl::context& t, url_parts o, std::chrono::seconds to)
        : ex(std::move(e)), tls(t), origin(std::move(o)), timeout(to) {}

    connection* idle() {
        connection* best = nullptr;
        for (auto& c : pool) {
            if (c->busy) continue;
            // A warm connection saves a handshake; among those, the most recently used.
            if (!best || (c->fresh() && (!best->fresh() || c->last_used > best->last_used))) best = c.get();
        }
        if (!best && pool.size() < max_connections)
            best = pool.emplace_back(std::make_unique<connection>(ex, tls, cancelled, origin, timeout)).get();
        return best;
    }

    asio::awaitable<connection*> acquire() {
        for (;;) {
            if (cancelled) co_return nullptr;
            if (auto* c = idle()) {
                c->busy = true;
                co_return c;
            }
            asio::steady_timer wake(ex, asio::steady_timer::time_point::max());
            waiting.push_back(&wake);
            // Unlisted however the wait ends, so release() never touches a dead timer.
            struct unlist {
                std::deque<asio::steady_timer*>& q;
                asio::steady_timer* t;
                ~unlist() { std::erase(q, t); }
            } guard{waiting, &wake};
            auto [ec] = co_await wake.async_wait(tuple_awaitable);
            (void)ec;  // cancelled means a connection was released
        }
    }

    void release(connection* c) {
        c->busy = false;
        if (!waiting.empty()) {
            auto* t = waiting.front();
            waiting.pop_front();
            t->cancel();
        }
    }
};

http_client::http_client(asio::any_io_executor ex, ssl::context& tls, url_parts origin, std::chrono::seconds timeout)
    : impl_(std::make_unique<impl>(ex, tls, std::move(origin), timeout)) {}

http_client::~http_client() = default;

const url_parts& http_client::origin() const { return impl_->origin; }

void http_client::cancel() {
    auto& s = *impl_;
    s.cancelled = true;
    // Only the socket: a busy connection's buffer is in use by its read,
    // which now ends with operation_aborted and closes the rest itself.
    for (auto& c : s.pool) c->stream.close();
    for (auto* t : s.waiting) t->cancel();
}

asio::awaitable<client_result> http_client::post(std::string path, std::string content_type, std::string body,
                                                 std::vector<std::pair<std::string, std::string>> headers) {
    return request("POST", std::move(path), std::move(content_type), std::move(body), std::move(headers), true);
}

asio::awaitable<client_result> http_client::request(std::string method, std::string path, std::string content_type,
                                                    std::string body,
                                                    std::vector<std::pair<std::string, std::string>> headers,
                                                    bool may_resend) {
    auto& s = *impl_;
    auto verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
        client_result refused;
        refused.error = "unknown HTTP method " + method;
        co_return refused;
    }
    http::request<http::string_body> req{verb, s.origin.path + path, 11};
    req.set(http::field::host, s.origin.host);
    req.set(http::field::user_agent, "warroom");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    for (auto& [k, v] : headers) req.set(k, v);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();

    connection* c = co_await s.acquire();
    if (!c) {
        client_result stopped;
        stopped.error = stopping_error(s.origin);
        co_return stopped;
    }
    struct lease {
        impl& pool;
        connection* c;
        ~lease() { pool.release(c); }
    } held{s, c};
    auto result = co_await c->send(req, may_resend);
    co_return result;
}

}  // namespace warroom::net
