// The /incident grammar: words with their place in the raw text, so free text
// (titles, updates, notes) keeps its spacing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::commands {

class command_line {
public:
    explicit command_line(std::string_view text);  // "/incident" in front is accepted

    std::string verb() const;  // lowercased first word, "" when the text is empty
    std::size_t size() const { return words_.size(); }
    std::string_view word(std::size_t i) const { return i < words_.size() ? words_[i].text : std::string_view{}; }
    // The raw text from word i to the end, trimmed; "" past the end.
    std::string rest(std::size_t i) const;

private:
    struct token {
        std::string_view text;
        std::size_t begin;
    };
    std::string text_;
    std::vector<token> words_;
};

// The optional sections of an update: "... impact: ... actions: ... next: ... eta: ...".
struct update_sections {
    std::string text;  // before the first section
    std::string impact, actions, next, eta;
};
update_sections parse_update(std::string_view text);

}  // namespace warroom::commands
