// Names of statuses, timers and actions as they are stored and shown.
#include "commands/decision.hpp"
#include "commands/incident.hpp"
#include "commands/text.hpp"

#include <array>
#include <utility>

namespace warroom::commands {

namespace {
constexpr std::array<std::pair<incident_status, std::string_view>, 5> status_names{{
    {incident_status::investigating, "investigating"},
    {incident_status::identified, "identified"},
    {incident_status::mitigating, "mitigating"},
    {incident_status::monitoring, "monitoring"},
    {incident_status::resolved, "resolved"},
}};
constexpr std::array<std::pair<timer_kind, std::string_view>, 7> timer_names{{
    {timer_kind::ack, "ack"},
    {timer_kind::update, "update"},
    {timer_kind::resolve, "resolve"},
    {timer_kind::postmortem_draft, "postmortem_draft"},
    {timer_kind::postmortem_review, "postmortem_review"},
    {timer_kind::followup, "followup"},
    {timer_kind::archive, "archive"},
}};
constexpr std::array<std::pair<action_kind, std::string_view>, 8> action_names{{
    {action_kind::create_channel, "create_channel"},
    {action_kind::invite, "invite"},
    {action_kind::set_topic, "set_topic"},
    {action_kind::update_summary, "update_summary"},
    {action_kind::post, "post"},
    {action_kind::direct_message, "direct_message"},
    {action_kind::archive_channel, "archive_channel"},
    {action_kind::unarchive_channel, "unarchive_channel"},
}};

constexpr std::array<std::pair<page_status, std::string_view>, 3> page_status_names{{
    {page_status::triggered, "triggered"},
    {page_status::acknowledged, "acknowledged"},
    {page_status::resolved, "resolved"},
}};

constexpr std::array<std::pair<page_action, std::string_view>, 3> page_action_names{{
    {page_action::trigger, "trigger"},
    {page_action::acknowledge, "acknowledge"},
    {page_action::resolve, "resolve"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [v, n] : names)
        if (v == value) return n;
    return "unknown";
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text) {
    for (const auto& [v, n] : names)
        if (iequals(n, text)) return v;
    return std::nullopt;
}
}  // namespace

std::string_view to_string(incident_status s) { return name_of(status_names, s); }
std::optional<incident_status> parse_status(std::string_view s) { return value_of(status_names, s); }
std::string_view to_string(timer_kind k) { return name_of(timer_names, k); }
std::optional<timer_kind> parse_timer_kind(std::string_view s) { return value_of(timer_names, s); }
std::string_view to_string(action_kind k) { return name_of(action_names, k); }
std::optional<action_kind> parse_action_kind(std::string_view s) { return value_of(action_names, s); }
std::string_view to_string(page_status s) { return name_of(page_status_names, s); }
std::optional<page_status> parse_page_status(std::string_view s) { return value_of(page_status_names, s); }
std::string_view to_string(page_action a) { return name_of(page_action_names, a); }
std::optional<page_action> parse_page_action(std::string_view s) { return value_of(page_action_names, s); }

page_state* incident::page_of(std::string_view target) {
    for (auto& p : pages)
        if (p.target == target) return &p;
    return nullptr;
}

std::optional<time_point>& deadlines::at(timer_kind k) {
    return const_cast<std::optional<time_point>&>(std::as_const(*this).at(k));
}

const std::optional<time_point>& deadlines::at(timer_kind k) const {
    switch (k) {
        case timer_kind::ack: return ack;
        case timer_kind::update: return update;
        case timer_kind::resolve: return resolve;
        case timer_kind::postmortem_draft: return postmortem_draft;
        case timer_kind::postmortem_review: return postmortem_review;
        case timer_kind::followup: return followup;
        case timer_kind::archive: return archive;
    }
    return ack;
}

std::string incident::role_holder(std::string_view role) const {
    auto it = roles.find(std::string(role));
    return it == roles.end() ? std::string() : it->second;
}

}  // namespace warroom::commands
