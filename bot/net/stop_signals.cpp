#include "bot/net/stop_signals.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>

namespace warroom::net {

struct stop_signals::set {
    explicit set(boost::asio::io_context& io) : s(io, SIGINT, SIGTERM) {}
    boost::asio::signal_set s;
};

stop_signals::stop_signals(boost::asio::io_context& io, std::function<void(int)> on_signal)
    : set_(std::make_unique<set>(io)) {
    set_->s.async_wait([f = std::move(on_signal)](const boost::system::error_code& ec, int signal) {
        if (!ec) f(signal);
    });
}

stop_signals::~stop_signals() = default;

}  // namespace warroom::net
