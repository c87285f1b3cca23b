// The [[pagers]] of the TOML config: named PagerDuty, Opsgenie and webhook
// targets, and which severities page them. Secrets come from the environment
// only (the file names the variable), and are never printed.
#pragma once

#include "commands/settings.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::paging {

enum class pager_kind { pagerduty, opsgenie, webhook };
std::string_view to_string(pager_kind k) noexcept;

inline constexpr std::string_view pagerduty_default_base = "https://events.pagerduty.com";
inline constexpr std::string_view opsgenie_us_base = "https://api.opsgenie.com";
inline constexpr std::string_view opsgenie_eu_base = "https://api.eu.opsgenie.com";

struct pager_target {
    std::string name;  // lowercase, so it can never be mistaken for a Slack ID in a `page` list
    pager_kind kind = pager_kind::pagerduty;
    // The variable holding the outgoing secret: PagerDuty's routing key,
    // Opsgenie's API key, or the webhook's signing secret.
    std::string secret_env;
    // The variable holding the secret that proves a request from the vendor
    // (PagerDuty's webhook subscription secret, Opsgenie's shared header
    // value); empty: pages answered on the vendor's side are not accepted.
    std::string webhook_secret_env;
    // PagerDuty and Opsgenie: the API base, without a trailing slash
    // (Opsgenie's `region` picks it unless `base_url` is given). Webhook: the URL posted to.
    std::string url;
    std::string region;              // Opsgenie: "us" or "eu"
    std::string source = "warroom";  // PagerDuty's payload.source

    // Read from the environment by load_pagers; empty when unset.
    std::string secret;
    std::string webhook_secret;
};

// A problem in the [[pagers]] table or a `page` list: names the file, the key
// and what was expected (config.cpp turns it into its config_error).
struct pager_config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// [[pagers]] from the TOML text (no table: none). Throws pager_config_error.
std::vector<pager_target> parse_pagers(const std::string& toml_text, const std::string& source);

// Each severity's `page` list may name pagers beside Slack user groups and
// users: names of pagers move to the severity's `pagers`, Slack IDs stay in
// `page`. Anything else is a typo and throws pager_config_error, because it
// would otherwise page nobody at 3 a.m.
void route_severities(const std::vector<pager_target>& pagers, std::vector<commands::severity_def>& severities,
                      const std::string& source);

// An incident type's `page` list names only [[pagers]] targets (throws
// pager_config_error otherwise): paged with its severity's.
void route_types(const std::vector<pager_target>& pagers, const std::vector<commands::incident_type_def>& types,
                 const std::string& source);

// Fills each target's secrets from the environment.
void read_secrets(std::vector<pager_target>& pagers, const env_lookup& env);

// parse_pagers, route_severities and read_secrets: what load_config calls.
std::vector<pager_target> load_pagers(const std::string& toml_text, const std::string& source,
                                      std::vector<commands::severity_def>& severities, const env_lookup& env);

// One line per unset variable: "PD_PAYMENTS_KEY is not set: pages to payments-oncall cannot be sent".
std::vector<std::string> missing_secrets(const std::vector<pager_target>& pagers);

// The targets as TOML for check-config, each secret's variable named with
// "set (redacted)" or "NOT SET" beside it, never its value.
std::string describe(const std::vector<pager_target>& pagers);

const pager_target* find_pager(const std::vector<pager_target>& pagers, std::string_view name);

}  // namespace warroom::paging
