// Opsgenie's Alert API v2: create (POST /v2/alerts), acknowledge and close
// (POST /v2/alerts/{alias}/acknowledge|close?identifierType=alias), with
// "Authorization: GenieKey <key>". Opsgenie answers 202 and processes the
// request later; an alias that opens no second alert while one is open is
// what makes a retried create harmless.
#pragma once

#include "bot/paging/page_event.hpp"
#include "bot/paging/pager_config.hpp"
#include "bot/paging/request.hpp"

#include <string>
#include <string_view>

namespace warroom::paging {

inline constexpr std::size_t opsgenie_message_max = 130;
inline constexpr std::size_t opsgenie_alias_max = 512;
inline constexpr std::size_t opsgenie_description_max = 15000;
inline constexpr std::size_t opsgenie_user_max = 100;
inline constexpr std::size_t opsgenie_source_max = 100;
inline constexpr std::size_t opsgenie_tag_max = 50;

// P1 for the most severe of warroom's list, then P2…; P5 for the rest.
std::string_view opsgenie_priority(std::size_t rank) noexcept;

// The create body for a trigger; the acknowledge/close body (user, source,
// note) otherwise.
std::string opsgenie_body(const page_event& e);

http_request opsgenie_request(const pager_target& target, const page_event& e);

}  // namespace warroom::paging
