// SIGINT and SIGTERM as an event on the io_context: `on_signal` runs on its
// thread (not in a signal handler), once, with the signal's number.
#pragma once

#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace warroom::net {

class stop_signals {
public:
    stop_signals(boost::asio::io_context& io, std::function<void(int signal)> on_signal);
    ~stop_signals();
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

private:
    struct set;
    std::unique_ptr<set> set_;
};

}  // namespace warroom::net
