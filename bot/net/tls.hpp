// The TLS client context every outgoing connection uses: peers verified
// against the system's trust store.
#pragma once

#include <boost/asio/ssl/context.hpp>

namespace warroom::net {

boost::asio::ssl::context verified_tls();

}  // namespace warroom::net
