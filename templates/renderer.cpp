// Mustache rendering with Slack escaping, and Block Kit for the result.
#include "templates/renderer.hpp"

#include "templates/slack_text.hpp"

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace warroom::templates {

namespace mst = kainjow::mustache;

namespace {

// kainjow keeps the newline of a section tag that stands alone on its line
// when the section is false or empty, so every hidden optional line would
// leave a blank one. Joining such tag lines to the next does what the
// Mustache spec's standalone-tag rule does.
std::string join_standalone_tags(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        bool last = eol == std::string::npos;
        std::string_view line(text.data() + pos, (last ? text.size() : eol) - pos);
        auto start = line.find_first_not_of(" \t");
        std::string_view body = start == std::string_view::npos ? std::string_view{} : line.substr(start);
        bool standalone = body.size() > 5 && body.substr(0, 2) == "{{" && (body[2] == '#' || body[2] == '^' || body[2] == '/') &&
                          body.find("}}") == body.size() - 2;
        if (standalone) {
            out.append(body);
        } else {
            out.append(line);
            if (!last) out += '\n';
        }
        if (last) break;
        pos = eol + 1;
    }
    return out;
}

}  // namespace

struct renderer::compiled {
    mst::mustache tmpl;
    explicit compiled(const std::string& text) : tmpl(join_standalone_tags(text)) {
        tmpl.set_custom_escape([](const std::string& s) { return escape_user_text(s); });
    }
};

namespace {

// Runs for every message: the object's own map is walked (items() builds a
// proxy per element) and strings are copied once, by kainjow, not twice.
mst::data to_data(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::object: {
            mst::data d{mst::data::type::object};
            for (const auto& [k, v] : j.get_ref<const nlohmann::json::object_t&>()) d.set(k, to_data(v));
            return d;
        }
        case nlohmann::json::value_t::array: {
            mst::data d{mst::data::type::list};
            for (const auto& v : j.get_ref<const nlohmann::json::array_t&>()) d.push_back(to_data(v));
            return d;
        }
        case nlohmann::json::value_t::string: return mst::data{j.get_ref<const std::string&>()};
        case nlohmann::json::value_t::boolean: return mst::data{j.get<bool>()};
        case nlohmann::json::value_t::null: return mst::data{false};
        default: return mst::data{j.dump()};
    }
}

std::unique_ptr<renderer::compiled> compile(const std::string& name, const std::string& text,
                                            const std::string& origin) {
    auto c = std::make_unique<renderer::compiled>(text);
    if (!c->tmpl.is_valid())
        throw template_error(origin + ": template " + name + " is invalid: " + c->tmpl.error_message());
    return c;
}

}  // namespace

renderer::renderer(const std::string& templates_dir) {
    for (const auto& [name, text] : builtin_templates())
        templates_.emplace(std::string(name), compile(std::string(name), std::string(text), "built-in"));
    if (templates_dir.empty()) return;

    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(templates_dir, ec))
        throw template_error("templates_dir " + templates_dir + " is not a readable directory");
    for (const auto& entry : fs::directory_iterator(templates_dir)) {
        if (entry.path().extension() != ".mustache") continue;
        std::string name = entry.path().stem().string();
        auto it = templates_.find(name);
        if (it == templates_.end())
            throw template_error(entry.path().string() + ": no built-in template is called " + name);
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        if (!in) throw template_error(entry.path().string() + ": cannot be read");
        it->second = compile(name, text.str(), entry.path().string());
        overridden_.push_back(name);
    }
}

renderer::~renderer() = default;
renderer::renderer(renderer&&) noexcept = default;
renderer& renderer::operator=(renderer&&) noexcept = default;

