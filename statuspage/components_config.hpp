// The status page's settings from the TOML file: the page itself
// ([status_page] name, url, groups) and the components customers see
// ([[components]] name, group, description).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace warroom::statuspage {

struct component_def {
    std::string name;
    std::string group;  // one of page_settings::groups, or empty: shown on its own
    std::string description;
};

struct page_settings {
    std::string name = "Status";
    std::string url;  // where the public reaches the page (feeds and JSON link to it); may be empty
    std::vector<std::string> groups;  // display order of the component groups
    std::vector<component_def> components;  // display order
};

// A problem in the file; the message names the file, the key and what was expected.
struct settings_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reads [status_page] and [[components]] from TOML text (other keys are the
// rest of the config's business). Component names are unique
// (case-insensitively) and every group is one [status_page] lists.
// Throws settings_error. Text that is not TOML yields the defaults: the
// caller's own parse reports it.
page_settings read_page_settings(const std::string& toml_text, const std::string& source);

}  // namespace warroom::statuspage
