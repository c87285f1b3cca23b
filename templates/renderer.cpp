// Mustache rendering with Slack escaping, and Block Kit for the result.
#include "templates/renderer.hpp"

#include "templates/slack_text.hpp"

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

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

mst::data to_data(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::object: {
            mst::data d{mst::data::type::object};
            for (const auto& [k, v] : j.items()) d.set(k, to_data(v));
            return d;
        }
        case nlohmann::json::value_t::array: {
            mst::data d{mst::data::type::list};
            for (const auto& v : j) d.push_back(to_data(v));
            return d;
        }
        case nlohmann::json::value_t::string: return mst::data{j.get<std::string>()};
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

// True when text is UTF-8 as RFC 3629 defines it (no overlong forms, no
// surrogates, nothing past U+10FFFF): exactly what nlohmann's decoder accepts.
bool valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    auto cont = [&](const unsigned char* at, unsigned char lo, unsigned char hi) {
        return at < end && *at >= lo && *at <= hi;
    };
    while (p < end) {
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

// Written straight to JSON text (keys in nlohmann's sorted order) rather than
// built as a nlohmann tree and dumped: this runs for every answer.
std::string blocks_for(std::string_view mrkdwn) {
    constexpr std::size_t max_section = 3000;
    constexpr std::size_t max_blocks = 50;
    std::string out = "[";
    std::size_t blocks = 0;
    auto open_block = [&] {
        if (blocks++) out += ',';
    };
    auto add_section = [&](std::string text) {
        while (!text.empty() && text.back() == '\n') text.pop_back();
        if (text.empty() || blocks >= max_blocks) return;
        open_block();
        out += R"({"text":{"text":)";
        // Users paste anything; invalid UTF-8 becomes U+FFFD rather than failing the post.
        append_json_string(out, truncate_utf8(text, max_section));
        out += R"(,"type":"mrkdwn"},"type":"section"})";
    };
    std::string paragraph;
    std::size_t pos = 0;
    while (pos <= mrkdwn.size()) {
        auto eol = mrkdwn.find('\n', pos);
        if (eol == std::string_view::npos) eol = mrkdwn.size();
        auto line = mrkdwn.substr(pos, eol - pos);
        if (line == "---") {
            add_section(std::exchange(paragraph, {}));
            if (blocks < max_blocks) {
                open_block();
                out += R"({"type":"divider"})";
            }
        } else if (line.empty()) {
            add_section(std::exchange(paragraph, {}));
        } else {
            // A paragraph that would outgrow a section starts a new one.
            if (paragraph.size() + line.size() + 1 > max_section) add_section(std::exchange(paragraph, {}));
            paragraph.append(line).append("\n");
        }
        pos = eol + 1;
    }
    add_section(paragraph);
    out += ']';
    return out;
}

}  // namespace warroom::templates
