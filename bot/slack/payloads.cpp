#include "bot/slack/payloads.hpp"

#include <cstdint>
#include <limits>

namespace warroom::slack {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> decode_component(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    // Runs with nothing to decode are appended whole: every request's body
    // passes here, and a character at a time was most of parsing it.
    std::size_t i = 0;
    while (i < s.size()) {
        auto special = i;  // a plain loop: find_first_of calls traits::find per character
        while (special < s.size() && s[special] != '+' && s[special] != '%') ++special;
        out.append(s.substr(i, special - i));
        i = special;
        if (i == s.size()) break;
        if (s[i] == '+') {
            out.push_back(' ');
            ++i;
            continue;
        }
        if (s.size() - i < 3) return std::nullopt;  // "%", "%4" at the end
        int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 3;
    }
    return out;
}

const std::string* find(const form& f, const char* key) {
    auto it = f.find(key);
    return it == f.end() ? nullptr : &it->second;
}

std::string get(const form& f, const char* key) {
    const std::string* v = find(f, key);
    return v ? *v : std::string{};
}

// The value, moved out of the form (every slash command's fields pass here).
std::string take(form& f, const char* key) {
    auto it = f.find(key);
    return it == f.end() ? std::string{} : std::move(it->second);
}

std::string lower_media_type(std::string_view content_type) {
    auto semi = content_type.find(';');
    std::string_view media = content_type.substr(0, semi);
    std::size_t b = media.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    std::size_t e = media.find_last_not_of(" \t");
    std::string out(media.substr(b, e - b + 1));
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// A string member, or nullptr: checked access, since nlohmann's get<> throws
// on a type mismatch and operator[] on a missing key of a const object is UB.
const std::string* string_member(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return nullptr;
    return it->get_ptr<const std::string*>();
}

}  // namespace

bool json_depth_within(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;  // whatever is escaped, it cannot end the string
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '[':
            case '{':
                if (++depth > max_depth) return false;
                break;
            case ']':
            case '}':
                // Unbalanced text is not JSON; the parser says so.
                if (depth > 0) --depth;
                break;
            default: break;
        }
    }
    return true;
}

nlohmann::json parse_json_bounded(std::string_view text, std::size_t max_depth, bool* too_deep) {
    bool deep = !json_depth_within(text, max_depth);
    if (too_deep) *too_deep = deep;
    if (deep) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::optional<form> parse_form(std::string_view body) {
    form out;
    while (!body.empty()) {
        std::size_t amp = body.find('&');
        std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty()) continue;  // "a=1&&b=2": browsers and curl tolerate it

        std::size_t eq = pair.find('=');
        auto key = decode_component(pair.substr(0, eq));
        auto value = decode_component(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!key || !value) return std::nullopt;
        out.emplace(std::move(*key), std::move(*value));
    }
    return out;
}

std::optional<slash_command> parse_slash_command(form f) {
    slash_command c;
    c.command = take(f, "command");
    c.user_id = take(f, "user_id");
    c.channel_id = take(f, "channel_id");
    if (c.command.empty() || c.user_id.empty() || c.channel_id.empty()) return std::nullopt;

    c.token = take(f, "token");
    c.team_id = take(f, "team_id");
    c.team_domain = take(f, "team_domain");
    c.enterprise_id = take(f, "enterprise_id");
    c.enterprise_name = take(f, "enterprise_name");
    c.channel_name = take(f, "channel_name");
    c.user_name = take(f, "user_name");
    c.text = take(f, "text");
    c.api_app_id = take(f, "api_app_id");
    c.is_enterprise_install = take(f, "is_enterprise_install") == "true";
    c.response_url = take(f, "response_url");
    c.trigger_id = take(f, "trigger_id");
    return c;
}

bool is_ssl_check(const form& f) {
    return get(f, "ssl_check") == "1";
}

body_kind classify(std::string_view content_type, std::string_view body) {
    std::optional<form> parsed;
    return classify(content_type, body, parsed);
}

body_kind classify(std::string_view content_type, std::string_view body, std::optional<form>& parsed) {
    parsed.reset();
    const std::string media = lower_media_type(content_type);
    if (media == "application/json") return body_kind::event_json;
    if (media != "application/x-www-form-urlencoded") return body_kind::unknown;

    parsed = parse_form(body);
    if (!parsed) return body_kind::unknown;
    if (parsed->count("payload")) return body_kind::interaction;
    if (parsed->count("command")) return body_kind::slash_command;
    return body_kind::unknown;
}

event_envelope parse_event(std::string_view body) {
    bool too_deep = false;
    const auto j = parse_json_bounded(body, max_json_depth, &too_deep);
    if (too_deep) return invalid_payload{"JSON nested deeper than " + std::to_string(max_json_depth) + " levels"};
    if (j.is_discarded()) return invalid_payload{"not JSON"};
    if (!j.is_object()) return invalid_payload{"not a JSON object"};
    const std::string* type = string_member(j, "type");
    if (!type || type->empty()) return invalid_payload{"no envelope type"};

    if (*type == "url_verification") {
        const std::string* challenge = string_member(j, "challenge");
        if (!challenge || challenge->empty()) return invalid_payload{"url_verification without challenge"};
        return url_verification{*challenge};
    }
    if (*type != "event_callback") return other_envelope{*type};

    event_callback e;
    const std::string* id = string_member(j, "event_id");
    if (!id || id->empty()) return invalid_payload{"event_callback without event_id"};
    e.event_id = *id;

    // Epoch seconds: nlohmann stores non-negative integers as unsigned.
    auto t = j.find("event_time");
    if (t == j.end() || !t->is_number_unsigned() ||
        t->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return invalid_payload{"event_callback without a valid event_time"};
    e.event_time = static_cast<std::int64_t>(t->get<std::uint64_t>());

    auto ev = j.find("event");
    if (ev == j.end() || !ev->is_object()) return invalid_payload{"event_callback without event object"};
    const std::string* ev_type = string_member(*ev, "type");
    if (!ev_type || ev_type->empty()) return invalid_payload{"event without type"};
    e.type = *ev_type;
    e.event = *ev;

    if (const std::string* team = string_member(j, "team_id")) e.team_id = *team;
    if (const std::string* app = string_member(j, "api_app_id")) e.api_app_id = *app;
    return e;
}

std::optional<nlohmann::json> parse_interaction(const form& f) {
    const std::string* payload = find(f, "payload");
    if (!payload) return std::nullopt;
    auto j = parse_json_bounded(*payload);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    const std::string* type = string_member(j, "type");
    if (!type || type->empty()) return std::nullopt;
    return j;
}

}  // namespace warroom::slack