std::string renderer::render(std::string_view name, const nlohmann::json& data) const {
    auto it = templates_.find(name);
    if (it == templates_.end()) throw template_error("no template called " + std::string(name));
    // Templates are parsed once; kainjow's render is non-const only for its
    // own bookkeeping, and a renderer is used from one thread.
    std::string out = it->second->tmpl.render(to_data(data));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

namespace {

// Eight bytes at a time (every answer's text passes here twice): a word
// that is all ASCII needs no decoding, and one also free of control
// characters, '"' and '\\' needs no escaping. Exact tests, not heuristics:
// has_less(w, n) is nonzero iff some byte of w is below n (n <= 128).
constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
std::uint64_t load_word(const void* at) {
    std::uint64_t w;
    std::memcpy(&w, at, sizeof w);
    return w;
}
constexpr std::uint64_t has_less(std::uint64_t w, unsigned char n) { return (w - ones * n) & ~w & highs; }
constexpr std::uint64_t has_byte(std::uint64_t w, unsigned char b) { return has_less(w ^ (ones * b), 1); }
bool needs_no_escape(std::uint64_t w) {
    return (w & highs) == 0 && !has_less(w, 0x20) && !has_byte(w, '"') && !has_byte(w, '\\');
}

// True when text is UTF-8 as RFC 3629 defines it (no overlong forms, no
// surrogates, nothing past U+10FFFF): exactly what nlohmann's decoder accepts.
bool valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    auto cont = [&](const unsigned char* at, unsigned char lo, unsigned char hi) {
        return at < end && *at >= lo && *at <= hi;
    };
    while (p < end) {
        if (end - p >= 8 && (load_word(p) & highs) == 0) {
            p += 8;
            continue;
        }
        unsigned char c = *p;
        if (c < 0x80) {
            ++p;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (!cont(p + 1, 0x80, 0xBF)) return false;
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
            if (!cont(p + 1, lo, hi) || !cont(p + 2, 0x80, 0xBF)) return false;
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
            if (!cont(p + 1, lo, hi) || !cont(p + 2, 0x80, 0xBF) || !cont(p + 3, 0x80, 0xBF)) return false;
            p += 4;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

// Invalid UTF-8 (rare) goes through nlohmann itself.
void append_json_string(std::string& out, std::string_view text) {
    if (!valid_utf8(text)) {
        out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain_from = 0;  // runs that need no escaping are appended whole
    for (std::size_t i = 0; i < text.size(); ++i) {
        while (text.size() - i >= 8 && needs_no_escape(load_word(text.data() + i))) i += 8;
        if (i == text.size()) break;
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.substr(plain_from, i - plain_from));
        plain_from = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
        }
    }
    out.append(text.substr(plain_from));
    out += '"';
}

std::size_t slack_length(std::string_view text) {
    std::size_t n = 0;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c & 0xC0) != 0x80) ++n;  // a lead byte (or a stray one) starts a code point
        if (c >= 0xF0) ++n;           // four bytes: a surrogate pair in UTF-16
    }
    return n;
}

