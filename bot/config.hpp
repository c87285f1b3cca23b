// Settings from (in order of precedence) flags, environment, the TOML file and
// the built-in defaults.
#pragma once

#include "bot/email/email_config.hpp"
#include "bot/paging/pager_config.hpp"
#include "bot/statuspage_api/publish_config.hpp"
#include "commands/settings.hpp"
#include "statuspage/components_config.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace warroom::bot {

// A configuration problem: names the file and key and says what was expected.
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct config {
    commands::settings settings = commands::default_settings();
    std::string source = "built-in defaults";  // the file read, for messages
    std::string db_path = "warroom.db";
    std::string listen = "0.0.0.0:3000";
    std::string slack_api_url = "https://slack.com/api/";
    // WARROOM_SLACK_PACE: runs Slack's rate limits this many times faster.
    // Only for tests against a fake Slack, which has no limits of its own.
    double slack_pace = 1.0;
    // WARROOM_MAX_CONNECTIONS: open HTTP connections; at the cap the idlest close first.
    std::size_t max_connections = 1024;
    // WARROOM_BODY_MEMORY_MB: memory all request bodies in flight may hold; past it, 503.
    std::size_t body_memory_mb = 32;
    // slack_unreachable_after: deliveries failing this long make /readyz 503
    // (and `warroom healthcheck --ready` fail); /healthz stays 200.
    std::chrono::seconds slack_unreachable_after{60};
    // The public status page: [status_page] and [[components]] in the file;
    // WARROOM_STATUS_LISTEN (host:port) serves it, off when empty.
    statuspage::page_settings status_page;
    std::string status_listen;
    // Secrets: from the environment only, never printed or logged.
    std::string bot_token;
    std::string signing_secret;
    std::string app_token;
    // [[pagers]]: PagerDuty, Opsgenie and webhook targets, their secrets read from the environment.
    std::vector<paging::pager_target> pagers;
    // install_id: names this warroom in the keys it gives vendors (PagerDuty's
    // dedup_key, Opsgenie's alias), so two warrooms paging one service stay
    // apart and a webhook from the vendor is matched to this one's incidents.
    // Must never change once pages were sent.
    std::string install_id = "warroom";
    // [email]: the SMTP server incident mail goes through; its login from the environment.
    email::email_settings email;
    // [statuspage_api]: publishing to an Atlassian Statuspage page; its key from the environment.
    statuspage_api::publish_settings statuspage_api;
    // Several replicas on one PostgreSQL database: this process's name in
    // leases and /healthz (WARROOM_REPLICA_ID; default host:listen port), and how long
    // an outbox entry it took stays its own without news (`lease`): a replica
    // that dies holds its entries this long, then another delivers them.
    std::string replica_id;
    std::chrono::seconds lease{15};
};

// Reads an environment variable; empty optional when unset. Injected so tests
// need not touch the process environment.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;
env_lookup process_environment();

struct config_overrides {  // from the command line
    std::optional<std::string> config_file;
    std::optional<std::string> db_path;
};

// Throws config_error.
config load_config(const config_overrides& flags, const env_lookup& env);
// Parses TOML text on top of the defaults (used by load_config and tests);
// `source` names it in error messages.
commands::settings parse_settings(const std::string& toml_text, const std::string& source);

// The file's keys for the shell rather than the engine (slack_unreachable_after),
// into `c`; parse_settings has checked the text and its key names already.
void parse_service_settings(const std::string& toml_text, const std::string& source, config& c);

// The effective settings as TOML-like text, secrets redacted (check-config).
std::string describe(const config& c);

}  // namespace warroom::bot
