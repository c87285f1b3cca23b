// Renders warroom's messages from mustache templates: built in, or overridden
// file by file from a templates directory.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>

#include <map>
#include <memory>
#include <optional>
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
    // The same rendered by kainjow, which render() uses only for what its own
    // renderer leaves out (partials, set delimiters, dotted names): the
    // reference the tests hold render() to, byte for byte.
    std::string render_with_kainjow(std::string_view name, const nlohmann::json& data) const;

    // Overrides in use, for check-config and logs.
    const std::vector<std::string>& overridden() const { return overridden_; }

    struct compiled;  // a parsed template; opaque outside renderer.cpp

private:
    std::map<std::string, std::unique_ptr<compiled>, std::less<>> templates_;
    std::vector<std::string> overridden_;
};

// Slack's limits for one message (SLACK.md section 7), in characters.
inline constexpr std::size_t max_blocks = 50;
inline constexpr std::size_t max_section_chars = 3000;
inline constexpr std::size_t max_text_chars = 40000;
// Slack refuses a message whose blocks hold more than about 13,000 characters
// in all (msg_blocks_too_long); this leaves room for buttons.
inline constexpr std::size_t max_blocks_text_chars = 12000;

// Length as Slack counts it, to be safe: UTF-16 code units (an emoji outside
// the BMP is two), never less than the code points.
std::size_t slack_length(std::string_view text);

// Block Kit for a rendered message: paragraphs become mrkdwn sections, a line
// "---" a divider. Always within Slack's limits (50 blocks, 3,000 characters a
// section, max_blocks_text_chars in all): paragraphs share sections when there
// are too many, a line too long for a section is split, and what still does not
// fit is replaced by a last section saying how many lines were left out.
std::string blocks_for(std::string_view mrkdwn);
// True when blocks_for carries all of the text, nothing left out.
bool fits_in_blocks(std::string_view mrkdwn);
// Both at once, the text packed once: blocks_for's blocks when fits_in_blocks,
// else nullopt.
std::optional<std::string> whole_blocks(std::string_view mrkdwn);
// The text within Slack's 40,000 characters: cut at a line, with a last line
// saying how many lines were left out.
std::string fit_text(std::string_view text);

// Appends text as a JSON string, byte for byte what nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) writes for it.
void append_json_string(std::string& out, std::string_view text);

}  // namespace warroom::templates
