// Mustache rendering with Slack escaping, and Block Kit for the result.
#include "templates/renderer.hpp"

#include "templates/slack_text.hpp"

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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

// warroom's own rendering of what the templates use (variables, sections,
// inverted sections, comments), read from the nlohmann tree itself: kainjow
// needs its own copy of the data first, which cost about as much as rendering.
// It follows kainjow's rules to the byte (see render_with_kainjow and its
// test): names looked up from the innermost context out, null as false, a
// number as its JSON text, and kainjow's dropping of a line that holds a
// rendered section tag and nothing but blanks. A template using anything else
// (partials, set delimiters, dotted names) is rendered by kainjow.
namespace fast {

enum class kind : unsigned char { text, newline, variable, raw, section, inverted };

struct node {
    kind k;
    std::string text;  // the text, the newline, or the name looked up
    std::vector<node> children;
};

std::string trim(std::string_view s) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// Mirrors kainjow's parser for the default delimiters; nullopt for what it
// leaves to kainjow.
std::optional<std::vector<node>> parse(const std::string& input) {
    std::vector<node> root;
    std::vector<std::vector<node>*> sections{&root};
    std::string text;
    auto flush = [&] {
        if (!text.empty()) sections.back()->push_back({kind::text, std::move(text), {}});
        text.clear();
    };
    const std::size_t n = input.size();
    std::size_t pos = 0;
    while (pos < n) {
        if (input.compare(pos, 2, "{{") == 0) {
            flush();
            std::size_t contents = pos + 2;
            bool triple = pos != n - 2 && input[contents] == '{';
            if (triple) ++contents;
            auto end = input.find(triple ? "}}}" : "}}", contents);
            if (end == std::string::npos) return std::nullopt;
            std::string tag = trim(std::string_view(input).substr(contents, end - contents));
            pos = end + (triple ? 3 : 2);
            if (!tag.empty() && tag[0] == '=') return std::nullopt;  // set delimiter
            kind k = kind::variable;
            std::string name = tag;
            if (triple) {
                k = kind::raw;
            } else if (!tag.empty()) {
                switch (tag[0]) {
                    case '#': k = kind::section; break;
                    case '^': k = kind::inverted; break;
                    case '&': k = kind::raw; break;
                    case '/':
                        if (sections.size() == 1) return std::nullopt;
                        sections.pop_back();
                        continue;
                    case '!': continue;  // comment
                    case '>': return std::nullopt;  // partial
                    default: break;
                }
                if (k != kind::variable) name = trim(std::string_view(tag).substr(1));
            }
            if (name != "." && name.find('.') != std::string::npos) return std::nullopt;
            sections.back()->push_back({k, std::move(name), {}});
            if (k == kind::section || k == kind::inverted) sections.push_back(&sections.back()->back().children);
        } else if (input[pos] == '\n' || input[pos] == '\r') {
            flush();
            std::size_t len = input[pos] == '\r' && pos + 1 < n && input[pos + 1] == '\n' ? 2 : 1;
            sections.back()->push_back({kind::newline, input.substr(pos, len), {}});
            pos += len;
        } else {
            text += input[pos++];
        }
    }
    flush();
    if (sections.size() != 1) return std::nullopt;
    return root;
}

using json = nlohmann::json;

struct state {
    std::string out;
    std::size_t line_start = 0;  // where the current line begins in out
    bool section_tag = false;    // the current line holds a rendered section's tag
    std::vector<const json*> stack;  // contexts, innermost last
};

const json* lookup(const state& st, const std::string& name) {
    if (name.size() == 1 && name[0] == '.') return st.stack.back();
    for (auto it = st.stack.rbegin(); it != st.stack.rend(); ++it) {
        if (!(*it)->is_object()) continue;
        const auto& obj = (*it)->get_ref<const json::object_t&>();
        if (auto found = obj.find(name); found != obj.end()) return &found->second;
    }
    return nullptr;
}

// kainjow: a line that held a rendered section tag and only blanks goes,
// newline and all.
void end_line(state& st, std::string_view newline) {
    bool blank = st.out.find_first_not_of(" \t", st.line_start) == std::string::npos;
    if (st.section_tag && blank)
        st.out.resize(st.line_start);
    else
        st.out.append(newline);
    st.line_start = st.out.size();
    st.section_tag = false;
}

bool is_false(const json& v) { return v.is_null() || (v.is_boolean() && !v.get<bool>()); }
bool is_empty_list(const json& v) { return v.is_array() && v.empty(); }

void render_nodes(state& st, const std::vector<node>& nodes);

void render_section(state& st, const node& n, const json* v) {
    if (v && v->is_array() && !v->empty()) {
        for (const auto& item : v->get_ref<const json::array_t&>()) {
            st.section_tag = true;
            st.stack.push_back(&item);
            render_nodes(st, n.children);
            st.stack.pop_back();
            st.section_tag = true;
        }
        return;
    }
    st.section_tag = true;
    if (v) st.stack.push_back(v);
    render_nodes(st, n.children);
    if (v) st.stack.pop_back();
    st.section_tag = true;
}

void render_nodes(state& st, const std::vector<node>& nodes) {
    for (const auto& n : nodes) {
        switch (n.k) {
            case kind::text: st.out.append(n.text); break;
            case kind::newline: end_line(st, n.text); break;
            case kind::variable:
            case kind::raw: {
                const json* v = lookup(st, n.text);
                if (!v || v->is_boolean() || v->is_null() || v->is_object() || v->is_array()) break;
                if (v->is_string()) {
                    const auto& s = v->get_ref<const std::string&>();
                    if (n.k == kind::raw) st.out.append(s);
                    else append_escaped_user_text(st.out, s);
                } else if (n.k == kind::raw) {
                    st.out.append(v->dump());
                } else {
                    append_escaped_user_text(st.out, v->dump());
                }
                break;
            }
            case kind::section: {
                const json* v = lookup(st, n.text);
                if (v && !is_false(*v) && !is_empty_list(*v)) render_section(st, n, v);
                break;
            }
            case kind::inverted: {
                const json* v = lookup(st, n.text);
                if (!v || is_false(*v) || is_empty_list(*v)) render_section(st, n, v);
                break;
            }
        }
    }
}

std::string render(const std::vector<node>& nodes, const json& data) {
    state st;
    st.stack.reserve(8);
    st.stack.push_back(&data);
    render_nodes(st, nodes);
    end_line(st, {});
    return std::move(st.out);
}

}  // namespace fast

}  // namespace

