// The one instantiation of Beast's WebSocket in the program: over
// net::stream, which is TLS or plain at run time.
#include "bot/net/websocket.hpp"

#include "bot/net/stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace warroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct websocket::impl {
    impl(asio::any_io_executor ex, asio::ssl::context& t, ws_options o) : tls(t), opts(o), ws(stream(ex)) {}

    asio::ssl::context& tls;
    ws_options opts;
    ws::stream<stream> ws;
    std::string where;
};

websocket::websocket(asio::any_io_executor ex, asio::ssl::context& tls, ws_options opts)
    : impl_(std::make_unique<impl>(std::move(ex), tls, opts)) {}

websocket::~websocket() = default;

asio::awaitable<std::string> websocket::open(const std::string& url) {
    auto& s = *impl_;
    bool secure = url.starts_with("wss://");
    std::string as_http;
    if (secure)
        as_http = "https://" + url.substr(6);
    else if (url.starts_with("ws://"))
        as_http = "http://" + url.substr(5);
    auto parts = parse_url(as_http);
    if (!parts) co_return "not a ws:// or wss:// url";
    s.where = (secure ? "wss://" : "ws://") + parts->host + ":" + parts->port;

    if (auto err = co_await s.ws.next_layer().connect(s.tls, *parts, s.opts.open_within); !err.empty()) co_return err;

    ws::stream_base::timeout t{};
    t.handshake_timeout = s.opts.open_within;
    t.idle_timeout = s.opts.idle_timeout;
    t.keep_alive_pings = true;
    s.ws.set_option(t);
    s.ws.set_option(
        ws::stream_base::decorator([](ws::request_type& req) { req.set(beast::http::field::user_agent, "warroom"); }));
    s.ws.read_message_max(s.opts.max_message);
    std::string host_header = parts->host;
    if (parts->port != (secure ? "443" : "80")) host_header += ":" + parts->port;
    auto [ec] = co_await s.ws.async_handshake(host_header, parts->path, tuple_awaitable);
    if (ec) {
        abort();
        co_return "WebSocket handshake with " + s.where + ": " + ec.message();
    }
    co_return "";
}

asio::awaitable<ws_message> websocket::read() {
    beast::flat_buffer buffer;
    auto [ec, n] = co_await impl_->ws.async_read(buffer, tuple_awaitable);
    ws_message m;
    if (!ec) {
        m.text = beast::buffers_to_string(buffer.data());
        co_return m;
    }
    m.error = ec.message();
    if (ec == ws::error::closed)
        m.end = ws_end::closed;
    else if (ec == beast::error::timeout)
        m.end = ws_end::timeout;
    else if (ec == asio::error::eof || ec == asio::error::connection_reset)
        m.end = ws_end::dropped;
    else
        m.end = ws_end::other;
    co_return m;
}

asio::awaitable<std::string> websocket::write_text(const std::string& text) {
    impl_->ws.text(true);
    auto [ec, n] = co_await impl_->ws.async_write(asio::buffer(text), tuple_awaitable);
    co_return ec ? ec.message() : "";
}

asio::awaitable<std::string> websocket::close_normally() {
    ws::close_reason why(ws::close_code::normal);
    auto [ec] = co_await impl_->ws.async_close(why, tuple_awaitable);
    co_return ec && ec != asio::error::operation_aborted ? ec.message() : "";
}

void websocket::abort() { impl_->ws.next_layer().close(); }

std::string websocket::close_reason() const {
    const auto& r = impl_->ws.reason();
    std::string out = std::to_string(r.code);
    if (!r.reason.empty()) out += " " + std::string(r.reason.data(), r.reason.size());
    return out;
}

const std::string& websocket::where() const { return impl_->where; }

}  // namespace warroom::net
