// Reading the config with messages that say where: "file: email.smtp_url:
// expected a string in quotes (line 12)", and its secrets from the
// environment. One copy for every table's reader (bot/config, [[pagers]],
// [email], [statuspage_api]); each throws its own error type, which its
// caller turns into config_error.
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace warroom::bot {

template <class Error>
struct toml_key_path {
    const std::string& source;
    std::string key;

    toml_key_path child(std::string_view name) const {
        return {source, key.empty() ? std::string(name) : key + "." + std::string(name)};
    }
    toml_key_path index(std::size_t i) const { return {source, key + "[" + std::to_string(i) + "]"}; }

    [[noreturn]] void fail(const toml::node* node, const std::string& expected) const {
        std::ostringstream msg;
        msg << source << ": " << key << ": expected " << expected;
        if (node) {
            if (auto line = node->source().begin.line; line > 0) msg << " (line " << line << ")";
        }
        throw Error(msg.str());
    }
};

template <class Error>
std::optional<std::string> read_toml_string(const toml::table& t, const toml_key_path<Error>& at,
                                            std::string_view name) {
    const toml::node* node = t.get(name);
    if (!node) return std::nullopt;
    if (!node->is_string()) at.child(name).fail(node, "a string in quotes");
    return *node->value<std::string>();
}

// A config names the variable that holds a secret, never the secret: A-Z, 0-9, _.
inline bool is_env_name(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

// An environment variable's value; set but empty counts as unset.
template <class Env>
std::optional<std::string> non_empty_env(const Env& env, const std::string& name) {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
}

// What check-config prints beside a secret's variable: whether it is set, never its value.
inline const char* secret_state(const std::string& secret) { return secret.empty() ? "NOT SET" : "set (redacted)"; }

}  // namespace warroom::bot
