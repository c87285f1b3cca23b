// The HTTP server: one coroutine per connection, reading top to bottom.
// What hostile clients can hold is bounded: connections (the idlest close
// first at the cap), request bodies (a shared byte budget, checked before a
// body is read) and log lines (one per episode of pressure).
#include "bot/net/http_server.hpp"

#include "bot/net/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <list>
#include <stdexcept>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace warroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

// Bodies up to this size are Slack's usual traffic: a refused one is still
// read (the connection stays usable) and they may use the budget's reserve.
constexpr std::size_t small_body = 64 * 1024;
// glibc keeps freed memory of big bodies for reuse; after this many bytes of
// bodies, once few are in flight, it is handed back to the system.
constexpr std::size_t trim_after = 16 * 1024 * 1024;

}  // namespace

bool header_less::operator()(std::string_view a, std::string_view b) const {
    // ASCII folding inline: what std::tolower does in the C locale we run in,
    // without its call per character (a header lookup ran ~700 of them).
    auto lower = [](char c) { return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [&](char x, char y) { return lower(x) < lower(y); });
}

struct http_server::state : std::enable_shared_from_this<state> {
    // A connection's place in the eviction order. Only one waiting for a
    // request (idle) or still receiving one (reading) may be closed to make
    // room; one being answered never is.
    enum class phase { busy, idle, reading };
    struct conn {
        beast::tcp_stream* stream = nullptr;
        phase at = phase::busy;
        std::list<conn*>::iterator pos;
        std::chrono::steady_clock::time_point since;
        bool closed_by_us = false;
    };

    tcp::acceptor acceptor;
    task_group* tasks = nullptr;
    http_handler handler;
    header_gate gate;
    server_limits limits;
    std::atomic<bool> stopping{false};
    // Network thread only (every session and the acceptor run on it).
    std::list<conn*> idle, reading;  // front: in that phase the longest
    std::size_t open = 0;             // connections not closed by us
    bool under_pressure = false;
    server_stats counters;
    std::uint64_t episode_closed = 0, episode_refused = 0;
    bool out_of_descriptors = false;
    std::size_t body_in_use = 0, body_since_trim = 0;
    bool body_full = false;
    std::uint64_t episode_body_refused = 0;

