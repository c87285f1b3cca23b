// Renders warroom's messages from mustache templates: built in, or overridden
// file by file from a templates directory.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::templates {

struct template_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// name -> template text, generated at build time from templates/messages/.
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_templates();

class renderer {
public:
    // Reads `<dir>/<name>.mustache` for every built-in name that has such a
    // file; throws template_error for an unreadable or invalid override, or a
    // file that overrides no known template.
    explicit renderer(const std::string& templates_dir = "");
    ~renderer();
    renderer(renderer&&) noexcept;
    renderer& operator=(renderer&&) noexcept;

    // `{{x}}` escapes user text for Slack (mentions kept); `{{{x}}}` inserts
    // markup warroom made itself. Throws template_error for an unknown name.
    std::string render(std::string_view name, const nlohmann::json& data) const;

    // Overrides in use, for check-config and logs.
    const std::vector<std::string>& overridden() const { return overridden_; }

    struct compiled;  // a parsed template; opaque outside renderer.cpp

private:
    std::map<std::string, std::unique_ptr<compiled>, std::less<>> templates_;
    std::vector<std::string> overridden_;
};

// Block Kit for a rendered message: paragraphs become mrkdwn sections (within
// Slack's 3,000 characters each and 50 blocks), a line "---" a divider.
std::string blocks_for(std::string_view mrkdwn);

// Appends text as a JSON string, byte for byte what nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) writes for it.
void append_json_string(std::string& out, std::string_view text);

}  // namespace warroom::templates
