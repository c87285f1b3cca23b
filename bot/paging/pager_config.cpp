// Messages follow bot/config.cpp's: "file: pagers[0].routing_key_env: expected … (line 12)".
#include "bot/paging/pager_config.hpp"

#include "bot/toml_read.hpp"
#include "bot/toml_text.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace warroom::paging {

std::string_view to_string(pager_kind k) noexcept {
    switch (k) {
        case pager_kind::pagerduty: return "pagerduty";
        case pager_kind::opsgenie: return "opsgenie";
        case pager_kind::webhook: return "webhook";
    }
    return "pagerduty";
}

namespace {

using bot::is_env_name;

using key_path = bot::toml_key_path<pager_config_error>;

std::optional<std::string> read_string(const toml::table& t, const key_path& at, std::string_view name) {
    return bot::read_toml_string(t, at, name);
}

std::string required(const toml::table& t, const key_path& at, std::string_view name, std::string_view kind) {
    auto v = read_string(t, at, name);
    if (!v || v->empty())
        at.child(name).fail(t.get(name) ? t.get(name) : &t,
                            "a non-empty string (required for kind = \"" + std::string(kind) + "\")");
    return *v;
}

bool is_lower_name(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
           });
}

// A Slack user group (S…) or user (U…, W…) ID: what a `page` entry that is
// not a pager must be.
bool is_slack_id(std::string_view s) {
    if (s.size() < 2 || (s[0] != 'S' && s[0] != 'U' && s[0] != 'W')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::string env_name(const toml::table& t, const key_path& at, std::string_view key, std::string_view kind) {
    auto v = required(t, at, key, kind);
    if (!is_env_name(v))
        at.child(key).fail(t.get(key), "the NAME of an environment variable (A-Z, 0-9, _), not the secret itself");
    return v;
}

std::string base_url(const key_path& at, const toml::node* node, std::string v) {
    if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
        at.fail(node, "a URL starting with https:// (or http:// for tests), got \"" + v + "\"");
    while (!v.empty() && v.back() == '/') v.pop_back();
    return v;
}

void check_keys(const toml::table& t, const key_path& at, const std::vector<std::string_view>& known,
                std::string_view kind) {
    for (const auto& [k, node] : t) {
        if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
        std::string list;
        for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
        at.child(k.str()).fail(&node, "no such key for kind = \"" + std::string(kind) + "\"; known keys are: " + list);
    }
}

pager_target read_pager(const toml::table& t, const key_path& at) {
    pager_target p;
    auto name = read_string(t, at, "name");
    if (!name || !is_lower_name(*name))
        at.child("name").fail(t.get("name") ? t.get("name") : &t,
                              "a name of lowercase letters, digits, '-' or '_' (at most 64), e.g. \"payments-oncall\"");
    p.name = *name;
    auto kind = read_string(t, at, "kind").value_or("");
    if (kind == "pagerduty") {
        check_keys(t, at, {"name", "kind", "routing_key_env", "webhook_secret_env", "base_url", "source"}, kind);
        p.kind = pager_kind::pagerduty;
        p.secret_env = env_name(t, at, "routing_key_env", kind);
        p.url = base_url(at.child("base_url"), t.get("base_url"),
                         read_string(t, at, "base_url").value_or(std::string(pagerduty_default_base)));
        p.source = read_string(t, at, "source").value_or("warroom");
        if (p.source.empty()) at.child("source").fail(t.get("source"), "a non-empty string");
    } else if (kind == "opsgenie") {
        check_keys(t, at, {"name", "kind", "api_key_env", "webhook_secret_env", "region", "base_url"}, kind);
        p.kind = pager_kind::opsgenie;
        p.secret_env = env_name(t, at, "api_key_env", kind);
        p.region = read_string(t, at, "region").value_or("us");
        if (p.region != "us" && p.region != "eu")
            at.child("region").fail(t.get("region"), "\"us\" (api.opsgenie.com) or \"eu\" (api.eu.opsgenie.com)");
        if (auto url = read_string(t, at, "base_url")) {
            if (t.get("region")) at.child("base_url").fail(t.get("base_url"), "either region or base_url, not both");
            p.url = base_url(at.child("base_url"), t.get("base_url"), *url);
        } else {
            p.url = std::string(p.region == "eu" ? opsgenie_eu_base : opsgenie_us_base);
        }
    } else if (kind == "webhook") {
        check_keys(t, at, {"name", "kind", "url", "secret_env"}, kind);
        p.kind = pager_kind::webhook;
        p.url = base_url(at.child("url"), t.get("url"), required(t, at, "url", kind));
        p.secret_env = env_name(t, at, "secret_env", kind);
    } else {
        at.child("kind").fail(t.get("kind") ? t.get("kind") : &t, "\"pagerduty\", \"opsgenie\" or \"webhook\"");
    }
    if (t.get("webhook_secret_env"))
        p.webhook_secret_env = env_name(t, at, "webhook_secret_env", kind);
    return p;
}

}  // namespace

std::vector<pager_target> parse_pagers(const std::string& toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw pager_config_error(source + ": not valid TOML: " + std::string(e.description()));
    }
    std::vector<pager_target> out;
    const toml::node* node = root.get("pagers");
    if (!node) return out;
    key_path at{source, "pagers"};
    const auto* arr = node->as_array();
    if (!arr || (!arr->empty() && !arr->is_array_of_tables())) at.fail(node, "a list of tables written [[pagers]]");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        key_path item{source, "pagers[" + std::to_string(i) + "]"};
        const auto& table = *arr->get(i)->as_table();
        auto p = read_pager(table, item);
        if (!seen.insert(p.name).second)
            item.child("name").fail(table.get("name"), "a unique pager name, but \"" + p.name + "\" is used twice");
        out.push_back(std::move(p));
    }
    return out;
}

