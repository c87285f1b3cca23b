// The HTTP(S) client: connect, TLS handshake with host verification, then
// requests one at a time over the kept-alive connection.
#include "bot/net/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace warroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
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

struct http_client::impl {
    asio::any_io_executor ex;
    ssl::context& tls;
    url_parts origin;
    std::chrono::seconds timeout;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
    std::chrono::steady_clock::time_point last_used{};
    beast::flat_buffer buffer;

    // Slack closes idle keep-alive connections; reconnecting before that
    // avoids sending into a socket the server is about to close.
    static constexpr auto max_idle = std::chrono::seconds(30);

    bool connected() const { return plain || secure; }

    void close() {
        beast::error_code ignored;
        if (plain) plain->socket().close(ignored);
        if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
        plain.reset();
        secure.reset();
        buffer.clear();
    }

    asio::awaitable<std::string> connect() {
        close();
        tcp::resolver resolver(ex);
        auto [rec, results] = co_await resolver.async_resolve(origin.host, origin.port, tuple_awaitable);
        if (rec) co_return "resolving " + origin.host + ": " + rec.message();
        if (!origin.tls) {
            plain = std::make_unique<beast::tcp_stream>(ex);
            plain->expires_after(timeout);
            auto [cec, ep] = co_await plain->async_connect(results, tuple_awaitable);
            if (cec) {
                close();
                co_return "connecting to " + origin.host + ":" + origin.port + ": " + cec.message();
            }
            co_return "";
        }
        secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls);
        if (!SSL_set_tlsext_host_name(secure->native_handle(), origin.host.c_str())) {
            close();
            co_return "setting TLS server name for " + origin.host;
        }
        secure->set_verify_callback(ssl::host_name_verification(origin.host));
        auto& layer = beast::get_lowest_layer(*secure);
        layer.expires_after(timeout);
        auto [cec, ep] = co_await layer.async_connect(results, tuple_awaitable);
        if (cec) {
            close();
            co_return "connecting to " + origin.host + ":" + origin.port + ": " + cec.message();
        }
        layer.expires_after(timeout);
        auto [hec] = co_await secure->async_handshake(ssl::stream_base::client, tuple_awaitable);
        if (hec) {
            close();
            co_return "TLS handshake with " + origin.host + ": " + hec.message();
        }
        co_return "";
    }

    template <class Stream>
    asio::awaitable<client_result> exchange(Stream& stream, http::request<http::string_body>& req) {
        client_result out;
        beast::get_lowest_layer(stream).expires_after(timeout);
        auto [wec, wn] = co_await http::async_write(stream, req, tuple_awaitable);
        if (wec) {
            out.error = "sending to " + origin.host + ": " + wec.message();
            out.closed_by_peer = true;
            co_return out;
        }
        out.maybe_delivered = true;
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        beast::get_lowest_layer(stream).expires_after(timeout);
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
};

http_client::http_client(asio::any_io_executor ex, ssl::context& tls, url_parts origin, std::chrono::seconds timeout)
    : impl_(std::make_unique<impl>(impl{ex, tls, std::move(origin), timeout, {}, {}, {}, {}})) {}

http_client::~http_client() = default;

const url_parts& http_client::origin() const { return impl_->origin; }

asio::awaitable<client_result> http_client::post(std::string path, std::string content_type, std::string body,
                                                 std::vector<std::pair<std::string, std::string>> headers) {
    auto& s = *impl_;
    http::request<http::string_body> req{http::verb::post, s.origin.path + path, 11};
    req.set(http::field::host, s.origin.host);
    req.set(http::field::user_agent, "warroom");
    req.set(http::field::content_type, content_type);
    for (auto& [k, v] : headers) req.set(k, v);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();

    bool reused = s.connected() && std::chrono::steady_clock::now() - s.last_used < impl::max_idle;
    if (!reused) {
        if (auto err = co_await s.connect(); !err.empty()) co_return client_result{err, false, 0, {}, {}, false};
    }
    // Not `c ? co_await a : co_await b`: GCC 12 destroys that result twice.
    client_result result;
    if (s.secure)
        result = co_await s.exchange(*s.secure, req);
    else
        result = co_await s.exchange(*s.plain, req);
    // A reused connection the server had already closed fails at once with
    // eof or reset before any answer: reconnect and send once more.
    if (!result.error.empty() && result.closed_by_peer && reused) {
        s.close();
        if (auto err = co_await s.connect(); !err.empty()) co_return client_result{err, result.maybe_delivered, 0, {}, {}, false};
        if (s.secure)
            result = co_await s.exchange(*s.secure, req);
        else
            result = co_await s.exchange(*s.plain, req);
    }
    if (!result.error.empty()) s.close();
    s.last_used = std::chrono::steady_clock::now();
    co_return result;
}

}  // namespace warroom::net
