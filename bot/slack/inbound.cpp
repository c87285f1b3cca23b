#include "bot/slack/inbound.hpp"

#include "bot/slack/block_kit_views.hpp"

namespace warroom::slack {

using json = nlohmann::json;

namespace {

inbound from_slash_form(form f) {
    if (auto cmd = parse_slash_command(std::move(f))) return std::move(*cmd);
    return invalid_request{"slash_command", "a slash command without command, user_id or channel_id"};
}

inbound from_event(const event_envelope& envelope) {
    return std::visit(
        [](const auto& e) -> inbound {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, invalid_payload>) return invalid_request{"event", e.reason};
            else return e;
        },
        envelope);
}

}  // namespace

inbound parse_interaction_payload(const json& payload) {
    std::string type = string_at(payload, "type");
    if (type.empty()) return invalid_request{"interaction", "an interactivity payload without a type"};
    if (type == "block_actions") {
        if (auto press = bot::read_button_press(payload)) return button_click{std::move(*press)};
        return other_interaction{type};
    }
    if (type == "view_submission") return view_submission{view_string(payload, "callback_id"), payload};
    if (type == "shortcut")
        return shortcut{string_at(payload, "callback_id"), string_at(payload, "trigger_id"),
                        user_of(payload)};
    if (type == "message_action") {
        message_shortcut m{string_at(payload, "callback_id"), string_at(payload, "trigger_id"), user_of(payload),
                           "", string_at(payload, "response_url"), "", ""};
        if (auto it = payload.find("channel"); it != payload.end()) m.channel = string_at(*it, "id");
        if (auto it = payload.find("message"); it != payload.end()) {
            m.message_text = string_at(*it, "text");
            m.message_ts = string_at(*it, "ts");
        }
        if (m.user.empty() || m.channel.empty()) return other_interaction{type};
        return m;
    }
    return other_interaction{type};
}

inbound parse_inbound(std::string_view content_type, std::string_view body) {
    std::optional<form> f;
    switch (classify(content_type, body, f)) {
        case body_kind::slash_command: return from_slash_form(std::move(*f));
        case body_kind::event_json: return from_event(parse_event(body));
        case body_kind::interaction: {
            auto payload = parse_interaction(*f);
            if (!payload)
                return invalid_request{"interaction", "no payload field holding a JSON object of at most " +
                                                          std::to_string(max_json_depth) + " levels with a type"};
            return parse_interaction_payload(*payload);
        }
        case body_kind::unknown: break;
    }
    if (!f) f = parse_form(body);
    if (f && is_ssl_check(*f)) return ssl_check{};
    return invalid_request{"unknown", "unsupported body (Content-Type '" + std::string(content_type) + "')"};
}

inbound parse_envelope(const json& envelope) {
    if (!envelope.is_object()) return invalid_request{"unknown", "an envelope that is not a JSON object"};
    std::string type = string_at(envelope, "type");
    auto at = envelope.find("payload");
    if (at == envelope.end() || !at->is_object())
        return invalid_request{type.empty() ? "unknown" : type, "an envelope without a payload object"};
    const json& payload = *at;
    if (type == "events_api") {
        // Parsed as the HTTP body would be, so both transports accept the same events.
        auto text = payload.dump(-1, ' ', false, json::error_handler_t::replace);
        return from_event(parse_event(text));
    }
    if (type == "slash_commands") {
        form fields;
        for (auto it = payload.begin(); it != payload.end(); ++it) {
            if (it.value().is_string()) fields[it.key()] = it.value().get<std::string>();
            else if (!it.value().is_null())
                fields[it.key()] = it.value().dump(-1, ' ', false, json::error_handler_t::replace);
        }
        return from_slash_form(std::move(fields));
    }
    if (type == "interactive") return parse_interaction_payload(payload);
    return invalid_request{"unknown", "an envelope of unknown type '" + type + "'"};
}

}  // namespace warroom::slack