void route_severities(const std::vector<pager_target>& pagers, std::vector<commands::severity_def>& severities,
                      const std::string& source) {
    for (auto& sev : severities) {
        std::vector<std::string> slack;
        for (auto& entry : sev.page) {
            if (find_pager(pagers, entry)) {
                if (std::find(sev.pagers.begin(), sev.pagers.end(), entry) == sev.pagers.end()) sev.pagers.push_back(entry);
            } else if (is_slack_id(entry)) {
                slack.push_back(entry);
            } else {
                std::string names;
                for (const auto& p : pagers) names += (names.empty() ? "" : ", ") + bot::toml_string(p.name);
                throw pager_config_error(source + ": severity " + sev.name + ": page: expected a Slack user group (S…) "
                                         "or user (U…) ID or the name of a [[pagers]] target, got " + bot::toml_string(entry) +
                                         (names.empty() ? " (no [[pagers]] are configured)" : " (pagers: " + names + ")"));
            }
        }
        sev.page = std::move(slack);
        if (sev.page_on_declare && sev.pagers.empty())
            throw pager_config_error(source + ": severity " + sev.name +
                                     ": page_on_declare = true, but its page list names no [[pagers]] target");
    }
}

void route_types(const std::vector<pager_target>& pagers, const std::vector<commands::incident_type_def>& types,
                 const std::string& source) {
    for (const auto& t : types)
        for (const auto& entry : t.pagers)
            if (!find_pager(pagers, entry))
                throw pager_config_error(source + ": incident type " + t.name + ": page: expected the name of a "
                                         "[[pagers]] target, got " + bot::toml_string(entry));
}

void read_secrets(std::vector<pager_target>& pagers, const env_lookup& env) {
    for (auto& p : pagers) {
        p.secret = bot::non_empty_env(env, p.secret_env).value_or("");
        p.webhook_secret = p.webhook_secret_env.empty() ? "" : bot::non_empty_env(env, p.webhook_secret_env).value_or("");
    }
}

std::vector<pager_target> load_pagers(const std::string& toml_text, const std::string& source,
                                      std::vector<commands::severity_def>& severities, const env_lookup& env) {
    auto pagers = parse_pagers(toml_text, source);
    route_severities(pagers, severities, source);
    read_secrets(pagers, env);
    return pagers;
}

std::vector<std::string> missing_secrets(const std::vector<pager_target>& pagers) {
    std::vector<std::string> out;
    for (const auto& p : pagers) {
        if (p.secret.empty())
            out.push_back(p.secret_env + " is not set: pages to " + p.name + " cannot be sent");
        if (!p.webhook_secret_env.empty() && p.webhook_secret.empty())
            out.push_back(p.webhook_secret_env + " is not set: answers from " + p.name + " will be refused");
    }
    return out;
}

std::string describe(const std::vector<pager_target>& pagers) {
    std::ostringstream out;
    for (const auto& p : pagers) {
        out << "\n[[pagers]]\n"
            << "name = " << bot::toml_string(p.name) << "\n"
            << "kind = " << bot::toml_string(to_string(p.kind)) << "\n";
        const char* secret_key = p.kind == pager_kind::pagerduty  ? "routing_key_env"
                                 : p.kind == pager_kind::opsgenie ? "api_key_env"
                                                                  : "secret_env";
        out << secret_key << " = " << bot::toml_string(p.secret_env) << "  # " << bot::secret_state(p.secret) << "\n";
        if (!p.webhook_secret_env.empty())
            out << "webhook_secret_env = " << bot::toml_string(p.webhook_secret_env) << "  # " << bot::secret_state(p.webhook_secret) << "\n";
        out << (p.kind == pager_kind::webhook ? "url" : "base_url") << " = " << bot::toml_string(p.url) << "\n";
        if (p.kind == pager_kind::pagerduty) out << "source = " << bot::toml_string(p.source) << "\n";
    }
    return out.str();
}

const pager_target* find_pager(const std::vector<pager_target>& pagers, std::string_view name) {
    for (const auto& p : pagers)
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace warroom::paging
