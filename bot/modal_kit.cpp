#include "bot/modal_kit.hpp"

#include <nlohmann/json.hpp>

namespace warroom::bot::modal {

using json = nlohmann::json;

json plain(const std::string& text) { return {{"type", "plain_text"}, {"text", text}, {"emoji", true}}; }

json option(const std::string& value, const std::string& text) {
    return {{"text", plain(text.size() > 75 ? text.substr(0, 74) + "…" : text)}, {"value", value}};
}

json input(const std::string& id, const std::string& label, json element, bool optional) {
    element["action_id"] = id;
    return {{"type", "input"}, {"block_id", id}, {"label", plain(label)}, {"element", std::move(element)},
            {"optional", optional}};
}

json context_line(const std::string& text) {
    return {{"type", "context"}, {"elements", json::array({plain(text)})}};
}

const json* field(const json& payload, const char* id) {
    const auto* values = &payload;
    for (const char* key : {"view", "state", "values"}) {
        if (!values->is_object() || !values->contains(key)) return nullptr;
        values = &(*values)[key];
    }
    if (!values->is_object() || !values->contains(id) || !(*values)[id].is_object() || !(*values)[id].contains(id))
        return nullptr;
    return &(*values)[id][id];
}

std::string text_value(const json* el) {
    if (!el || !el->is_object()) return {};
    if (auto it = el->find("value"); it != el->end() && it->is_string()) return it->get<std::string>();
    if (auto it = el->find("selected_option"); it != el->end() && it->is_object())
        if (auto v = it->find("value"); v != it->end() && v->is_string()) return v->get<std::string>();
    return {};
}

std::string selected_user(const json* el) {
    if (!el || !el->is_object()) return {};
    if (auto it = el->find("selected_user"); it != el->end() && it->is_string()) return it->get<std::string>();
    return {};
}

std::string string_at(const json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string user_of(const json& payload) { return payload.contains("user") ? string_at(payload["user"], "id") : ""; }

std::string view_string(const json& payload, const char* key) {
    return payload.contains("view") ? string_at(payload["view"], key) : "";
}

}  // namespace warroom::bot::modal
