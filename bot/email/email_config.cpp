// Messages follow bot/config.cpp's: "file: email.smtp_url: expected … (line 12)".
#include "bot/email/email_config.hpp"

#include "bot/toml_read.hpp"
#include "bot/toml_text.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

namespace warroom::email {

namespace {

using bot::is_env_name;

using key_path = bot::toml_key_path<email_config_error>;

std::optional<std::string> read_string(const toml::table& t, const key_path& at, std::string_view name) {
    return bot::read_toml_string(t, at, name);
}

std::string env_name(const toml::table& t, const key_path& at, std::string_view key) {
    auto v = read_string(t, at, key).value_or("");
    if (!is_env_name(v))
        at.child(key).fail(t.get(key), "the NAME of an environment variable (A-Z, 0-9, _), not the secret itself");
    return v;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

std::string email_settings::domain() const {
    auto at = from.rfind('@');
    return at == std::string::npos ? from : from.substr(at + 1);
}

bool is_address(std::string_view a) {
    auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == a.size() || a.find('@', at + 1) != std::string_view::npos)
        return false;
    if (a.size() > 254) return false;  // RFC 5321's path limit
    return std::none_of(a.begin(), a.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == '"' || c == ';' || c == '(' ||
               c == ')' || c == '\\' || c == '[' || c == ']' || c == ':';
    });
}

email_settings parse_email(const std::string& toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw email_config_error(source + ": not valid TOML: " + std::string(e.description()));
    }
    email_settings s;
    const toml::node* node = root.get("email");
    if (!node) return s;
    key_path at{source, "email"};
    const auto* t = node->as_table();
    if (!t) at.fail(node, "a table written [email]");
    static const std::vector<std::string_view> known{"smtp_url", "from", "from_name", "username_env", "password_env",
                                                    "require_starttls"};
    for (const auto& [k, v] : *t) {
        if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
        at.child(k.str()).fail(&v, "no such key; known keys here are: smtp_url, from, from_name, username_env, "
                                   "password_env, require_starttls");
    }
    s.enabled = true;
    s.smtp_url = read_string(*t, at, "smtp_url").value_or("");
    if (s.smtp_url.rfind("smtp://", 0) != 0 && s.smtp_url.rfind("smtps://", 0) != 0)
        at.child("smtp_url").fail(t->get("smtp_url") ? t->get("smtp_url") : t,
                                  "a URL like \"smtp://mail.example.com:587\" (STARTTLS) or \"smtps://mail.example.com:465\"");
    if (has_control(s.smtp_url) || s.smtp_url.find(' ') != std::string::npos)
        at.child("smtp_url").fail(t->get("smtp_url"), "a URL without spaces or control characters");
    s.from = read_string(*t, at, "from").value_or("");
    if (!is_address(s.from))
        at.child("from").fail(t->get("from") ? t->get("from") : t, "a plain address like \"status@example.com\"");
    s.from_name = read_string(*t, at, "from_name").value_or("");
    if (has_control(s.from_name)) at.child("from_name").fail(t->get("from_name"), "a name without control characters");
    if (t->get("username_env")) s.username_env = env_name(*t, at, "username_env");
    if (t->get("password_env")) s.password_env = env_name(*t, at, "password_env");
    if (s.username_env.empty() != s.password_env.empty())
        at.child(s.username_env.empty() ? "username_env" : "password_env")
            .fail(t, "both username_env and password_env, or neither (a relay that needs no login)");
    if (const auto* b = t->get("require_starttls")) {
        if (!b->is_boolean()) at.child("require_starttls").fail(b, "true or false");
        s.require_starttls = *b->value<bool>();
    }
    return s;
}

void read_secrets(email_settings& s, const env_lookup& env) {
    s.username = s.username_env.empty() ? "" : bot::non_empty_env(env, s.username_env).value_or("");
    s.password = s.password_env.empty() ? "" : bot::non_empty_env(env, s.password_env).value_or("");
}

email_settings load_email(const std::string& toml_text, const std::string& source, const env_lookup& env) {
    auto s = parse_email(toml_text, source);
    read_secrets(s, env);
    return s;
}

std::vector<std::string> missing_secrets(const email_settings& s) {
    std::vector<std::string> out;
    if (!s.enabled) return out;
    if (!s.username_env.empty() && s.username.empty())
        out.push_back(s.username_env + " is not set: e-mail cannot log in to " + s.smtp_url);
    if (!s.password_env.empty() && s.password.empty())
        out.push_back(s.password_env + " is not set: e-mail cannot log in to " + s.smtp_url);
    return out;
}

std::string describe(const email_settings& s) {
    if (!s.enabled) return "";
    std::ostringstream out;
    out << "\n[email]\n"
        << "smtp_url = " << bot::toml_string(s.smtp_url) << "\n"
        << "from = " << bot::toml_string(s.from) << "\n";
    if (!s.from_name.empty()) out << "from_name = " << bot::toml_string(s.from_name) << "\n";
    if (!s.username_env.empty())
        out << "username_env = " << bot::toml_string(s.username_env) << "  # " << bot::secret_state(s.username) << "\n"
            << "password_env = " << bot::toml_string(s.password_env) << "  # " << bot::secret_state(s.password) << "\n";
    out << "require_starttls = " << (s.require_starttls ? "true" : "false") << "\n";
    return out.str();
}

}  // namespace warroom::email
