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

std::string blocks_for(std::string_view mrkdwn) {
    constexpr std::size_t max_section = 3000;
    constexpr std::size_t max_blocks = 50;
    auto blocks = nlohmann::json::array();
    auto add_section = [&](std::string text) {
        while (!text.empty() && text.back() == '\n') text.pop_back();
        if (text.empty() || blocks.size() >= max_blocks) return;
        blocks.push_back({{"type", "section"},
                          {"text", {{"type", "mrkdwn"}, {"text", truncate_utf8(text, max_section)}}}});
    };
    std::string paragraph;
    std::size_t pos = 0;
    while (pos <= mrkdwn.size()) {
        auto eol = mrkdwn.find('\n', pos);
        if (eol == std::string_view::npos) eol = mrkdwn.size();
        auto line = mrkdwn.substr(pos, eol - pos);
        if (line == "---") {
            add_section(std::exchange(paragraph, {}));
            if (blocks.size() < max_blocks) blocks.push_back({{"type", "divider"}});
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
    // Users paste anything; invalid UTF-8 becomes U+FFFD rather than failing the post.
    return blocks.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace warroom::templates
