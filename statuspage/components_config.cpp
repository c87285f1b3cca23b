// [status_page] and [[components]]: parsed apart from the engine's settings so
// the page's configuration grows here, not in bot/config.cpp.
#include "statuspage/components_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace warroom::statuspage {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& key, const toml::node* node,
                       const std::string& expected) {
    std::ostringstream msg;
    msg << source << ": " << key << ": expected " << expected;
    if (node)
        if (auto line = node->source().begin.line; line > 0) msg << " (line " << line << ")";
    throw settings_error(msg.str());
}

void check_keys(const toml::table& t, const std::string& source, const std::string& at,
                std::initializer_list<std::string_view> known) {
    for (const auto& [k, node] : t) {
        if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
        std::string list;
        for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
        fail(source, at + "." + std::string(k.str()), &node, "no such key; known keys here are: " + list);
    }
}

std::string read_string(const toml::table& t, const std::string& source, const std::string& at, std::string_view key,
                        bool required) {
    const toml::node* node = t.get(key);
    if (!node) {
        if (required) fail(source, at + "." + std::string(key), &t, "a non-empty string (it is required)");
        return {};
    }
    if (!node->is_string()) fail(source, at + "." + std::string(key), node, "a string in quotes");
    auto v = *node->value<std::string>();
    if (required && v.empty()) fail(source, at + "." + std::string(key), node, "a non-empty string (it is required)");
    return v;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

page_settings read_page_settings(const std::string& toml_text, const std::string& source) {
    page_settings out;
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error&) {
        return out;
    }
    std::set<std::string> groups;
    if (const toml::node* node = root.get("status_page")) {
        const auto* t = node->as_table();
        if (!t) fail(source, "status_page", node, "a table written [status_page]");
        check_keys(*t, source, "status_page", {"name", "url", "groups"});
        if (t->get("name")) out.name = read_string(*t, source, "status_page", "name", true);
        out.url = read_string(*t, source, "status_page", "url", false);
        if (!out.url.empty() && out.url.rfind("https://", 0) != 0 && out.url.rfind("http://", 0) != 0)
            fail(source, "status_page.url", t->get("url"), "a URL starting with https://, got \"" + out.url + "\"");
        if (const toml::node* g = t->get("groups")) {
            const auto* arr = g->as_array();
            if (!arr) fail(source, "status_page.groups", g, "a list of strings like [\"API\", \"Web\"]");
            for (std::size_t i = 0; i < arr->size(); ++i) {
                const auto& item = *arr->get(i);
                auto key = "status_page.groups[" + std::to_string(i) + "]";
                if (!item.is_string() || item.value<std::string>()->empty())
                    fail(source, key, &item, "a non-empty string in quotes");
                auto name = *item.value<std::string>();
                if (!groups.insert(lower(name)).second)
                    fail(source, key, &item, "a unique group name, but \"" + name + "\" is listed twice");
                out.groups.push_back(name);
            }
        }
    }
    if (const toml::node* node = root.get("components")) {
        const auto* arr = node->as_array();
        if (!arr || (!arr->empty() && !arr->is_array_of_tables()))
            fail(source, "components", node, "a list of tables written [[components]]");
        std::set<std::string> names;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const auto& t = *arr->get(i)->as_table();
            auto at = "components[" + std::to_string(i) + "]";
            check_keys(t, source, at, {"name", "group", "description"});
            component_def c;
            c.name = read_string(t, source, at, "name", true);
            c.group = read_string(t, source, at, "group", false);
            c.description = read_string(t, source, at, "description", false);
            if (!names.insert(lower(c.name)).second)
                fail(source, at + ".name", t.get("name"),
                     "a unique component name, but \"" + c.name + "\" is used twice (names are case-insensitive)");
            if (!c.group.empty() && !groups.count(lower(c.group))) {
                std::string known;
                for (const auto& g : out.groups) known += (known.empty() ? "" : ", ") + ("\"" + g + "\"");
                fail(source, at + ".group", t.get("group"),
                     "a group listed in [status_page] groups (" + (known.empty() ? std::string("none listed") : known) +
                         "), got \"" + c.group + "\"");
            }
            // Grouped components take the group's spelling, so the page shows one heading per group.
            for (const auto& g : out.groups)
                if (lower(g) == lower(c.group)) c.group = g;
            out.components.push_back(std::move(c));
        }
    }
    return out;
}

}  // namespace warroom::statuspage
