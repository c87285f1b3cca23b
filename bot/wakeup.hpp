// Transitional, for bot/slack/delivery.* only (rewritten on another branch):
// wakeup moved to bot/net/wakeup.hpp. Delete this file once delivery.hpp
// includes bot/net/wakeup.hpp and names net::wakeup; the Asio include below
// is what delivery.cpp's own timer wait took from the old header.
#pragma once

#include "bot/net/wakeup.hpp"

#include <boost/asio/as_tuple.hpp>

namespace warroom::bot {
using net::wakeup;
}
