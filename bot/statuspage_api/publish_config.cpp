#include "bot/statuspage_api/publish_config.hpp"

#include "bot/toml_read.hpp"
#include "bot/toml_text.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

namespace warroom::statuspage_api {

namespace {

using bot::is_env_name;

[[noreturn]] void fail(const std::string& source, const std::string& key, const toml::node* node,
                       const std::string& expected) {
    std::ostringstream msg;
    msg << source << ": statuspage_api" << (key.empty() ? "" : "." + key) << ": expected " << expected;
    if (node)
        if (auto line = node->source().begin.line; line > 0) msg << " (line " << line << ")";
    throw publish_config_error(msg.str());
}

bool is_id(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
           });
}

}  // namespace

publish_settings parse_publish(const std::string& toml_text, const std::string& source,
                               const std::vector<std::string>& component_names) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw publish_config_error(source + ": not valid TOML: " + std::string(e.description()));
    }
    publish_settings s;
    const toml::node* node = root.get("statuspage_api");
    if (!node) return s;
    const auto* t = node->as_table();
    if (!t) fail(source, "", node, "a table written [statuspage_api]");
    for (const auto& [k, v] : *t) {
        static const std::vector<std::string_view> known{"page_id", "api_key_env", "base_url", "deliver_notifications",
                                                        "components"};
        if (std::find(known.begin(), known.end(), k.str()) == known.end())
            fail(source, std::string(k.str()), &v,
                 "no such key; known keys here are: page_id, api_key_env, base_url, deliver_notifications, components");
    }
    s.enabled = true;
    auto str = [&](std::string_view key) -> std::optional<std::string> {
        const auto* n = t->get(key);
        if (!n) return std::nullopt;
        if (!n->is_string()) fail(source, std::string(key), n, "a string in quotes");
        return *n->value<std::string>();
    };
    s.page_id = str("page_id").value_or("");
    if (!is_id(s.page_id))
        fail(source, "page_id", t->get("page_id") ? t->get("page_id") : t, "the page's id, as in its API URLs (letters and digits)");
    s.api_key_env = str("api_key_env").value_or("");
    if (!is_env_name(s.api_key_env))
        fail(source, "api_key_env", t->get("api_key_env") ? t->get("api_key_env") : t,
             "the NAME of an environment variable (A-Z, 0-9, _), not the key itself");
    if (auto url = str("base_url")) {
        if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0)
            fail(source, "base_url", t->get("base_url"), "a URL starting with https:// (or http:// for tests)");
        while (!url->empty() && url->back() == '/') url->pop_back();
        s.base_url = *url;
    }
    if (const auto* b = t->get("deliver_notifications")) {
        if (!b->is_boolean()) fail(source, "deliver_notifications", b, "true or false");
        s.deliver_notifications = *b->value<bool>();
    }
    if (const auto* c = t->get("components")) {
        const auto* map = c->as_table();
        if (!map) fail(source, "components", c, "a table of our component names to Statuspage component ids");
        for (const auto& [name, id] : *map) {
            std::string key = "components." + std::string(name.str());
            if (std::find(component_names.begin(), component_names.end(), name.str()) == component_names.end())
                fail(source, key, &id, "the name of one of our [[components]]");
            if (!id.is_string() || !is_id(*id.value<std::string>()))
                fail(source, key, &id, "a Statuspage component id in quotes");
            s.components[std::string(name.str())] = *id.value<std::string>();
        }
    }
    return s;
}

publish_settings load_publish(const std::string& toml_text, const std::string& source,
                              const std::vector<std::string>& component_names, const env_lookup& env) {
    auto s = parse_publish(toml_text, source, component_names);
    if (s.enabled) {
        auto v = env(s.api_key_env);
        s.api_key = v.value_or("");
    }
    return s;
}

std::vector<std::string> warnings(const publish_settings& s, const std::vector<std::string>& component_names) {
    std::vector<std::string> out;
    if (!s.enabled) return out;
    if (s.api_key.empty())
        out.push_back(s.api_key_env + " is not set: nothing can be published to Statuspage page " + s.page_id);
    for (const auto& name : component_names)
        if (!s.components.count(name))
            out.push_back("component " + bot::toml_string(name) +
                          " has no Statuspage id in [statuspage_api.components]: its status is not published there");
    return out;
}

std::string describe(const publish_settings& s) {
    if (!s.enabled) return "";
    std::ostringstream out;
    out << "\n[statuspage_api]\n"
        << "page_id = " << bot::toml_string(s.page_id) << "\n"
        << "api_key_env = " << bot::toml_string(s.api_key_env) << "  # "
        << bot::secret_state(s.api_key) << "\n"
        << "base_url = " << bot::toml_string(s.base_url) << "\n"
        << "deliver_notifications = " << (s.deliver_notifications ? "true" : "false") << "\n";
    if (!s.components.empty()) {
        out << "\n[statuspage_api.components]\n";
        for (const auto& [name, id] : s.components) out << bot::toml_string(name) << " = " << bot::toml_string(id) << "\n";
    }
    return out.str();
}

}  // namespace warroom::statuspage_api
