// The HTTP server: one coroutine per connection, reading top to bottom.
#include "bot/net/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <stdexcept>

namespace warroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

bool header_less::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
}

struct http_server::state : std::enable_shared_from_this<state> {
    tcp::acceptor acceptor;
    http_handler handler;
    server_limits limits;
    std::atomic<std::size_t> active{0};
    std::atomic<bool> stopping{false};

    state(asio::io_context& io, const tcp::endpoint& at, http_handler h, server_limits l)
        : acceptor(io), handler(std::move(h)), limits(l) {
        acceptor.open(at.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(at);
        acceptor.listen(asio::socket_base::max_listen_connections);
    }

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec == asio::error::operation_aborted || stopping) co_return;
            if (ec) {
                // Typically EMFILE: log and keep serving the connections we have.
                spdlog::warn("http: accept failed: {}", ec.message());
                continue;
            }
            if (active >= limits.max_connections) {
                beast::error_code ignored;
                socket.close(ignored);
                continue;
            }
            asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket))),
                           [](std::exception_ptr e) {
                               if (!e) return;
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& ex) {
                                   spdlog::error("http: session ended by an exception: {}", ex.what());
                               }
                           });
        }
    }

    static http_response simple(unsigned status, std::string body) {
        http_response r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }

    asio::awaitable<void> write(beast::tcp_stream& stream, const http_response& resp, unsigned version, bool keep_alive,
                                beast::error_code& ec) {
        http::response<http::string_body> res{static_cast<http::status>(resp.status), version};
        res.set(http::field::server, "warroom");
        res.set(http::field::content_type, resp.content_type);
        for (const auto& [k, v] : resp.headers) res.set(k, v);
        res.keep_alive(keep_alive);
        res.body() = resp.body;
        res.prepare_payload();
        stream.expires_after(limits.write_timeout);
        auto [wec, n] = co_await http::async_write(stream, res, tuple_awaitable);
        ec = wec;
    }

    asio::awaitable<void> session(beast::tcp_stream stream) {
        auto self = shared_from_this();
        ++active;
        struct leave {
            std::atomic<std::size_t>& n;
            ~leave() { --n; }
        } guard{active};

        beast::flat_buffer buffer;
        bool first = true;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(limits.max_body);
            parser.header_limit(32 * 1024);
            // A kept-alive connection may sit idle longer than a request may take to arrive.
            stream.expires_after(first ? limits.read_timeout : limits.idle_timeout);
            first = false;
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
            if (ec == http::error::body_limit) {
                beast::error_code wec;
                auto refusal = simple(413, "request body too large\n");
                co_await write(stream, refusal, 11, false, wec);
                break;
            }
            if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
                ec == asio::error::operation_aborted)
                break;
            if (ec) {
                beast::error_code wec;
                auto refusal = simple(400, "malformed request\n");
                co_await write(stream, refusal, 11, false, wec);
                break;
            }
            auto& req = parser.get();
            http_request r;
            r.method = std::string(req.method_string());
            r.target = std::string(req.target());
            for (const auto& field : req) r.headers[std::string(field.name_string())] = std::string(field.value());
            r.body = std::move(req.body());
            bool keep_alive = req.keep_alive() && !stopping;
            unsigned version = req.version();

            http_response resp;
            try {
                resp = co_await handler(std::move(r));
            } catch (const std::exception& e) {
                spdlog::error("http: {} {} failed: {}", std::string(req.method_string()), std::string(req.target()), e.what());
                resp = simple(500, "internal error\n");
            }
            beast::error_code wec;
            co_await write(stream, resp, version, keep_alive, wec);
            if (wec || !keep_alive) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.close();
    }
};

http_server::http_server(asio::io_context& io, const tcp::endpoint& at, http_handler handler, server_limits limits)
    : state_(std::make_shared<state>(io, at, std::move(handler), limits)) {}

http_server::~http_server() { stop(); }

void http_server::start() {
    asio::co_spawn(state_->acceptor.get_executor(), state_->accept_loop(), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::critical("http: the listener stopped: {}", ex.what());
        }
    });
}

void http_server::stop() {
    if (state_->stopping.exchange(true)) return;
    beast::error_code ignored;
    state_->acceptor.close(ignored);
}

std::size_t http_server::active_connections() const { return state_->active; }

tcp::endpoint http_server::local_endpoint() const { return state_->acceptor.local_endpoint(); }

tcp::endpoint parse_listen_address(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("expected host:port, got \"" + text + "\"");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    int port = 0;
    try {
        port = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
        throw std::invalid_argument("bad port in \"" + text + "\"");
    }
    if (port < 0 || port > 65535) throw std::invalid_argument("bad port in \"" + text + "\"");
    beast::error_code ec;
    auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) throw std::invalid_argument("bad address \"" + host + "\": give an IP address");
    return {addr, static_cast<unsigned short>(port)};
}

}  // namespace warroom::net
