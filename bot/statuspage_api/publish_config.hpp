// [statuspage_api]: publishing our incidents to an Atlassian Statuspage page
// through its REST API (optional). The API key comes from the environment only.
//
//   [statuspage_api]
//   page_id = "kctbh9vrtdwd"
//   api_key_env = "STATUSPAGE_API_KEY"
//   base_url = "https://api.statuspage.io"      # the default; tests point it at a fake
//   deliver_notifications = true                # Statuspage e-mails its own subscribers
//   [statuspage_api.components]                 # our [[components]] name -> Statuspage's id
//   "Checkout" = "8kbf7d35c070"
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace warroom::statuspage_api {

inline constexpr std::string_view default_base = "https://api.statuspage.io";

struct publish_settings {
    bool enabled = false;  // a [statuspage_api] table is present
    std::string page_id;
    std::string api_key_env;
    std::string base_url = std::string(default_base);  // no trailing slash
    bool deliver_notifications = true;
    std::map<std::string, std::string> components;  // our component name -> Statuspage component id
    std::string api_key;  // from the environment; empty when unset
};

struct publish_config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// Throws publish_config_error naming the file and key. `component_names`: our
// [[components]]; a mapping for a name not among them is a typo and refused.
publish_settings parse_publish(const std::string& toml_text, const std::string& source,
                               const std::vector<std::string>& component_names);
publish_settings load_publish(const std::string& toml_text, const std::string& source,
                              const std::vector<std::string>& component_names, const env_lookup& env);

// "STATUSPAGE_API_KEY is not set: nothing can be published to Statuspage page kctbh9vrtdwd";
// also each of our components without a Statuspage id (its status is not published).
std::vector<std::string> warnings(const publish_settings& s, const std::vector<std::string>& component_names);

// The table as TOML for check-config, the key's variable with "set (redacted)" or "NOT SET".
std::string describe(const publish_settings& s);

}  // namespace warroom::statuspage_api
