#include "bot/net/stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace warroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

stream::stream(executor_type ex) : ex_(ex), plain_(std::make_unique<beast::tcp_stream>(ex)) {}
stream::~stream() = default;
stream::stream(stream&&) noexcept = default;

beast::tcp_stream& stream::tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

bool stream::is_open() const {
    return tls_ ? beast::get_lowest_layer(*tls_).socket().is_open() : plain_->socket().is_open();
}

void stream::close() {
    beast::error_code ignored;
    tcp().socket().close(ignored);
}

asio::awaitable<std::string> stream::connect(ssl::context& tls, const url_parts& where,
                                             std::chrono::steady_clock::duration timeout) {
    close();
    tls_.reset();
    plain_ = std::make_unique<beast::tcp_stream>(ex_);
    tcp::resolver resolver(ex_);
    auto [rec, results] = co_await resolver.async_resolve(where.host, where.port, tuple_awaitable);
    if (rec) co_return "resolving " + where.host + ": " + rec.message();
    if (where.tls) {
        plain_.reset();
        tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex_, tls);
        if (!SSL_set_tlsext_host_name(tls_->native_handle(), where.host.c_str()))
            co_return "setting TLS server name for " + where.host;
        tls_->set_verify_callback(ssl::host_name_verification(where.host));
    }
    auto& layer = tcp();
    layer.expires_after(timeout);
    auto [cec, ep] = co_await layer.async_connect(results, tuple_awaitable);
    if (cec) {
        close();
        co_return "connecting to " + where.host + ":" + where.port + ": " + cec.message();
    }
    // A request past one write (64 KiB, see stream.hpp) takes several: without
    // TCP_NODELAY the later ones meet Nagle and the peer's delayed ACK, 40 ms a call.
    beast::error_code nec;
    layer.socket().set_option(tcp::no_delay(true), nec);
    if (tls_) {
        layer.expires_after(timeout);
        auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, tuple_awaitable);
        if (hec) {
            close();
            co_return "TLS handshake with " + where.host + ": " + hec.message();
        }
    }
    layer.expires_never();
    co_return "";
}

// The handlers are bound to the stream's executor (every operation of a
// connection runs there anyway): Beast posts completions with blocking.never,
// which Boost 1.81's any_completion_executor does not offer.
void stream::read_some(asio::mutable_buffer b, io_handler h) {
    if (tls_)
        tls_->async_read_some(b, asio::bind_executor(ex_, std::move(h)));
    else
        plain_->async_read_some(b, asio::bind_executor(ex_, std::move(h)));
}

void stream::write_some(asio::const_buffer b, io_handler h) {
    if (tls_)
        tls_->async_write_some(b, asio::bind_executor(ex_, std::move(h)));
    else
        plain_->async_write_some(b, asio::bind_executor(ex_, std::move(h)));
}

// Beast's own teardown for each real stream type, found by argument-dependent lookup.
void stream::teardown_async(beast::role_type role, done_handler h) {
    using beast::websocket::async_teardown;
    if (tls_)
        async_teardown(role, *tls_, asio::bind_executor(ex_, std::move(h)));
    else
        async_teardown(role, *plain_, asio::bind_executor(ex_, std::move(h)));
}

void teardown(beast::role_type role, stream& s, beast::error_code& ec) {
    using beast::websocket::teardown;
    if (s.tls_)
        teardown(role, *s.tls_, ec);
    else
        teardown(role, *s.plain_, ec);
}

}  // namespace warroom::net
