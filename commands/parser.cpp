// Splitting command text into words without losing the raw text between them.
#include "commands/parser.hpp"

#include "commands/text.hpp"

#include <cctype>

namespace warroom::commands {

namespace {
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
}  // namespace

command_line::command_line(std::string_view text) : text_(text) {
    std::string_view t = text_;
    std::size_t i = 0;
    while (i < t.size()) {
        while (i < t.size() && is_space(t[i])) ++i;
        std::size_t start = i;
        while (i < t.size() && !is_space(t[i])) ++i;
        if (i > start) words_.push_back({t.substr(start, i - start), start});
    }
    if (!words_.empty() && iequals(words_.front().text, "/incident")) words_.erase(words_.begin());
}

std::string command_line::verb() const { return words_.empty() ? std::string() : to_lower(words_[0].text); }

std::string command_line::rest(std::size_t i) const {
    if (i >= words_.size()) return {};
    return trim(std::string_view(text_).substr(words_[i].begin));
}

update_sections parse_update(std::string_view text) {
    static constexpr std::string_view labels[] = {"impact:", "actions:", "next:", "eta:"};
    update_sections out;
    std::string* current = &out.text;
    std::string lowered = to_lower(text);
    std::size_t pos = 0, start = 0;
    auto flush = [&](std::size_t end) { *current = trim(text.substr(start, end - start)); };
    while (pos < text.size()) {
        bool at_word_start = pos == 0 || is_space(text[pos - 1]);
        bool matched = false;
        if (at_word_start) {
            for (std::size_t l = 0; l < 4; ++l) {
                if (std::string_view(lowered).substr(pos, labels[l].size()) != labels[l]) continue;
                flush(pos);
                current = l == 0 ? &out.impact : l == 1 ? &out.actions : l == 2 ? &out.next : &out.eta;
                pos += labels[l].size();
                start = pos;
                matched = true;
                break;
            }
        }
        if (!matched) ++pos;
    }
    flush(text.size());
    return out;
}

}  // namespace warroom::commands
