// The [email] table of the TOML config: the SMTP server incident mail goes
// through and the sender. Secrets (the SMTP user name and password) come from
// the environment only; the file names the variables, and they are never printed.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::email {

struct email_settings {
    bool enabled = false;  // an [email] table is present
    // smtp://host:587 (STARTTLS upgrades it) or smtps://host:465 (TLS from the start).
    std::string smtp_url;
    std::string from;       // the envelope sender and the From address: "status@example.com"
    std::string from_name;  // the From display name, e.g. "Example Status"; may be non-ASCII
    std::string username_env;
    std::string password_env;
    // Refuse to send (dead, with the reason) when an smtp:// server does not
    // offer STARTTLS: credentials and customer addresses never cross a network
    // in clear text unless the config says this relay is trusted.
    bool require_starttls = true;
    // Read from the environment by load_email; empty when unset.
    std::string username;
    std::string password;

    // The part of `from` after '@': every Message-ID we make ends with it (RFC 5322 §3.6.4).
    std::string domain() const;
};

struct email_config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// [email] from the TOML text (absent: enabled = false). Throws email_config_error
// naming the file, the key and what was expected.
email_settings parse_email(const std::string& toml_text, const std::string& source);
void read_secrets(email_settings& s, const env_lookup& env);
email_settings load_email(const std::string& toml_text, const std::string& source, const env_lookup& env);

// One line per variable the file names but the environment lacks:
// "SMTP_PASSWORD is not set: e-mail cannot log in to smtp://mail.example.com:587".
std::vector<std::string> missing_secrets(const email_settings& s);

// The [email] table as TOML for check-config, each variable with "set (redacted)"
// or "NOT SET" beside it; empty when e-mail is off.
std::string describe(const email_settings& s);

// A plain address "local@domain" as a severity's `email` list and `from` take
// it: one '@', no spaces, controls, quotes, angle brackets or commas (each
// of which could smuggle a second recipient or a header into the SMTP dialogue).
bool is_address(std::string_view a);

}  // namespace warroom::email
