// A TCP connection, TLS or plain as the URL says, as ONE stream type: Beast's
// HTTP and WebSocket templates are instantiated once for it instead of once
// per stream type (two WebSocket instantiations made socket_mode.cpp a
// two-minute compile). The connect code (resolve, connect, SNI, certificate
// and host name verification, handshake) is shared by the HTTP client and
// the WebSocket client. Beast-heavy: include it only from bot/net/*.cpp.
#pragma once

#include "bot/net/http_client.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace warroom::net {

class stream {
public:
    using executor_type = boost::asio::any_io_executor;
    using io_handler = boost::asio::any_completion_handler<void(boost::beast::error_code, std::size_t)>;
    using done_handler = boost::asio::any_completion_handler<void(boost::beast::error_code)>;

    explicit stream(executor_type ex);
    ~stream();
    stream(stream&&) noexcept;
    stream(const stream&) = delete;

    // Resolves and connects, then for TLS sets SNI, verifies the certificate
    // and host name and handshakes; each step within `timeout`. Returns an
    // error for the log ("connecting to host:port: ..."), empty on success.
    // Afterwards the stream has no deadline (expires_never).
    boost::asio::awaitable<std::string> connect(boost::asio::ssl::context& tls, const url_parts& where,
                                                std::chrono::steady_clock::duration timeout);

    bool is_open() const;
    bool secure() const { return tls_ != nullptr; }
    boost::beast::tcp_stream& tcp();  // deadlines (expires_after) and the socket
    void close();                     // abrupt; safe to call twice

    executor_type get_executor() { return ex_; }

    // Beast's AsyncReadStream / AsyncWriteStream. One buffer at a time: a
    // *_some call may move fewer bytes than asked (Asio's TLS layer does the
    // same), and the composed operations above loop. A write of several
    // buffers (an HTTP header and its body, a WebSocket frame's header and
    // payload) goes out as one: see gathered.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
            [this](io_handler h, boost::asio::mutable_buffer b) { read_some(b, std::move(h)); }, token,
            first_of<boost::asio::mutable_buffer>(buffers));
    }
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
            [this](io_handler h, boost::asio::const_buffer b) { write_some(b, std::move(h)); }, token,
            gathered(buffers));
    }

    // What a WebSocket close does to the layer below (TLS close_notify, then
    // the TCP shutdown), found by Beast through argument-dependent lookup.
    friend void teardown(boost::beast::role_type role, stream& s, boost::beast::error_code& ec);
    template <class Handler>
    friend void async_teardown(boost::beast::role_type role, stream& s, Handler&& handler) {
        s.teardown_async(role, done_handler(std::forward<Handler>(handler)));
    }
    // Beast closes the lowest layer this way when a WebSocket times out.
    friend void beast_close_socket(stream& s) { s.close(); }

private:
    template <class Buffer, class Sequence>
    static Buffer first_of(const Sequence& buffers) {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
             ++it) {
            Buffer b(*it);
            if (b.size() > 0) return b;
        }
        return Buffer();
    }
    // The one buffer to write: the sequence's only one, else up to
    // max_gathered bytes of them copied into gather_ (its capacity kept), so
    // a request is one write, one completion handler and one TCP segment or
    // TLS record instead of one per buffer. Reports bytes of the sequence as
    // they are, so Beast's loop goes on from where the write stopped. Safe:
    // a stream has at most one write in flight (Beast's rule).
    template <class Sequence>
    boost::asio::const_buffer gathered(const Sequence& buffers) {
        auto first = first_of<boost::asio::const_buffer>(buffers);
        if (first.size() >= max_gathered || boost::asio::buffer_size(buffers) == first.size()) return first;
        gather_.clear();
        for (auto it = boost::asio::buffer_sequence_begin(buffers);
             it != boost::asio::buffer_sequence_end(buffers) && gather_.size() < max_gathered; ++it) {
            boost::asio::const_buffer b(*it);
            gather_.append(static_cast<const char*>(b.data()), std::min(b.size(), max_gathered - gather_.size()));
        }
        return {gather_.data(), gather_.size()};
    }
    static constexpr std::size_t max_gathered = 64 * 1024;

    void read_some(boost::asio::mutable_buffer b, io_handler h);
    void write_some(boost::asio::const_buffer b, io_handler h);
    void teardown_async(boost::beast::role_type role, done_handler h);

    executor_type ex_;
    std::unique_ptr<boost::beast::tcp_stream> plain_;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
    std::string gather_;
};

}  // namespace warroom::net