struct renderer::compiled {
    mst::mustache tmpl;
    std::optional<std::vector<fast::node>> nodes;  // none: kainjow renders it
    explicit compiled(const std::string& text) : tmpl(join_standalone_tags(text)) {
        tmpl.set_custom_escape([](const std::string& s) { return escape_user_text(s); });
        if (tmpl.is_valid()) nodes = fast::parse(join_standalone_tags(text));
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

namespace {

void trim_end(std::string& out) {
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
}

}  // namespace

std::string renderer::render(std::string_view name, const nlohmann::json& data) const {
    auto it = templates_.find(name);
    if (it == templates_.end()) throw template_error("no template called " + std::string(name));
    if (!it->second->nodes) return render_with_kainjow(name, data);
    std::string out = fast::render(*it->second->nodes, data);
    trim_end(out);
    return out;
}

std::string renderer::render_with_kainjow(std::string_view name, const nlohmann::json& data) const {
    auto it = templates_.find(name);
    if (it == templates_.end()) throw template_error("no template called " + std::string(name));
    // Templates are parsed once; kainjow's render is non-const only for its
    // own bookkeeping, and a renderer is used from one thread.
    std::string out = it->second->tmpl.render(to_data(data));
    trim_end(out);
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

// Every message is measured several times (fitting the text, packing the
// blocks): eight ASCII bytes, eight characters, are counted at once.
std::size_t slack_length(std::string_view text) {
    std::size_t n = 0, i = 0;
    for (; i < text.size(); ++i) {
        while (text.size() - i >= 8 && (load_word(text.data() + i) & highs) == 0) {
            n += 8;
            i += 8;
        }
        if (i == text.size()) break;
        auto c = static_cast<unsigned char>(text[i]);
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
