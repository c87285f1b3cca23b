#include "bot/net/async.hpp"

#include <boost/asio/co_spawn.hpp>

namespace warroom::net {

void spawn_unowned(const executor& ex, std::function<task<void>()> f, std::function<void(std::exception_ptr)> done) {
    boost::asio::co_spawn(ex, std::move(f), std::move(done));
}

}  // namespace warroom::net