    state(asio::io_context& io, const tcp::endpoint& at, http_handler h, server_limits l)
        : acceptor(io), handler(std::move(h)), limits(l) {
        limits.max_connections = std::max<std::size_t>(limits.max_connections, 4);
        acceptor.open(at.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(at);
        acceptor.listen(asio::socket_base::max_listen_connections);
    }

    std::list<conn*>& list_of(phase p) { return p == phase::idle ? idle : reading; }

    void enter(conn& c, phase p) {
        leave(c);
        auto& l = list_of(p);
        c.pos = l.insert(l.end(), &c);
        c.at = p;
        c.since = std::chrono::steady_clock::now();
    }

    void leave(conn& c) {
        if (c.at == phase::busy) return;
        list_of(c.at).erase(c.pos);
        c.at = phase::busy;
    }

    // Closes the connection idle the longest, else (unless idle_only) the one
    // receiving a request the longest: false when every one is busy.
    bool close_one(bool idle_only) {
        conn* c = !idle.empty() ? idle.front() : (!idle_only && !reading.empty() ? reading.front() : nullptr);
        if (!c) return false;
        leave(*c);
        c->closed_by_us = true;
        --open;
        ++counters.closed_idle;
        ++episode_closed;
        // Its session wakes with operation_aborted and closes the socket.
        c->stream->cancel();
        return true;
    }

    std::size_t high_water() const { return limits.max_connections - limits.max_connections / 4; }

    void pressure_check() {
        if (!under_pressure && open >= high_water()) {
            under_pressure = true;
            episode_closed = episode_refused = 0;
            spdlog::warn("http: {} connections open (cap {}): idle ones now close after {} s, and the idlest close "
                         "first to make room (WARROOM_MAX_CONNECTIONS)",
                         open, limits.max_connections, limits.busy_idle_timeout.count());
        } else if (under_pressure && open <= limits.max_connections / 2) {
            under_pressure = false;
            spdlog::info("http: connection pressure over ({} open): {} closed to make room, {} turned away", open,
                         episode_closed, episode_refused);
        }
    }

    // Under pressure, idle connections get the short idle timeout, including
    // those that started waiting before it began.
    void close_overdue_idle() {
        auto now = std::chrono::steady_clock::now();
        while (!idle.empty() && now - idle.front()->since > limits.busy_idle_timeout) close_one(true);
    }

    asio::awaitable<void> pause(std::chrono::milliseconds d) {
        asio::steady_timer t(acceptor.get_executor(), d);
        co_await t.async_wait(tuple_awaitable);
    }

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec == asio::error::operation_aborted || stopping) co_return;
            if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
                ec == asio::error::no_memory) {
                // The connection stays in the backlog: free a descriptor (or
                // wait for one) rather than spin on the same error.
                if (!out_of_descriptors)
                    spdlog::warn("http: cannot accept ({}; {} connections open): closing idle ones to make room",
                                 ec.message(), open);
                out_of_descriptors = true;
                if (!close_one(true)) ++counters.refused;
                co_await pause(20ms);
                continue;
            }
            if (ec) {
                spdlog::warn("http: accept failed: {}", ec.message());
                co_await pause(20ms);
                continue;
            }
            if (out_of_descriptors) {
                out_of_descriptors = false;
                spdlog::info("http: accepting connections again ({} open)", open);
            }
            if (under_pressure) close_overdue_idle();
            if (open >= limits.max_connections && !close_one(false)) {
                ++counters.refused;
                ++episode_refused;
                beast::error_code ignored;
                socket.close(ignored);
                continue;
            }
            ++open;
            pressure_check();
            if (tasks) {
                tasks->spawn("http connection", session(beast::tcp_stream(std::move(socket))));
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

    // The share of the body budget one request holds, given back when it is answered.
    struct body_claim {
        state& s;
        std::size_t held = 0;
        bool take(std::size_t n) {
            std::size_t limit = s.limits.body_memory + (n <= small_body ? s.limits.body_memory / 4 : 0);
            if (s.body_in_use + n > limit) {
                ++s.counters.body_memory_full;
                ++s.episode_body_refused;
                if (!s.body_full) {
                    s.body_full = true;
                    s.episode_body_refused = 1;
                    spdlog::warn("http: request bodies in flight hold {} bytes (budget {}): answering 503 until "
                                 "some are done (WARROOM_BODY_MEMORY_MB)",
                                 s.body_in_use, s.limits.body_memory);
                }
                return false;
            }
            s.body_in_use += n;
            s.body_since_trim += n;
            held = n;
            return true;
        }
        ~body_claim() {
            s.body_in_use -= held;
            if (s.body_full && s.body_in_use <= s.limits.body_memory / 2) {
                s.body_full = false;
                spdlog::info("http: request bodies back under budget; {} requests were answered 503",
                             s.episode_body_refused);
            }
            if (s.body_in_use < small_body && s.body_since_trim >= trim_after) {
                s.body_since_trim = 0;
#if defined(__GLIBC__)
                malloc_trim(0);
#endif
            }
        }
    };

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

    // A read that failed: the answer, if the client should get one.
    static std::optional<http_response> read_failure(const beast::error_code& ec) {
        if (ec == http::error::body_limit) return simple(413, "request body too large\n");
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
            ec == asio::error::operation_aborted || ec == asio::error::eof)
            return std::nullopt;
        return simple(400, "malformed request\n");
    }

    void forget(conn& c) {
        leave(c);
        if (!c.closed_by_us) --open;
        pressure_check();
    }

    asio::awaitable<void> session(beast::tcp_stream stream) {
        auto self = shared_from_this();
        conn me;
        me.stream = &stream;
        struct leave_guard {
            state& s;
            conn& c;
            ~leave_guard() { s.forget(c); }
        } guard{*this, me};

        beast::flat_buffer buffer;
        bool first = true;
        for (;;) {
            if (buffer.size() == 0) {
                // Nothing of the next request yet: the one time this
                // connection may be closed for another's sake.
                enter(me, phase::idle);
                auto wait = first ? limits.read_timeout : limits.idle_timeout;
                if (under_pressure) wait = std::min(wait, limits.busy_idle_timeout);
                stream.expires_after(wait);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(1024), tuple_awaitable);
                if (me.closed_by_us || ec) break;
                buffer.commit(n);
            }
            first = false;
            enter(me, phase::reading);
            http::request_parser<http::string_body> parser;
            parser.body_limit(limits.max_body);
            parser.header_limit(32 * 1024);
            // One deadline for the whole request, header and body.
            stream.expires_after(limits.read_timeout);
            auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, tuple_awaitable);
            if (me.closed_by_us) break;
            if (hec) {
                leave(me);
                if (auto refusal = read_failure(hec)) {
                    beast::error_code wec;
                    co_await write(stream, *refusal, 11, false, wec);
                }
                break;
            }

            auto& req = parser.get();
            http_request r;
            r.method = std::string(req.method_string());
            r.target = std::string(req.target());
            for (const auto& field : req) r.headers[std::string(field.name_string())] = std::string(field.value());
            bool keep_alive = req.keep_alive() && !stopping;
            unsigned version = req.version();
            std::optional<std::uint64_t> length;
            if (auto cl = parser.content_length()) length = *cl;
            bool has_body = !parser.is_done();
            std::size_t body_size = has_body ? static_cast<std::size_t>(length.value_or(limits.max_body)) : 0;

            std::optional<http_response> answer;
            if (gate) answer = gate(r, length);
            body_claim claim{*this};
            // A refused large body is never read; the connection closes instead.
            bool read_body = has_body && (!answer || body_size <= small_body);
            if (read_body && !claim.take(body_size)) {
                answer = simple(503, "busy: too many request bodies in flight; retry\n");
                answer->headers.emplace_back("Retry-After", "1");
                read_body = false;
            }
            if (read_body) {
                auto [bec, bn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
                if (me.closed_by_us) break;
                if (bec) {
                    leave(me);
                    if (auto refusal = read_failure(bec)) {
                        beast::error_code wec;
                        co_await write(stream, *refusal, version, false, wec);
                    }
                    break;
                }
            }
            leave(me);
            if (has_body && !read_body) keep_alive = false;

            if (!answer) {
                r.body = std::move(req.body());
                try {
                    answer = co_await handler(std::move(r));
                } catch (const std::exception& e) {
                    spdlog::error("http: {} {} failed: {}", std::string(req.method_string()), std::string(req.target()),
                                  e.what());
                    answer = simple(500, "internal error\n");
                }
            }
            beast::error_code wec;
            co_await write(stream, *answer, version, keep_alive, wec);
            if (wec || !keep_alive) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.close();
    }
};

http_server::http_server(asio::io_context& io, const tcp::endpoint& at, http_handler handler, server_limits limits,
                         task_group* tasks)
    : state_(std::make_shared<state>(io, at, std::move(handler), limits)) {
    state_->tasks = tasks;
}

http_server::~http_server() { stop(); }

void http_server::set_header_gate(header_gate gate) { state_->gate = std::move(gate); }

void http_server::start() {
    if (state_->tasks) {
        state_->tasks->spawn("http listener", state_->accept_loop());
        return;
    }
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
    // Kept-alive connections waiting for a request have nothing to finish.
    while (state_->close_one(true)) {
    }
}

void http_server::abort() {
    stop();
    while (state_->close_one(false)) {
    }
}


server_stats http_server::stats() const {
    server_stats s = state_->counters;
    s.open = state_->open;
    return s;
}

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
