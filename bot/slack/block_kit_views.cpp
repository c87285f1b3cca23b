#include "bot/slack/block_kit_views.hpp"

#include <algorithm>
#include <utility>

namespace warroom::slack {

using json = nlohmann::json;

namespace {

constexpr std::pair<view_id, std::string_view> view_ids[] = {
    {view_id::declare, "warroom_declare"},
    {view_id::update, "warroom_update"},
    {view_id::severity, "warroom_severity"},
    {view_id::role, "warroom_role"},
    {view_id::followup, "warroom_followup"},
    {view_id::public_update, "warroom_public_update"},
};

constexpr std::pair<input_id, std::string_view> input_ids[] = {
    {input_id::title, "title"},
    {input_id::severity, "severity"},
    {input_id::type, "type"},
    {input_id::description, "description"},
    {input_id::commander, "commander"},
    {input_id::status, "status"},
    {input_id::text, "text"},
    {input_id::impact, "impact"},
    {input_id::next, "next"},
    {input_id::eta, "eta"},
    {input_id::role, "role"},
    {input_id::user, "user"},
    {input_id::owner, "owner"},
    {input_id::due, "due"},
    {input_id::private_incident, "private"},
    {input_id::phase, "phase"},
    {input_id::workaround, "workaround"},
    {input_id::next_update, "next_update"},
    {input_id::components, "components"},
    {input_id::component_impact, "component_impact"},
    {input_id::public_title, "public_title"},
};

template <typename Table>
constexpr bool ids_fit(const Table& table) {
    for (const auto& [_, id] : table)
        if (id.empty() || id.size() > max_id) return false;
    return true;
}
static_assert(ids_fit(view_ids) && ids_fit(input_ids), "Slack refuses a block_id or action_id over 255 characters");

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// At most max_chars code points (0: all), the last one "…" when cut, never
// half a character (Slack would show U+FFFD).
std::string cut(std::string_view text, std::size_t max_chars) {
    if (max_chars == 0) return std::string(text);
    std::size_t chars = 0, keep = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (continuation(text[i])) continue;
        if (chars == max_chars - 1) keep = i;
        if (++chars > max_chars) return std::string(text.substr(0, keep)) + "…";
    }
    return std::string(text);
}

json option(const choice& c) { return {{"text", plain_text(c.text, max_option_text)}, {"value", c.value}}; }

json options(const std::vector<choice>& choices) {
    json out = json::array();
    for (std::size_t i = 0; i < choices.size() && i < max_select_options; ++i) out.push_back(option(choices[i]));
    return out;
}

}  // namespace

std::string_view to_string(view_id v) {
    for (const auto& [which, id] : view_ids)
        if (which == v) return id;
    return {};
}

std::string_view to_string(input_id i) {
    for (const auto& [which, id] : input_ids)
        if (which == i) return id;
    return {};
}

std::optional<view_id> parse_view_id(std::string_view callback_id) {
    for (const auto& [which, id] : view_ids)
        if (id == callback_id) return which;
    return std::nullopt;
}

json plain_text(std::string_view text, std::size_t max_chars) {
    return {{"type", "plain_text"}, {"text", cut(text, max_chars)}, {"emoji", true}};
}

json select(const std::vector<choice>& choices, std::string_view initial) {
    json element{{"type", "static_select"}, {"options", options(choices)}};
    // Slack refuses an initial_option that is not one of the options.
    for (const auto& o : element["options"])
        if (!initial.empty() && o["value"] == initial) {
            element["initial_option"] = o;
            break;
        }
    return element;
}

json checkboxes(const std::vector<choice>& choices) { return {{"type", "checkboxes"}, {"options", options(choices)}}; }

json multi_select(const std::vector<choice>& choices) {
    return {{"type", "multi_static_select"}, {"options", options(choices)}};
}

json user_select(std::string_view initial_user) {
    json element{{"type", "users_select"}};
    if (!initial_user.empty()) element["initial_user"] = initial_user;
    return element;
}

json date_picker(std::string_view initial_date) {
    json element{{"type", "datepicker"}};
    if (!initial_date.empty()) element["initial_date"] = initial_date;
    return element;
}

json text_input(const text_box& box) {
    std::size_t max_length = std::min(box.max_length, max_text_input);
    json element{{"type", "plain_text_input"}, {"max_length", max_length}};
    // Slack refuses an initial_value longer than max_length: cut, never half a character.
    if (!box.initial.empty()) element["initial_value"] = cut(box.initial, max_length);
    if (box.multiline) element["multiline"] = true;
    if (!box.placeholder.empty()) element["placeholder"] = plain_text(box.placeholder, 150);
    return element;
}

json input(input_id id, std::string_view label, json element, bool optional) {
    element["action_id"] = to_string(id);
    return {{"type", "input"},
            {"block_id", to_string(id)},
            {"label", plain_text(label, 2000)},
            {"element", std::move(element)},
            {"optional", optional}};
}

json context_line(std::string_view text) {
    return {{"type", "context"}, {"elements", json::array({plain_text(text)})}};
}

json modal_view(const modal& m) {
    return {{"type", "modal"},
            {"callback_id", to_string(m.id)},
            {"private_metadata", m.private_metadata},
            {"title", plain_text(m.title, max_view_title)},
            {"submit", plain_text(m.submit, max_view_title)},
            {"close", plain_text("Cancel", max_view_title)},
            {"blocks", m.blocks}};
}

json errors_answer(const form_errors& errors) {
    json by_block = json::object();
    for (const auto& [id, message] : errors) by_block[std::string(to_string(id))] = message;
    return {{"response_action", "errors"}, {"errors", std::move(by_block)}};
}

const json* submitted(const json& payload, input_id id) {
    const json* at = &payload;
    // Warroom names an input's block and its element alike.
    std::string key(to_string(id));
    for (const char* step : {"view", "state", "values", key.c_str(), key.c_str()}) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(step);
        if (it == at->end()) return nullptr;
        at = &*it;
    }
    return at;
}

std::string text_value(const json* el) {
    if (!el || !el->is_object()) return {};
    if (auto it = el->find("value"); it != el->end() && it->is_string()) return it->get<std::string>();
    if (auto it = el->find("selected_option"); it != el->end()) return string_at(*it, "value");
    return {};
}

std::string selected_user(const json* el) { return el ? string_at(*el, "selected_user") : std::string(); }

std::string selected_date(const json* el) { return el ? string_at(*el, "selected_date") : std::string(); }

std::vector<std::string> selected_values(const json* el) {
    std::vector<std::string> out;
    if (!el || !el->is_object()) return out;
    auto it = el->find("selected_options");
    if (it == el->end() || !it->is_array()) return out;
    for (const auto& o : *it)
        if (auto v = string_at(o, "value"); !v.empty()) out.push_back(v);
    return out;
}

bool any_checked(const json* el) {
    if (!el || !el->is_object()) return false;
    auto it = el->find("selected_options");
    return it != el->end() && it->is_array() && !it->empty();
}

std::optional<view_id> submitted_view(const json& payload) {
    return parse_view_id(view_string(payload, "callback_id"));
}

std::string string_at(const json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string user_of(const json& payload) {
    if (!payload.is_object()) return {};
    auto it = payload.find("user");
    return it != payload.end() ? string_at(*it, "id") : std::string();
}

std::string view_string(const json& payload, const char* key) {
    if (!payload.is_object()) return {};
    auto it = payload.find("view");
    return it != payload.end() ? string_at(*it, key) : std::string();
}

}  // namespace warroom::slack