namespace {

struct block {
    bool divider = false;
    std::string text;   // a section's mrkdwn
    std::size_t lines = 0;  // source lines it carries (for the "left out" count)
    std::size_t length = 0;  // slack_length(text), counted once
};

struct packed {
    std::vector<block> blocks;
    std::size_t lines_cut = 0;
};

// The longest prefix of `line` within `limit` characters, cut after a space
// when there is one in its second half, else on a character boundary.
std::size_t split_point(std::string_view line, std::size_t limit) {
    std::size_t units = 0, i = 0, last_space = std::string_view::npos;
    while (i < line.size()) {
        auto c = static_cast<unsigned char>(line[i]);
        std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        std::size_t w = len == 4 ? 2 : 1;
        if (units + w > limit) break;
        units += w;
        i += std::min(len, line.size() - i);
        if (c == ' ') last_space = i;
    }
    if (i < line.size() && last_space != std::string_view::npos && last_space > i / 2) return last_space;
    return std::max<std::size_t>(i, 1);
}

packed pack(std::string_view mrkdwn) {
    std::vector<block> raw;
    std::string section;
    std::size_t section_len = 0, section_lines = 0;
    auto close_section = [&] {
        while (!section.empty() && section.back() == '\n') section.pop_back();
        if (!section.empty()) raw.push_back({false, std::move(section), section_lines, section_len});
        section.clear();
        section_len = section_lines = 0;
    };
    auto add_piece = [&](std::string_view piece, bool ends_line) {
        std::size_t len = slack_length(piece);
        if (section_len > 0 && section_len + 1 + len > max_section_chars) close_section();
        if (section_len > 0) {
            section += '\n';
            ++section_len;
        }
        section.append(piece);
        section_len += len;
        if (ends_line) ++section_lines;
    };
    std::size_t pos = 0;
    while (pos <= mrkdwn.size()) {
        auto eol = mrkdwn.find('\n', pos);
        if (eol == std::string_view::npos) eol = mrkdwn.size();
        auto line = mrkdwn.substr(pos, eol - pos);
        if (line == "---") {
            close_section();
            raw.push_back({true, {}, 0, 0});
        } else if (line.empty()) {
            close_section();
        } else {
            // A line longer than a section goes on in the next one.
            while (slack_length(line) > max_section_chars) {
                auto cut = split_point(line, max_section_chars);
                add_piece(line.substr(0, cut), false);
                close_section();
                line.remove_prefix(cut);
            }
            add_piece(line, true);
        }
        pos = eol + 1;
    }
    close_section();

    // Too many blocks: paragraphs share sections, then dividers go.
    auto merge = [](std::vector<block> in, bool drop_dividers) {
        std::vector<block> out;
        for (auto& b : in) {
            if (b.divider) {
                if (!drop_dividers) out.push_back(std::move(b));
                continue;
            }
            if (!out.empty() && !out.back().divider && out.back().length + 2 + b.length <= max_section_chars) {
                out.back().text += "\n\n" + b.text;
                out.back().lines += b.lines;
                out.back().length += 2 + b.length;
            } else {
                out.push_back(std::move(b));
            }
        }
        return out;
    };
    if (raw.size() > max_blocks) raw = merge(std::move(raw), false);
    if (raw.size() > max_blocks) raw = merge(std::move(raw), true);

    std::size_t total = 0;
    for (const auto& b : raw) total += b.length;
    packed out;
    if (raw.size() <= max_blocks && total <= max_blocks_text_chars) {
        out.blocks = std::move(raw);
        return out;
    }
    // Still too much: keep what fits, leaving room for the notice.
    constexpr std::size_t notice_room = 100;
    std::size_t used = 0, kept = 0;
    for (; kept < raw.size() && kept + 1 < max_blocks; ++kept) {
        auto len = raw[kept].length;
        if (used + len > max_blocks_text_chars - notice_room) break;
        used += len;
    }
    for (std::size_t i = kept; i < raw.size(); ++i) out.lines_cut += raw[i].lines;
    raw.resize(kept);
    out.blocks = std::move(raw);
    return out;
}

std::string left_out(std::size_t lines) {
    return "_… " + std::to_string(lines) + (lines == 1 ? " more line" : " more lines") + " not shown here._";
}

}  // namespace

bool fits_in_blocks(std::string_view mrkdwn) { return pack(mrkdwn).lines_cut == 0 && slack_length(mrkdwn) <= max_text_chars; }

std::string fit_text(std::string_view text) {
    if (slack_length(text) <= max_text_chars) return std::string(text);
    constexpr std::size_t notice_room = 100;
    std::size_t used = 0, pos = 0, cut = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        auto len = slack_length(text.substr(pos, eol - pos)) + 1;
        if (used + len > max_text_chars - notice_room) break;
        used += len;
        pos = eol + 1;
        cut = std::min(pos, text.size());
    }
    std::size_t lines = 0;
    for (std::size_t i = cut; i < text.size(); ++i) lines += text[i] == '\n';
    if (cut < text.size() && text.back() != '\n') ++lines;
    std::string out(text.substr(0, cut));
    if (cut == 0) out = truncate_utf8(text, (max_text_chars - notice_room)), lines = 1;  // one giant line
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + left_out(lines);
}

// Written straight to JSON text (keys in nlohmann's sorted order) rather than
// built as a nlohmann tree and dumped: this runs for every answer.
namespace {

std::string write_blocks(const packed& p) {
    std::string out = "[";
    bool first = true;
    auto add = [&](const block& b) {
        if (!first) out += ',';
        first = false;
        if (b.divider) {
            out += R"({"type":"divider"})";
            return;
        }
        out += R"({"text":{"text":)";
        // Users paste anything; invalid UTF-8 becomes U+FFFD rather than failing the post.
        append_json_string(out, b.text);
        out += R"(,"type":"mrkdwn"},"type":"section"})";
    };
    for (const auto& b : p.blocks) add(b);
    if (p.lines_cut) add({false, left_out(p.lines_cut), 0, 0});
    out += ']';
    return out;
}

}  // namespace

std::string blocks_for(std::string_view mrkdwn) { return write_blocks(pack(mrkdwn)); }

std::optional<std::string> whole_blocks(std::string_view mrkdwn) {
    if (slack_length(mrkdwn) > max_text_chars) return std::nullopt;
    auto p = pack(mrkdwn);
    if (p.lines_cut) return std::nullopt;
    return write_blocks(p);
}

}  // namespace warroom::templates
