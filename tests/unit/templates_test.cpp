// Rendering, Slack escaping, Block Kit and template overrides.
#include "templates/renderer.hpp"
#include "templates/slack_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

using namespace warroom::templates;
namespace fs = std::filesystem;

// A templates directory of the test's own, removed with its files when the test ends.
struct temp_template_dir {
    fs::path path = fs::temp_directory_path() / ("warroom-tpl-" + std::to_string(std::random_device{}()));
    temp_template_dir() { fs::create_directories(path); }
    ~temp_template_dir() { fs::remove_all(path); }
};

TEST_CASE("user text can never ping @channel, @here or @everyone") {
    CHECK(escape_user_text("<!channel> down") == "&lt;!channel&gt; down");
    CHECK(escape_user_text("<!here>") == "&lt;!here&gt;");
    CHECK(escape_user_text("<!everyone>") == "&lt;!everyone&gt;");
    CHECK(escape_user_text("<!subteam^S123|@sre>") == "&lt;!subteam^S123|@sre&gt;");
    CHECK(escape_user_text("a & b > c") == "a &amp; b &gt; c");
    CHECK(escape_user_text("<https://evil|click>") == "&lt;https://evil|click&gt;");
}

TEST_CASE("escaping drops control characters and bidirectional overrides, keeping lines") {
    CHECK(escape_user_text("a\x1b[31mb\x07" "c\rd\u202Ee\u2066f\u0085g") == "a[31mbcdefg");
    CHECK(escape_user_text("line one\nline\ttwo") == "line one\nline\ttwo");
    CHECK(escape_user_text("é 🔥 \u200F") == "é 🔥 \u200F");
}

TEST_CASE("user and channel mentions survive escaping") {
    CHECK(escape_user_text("ask <@U123> in <#C456|ops>") == "ask <@U123> in <#C456|ops>");
    CHECK(escape_user_text("<@U123|alice>") == "<@U123|alice>");
    SECTION("a mention cannot carry a ping in its label") {
        CHECK(escape_user_text("<@U1|<!channel>>") == "&lt;@U1|&lt;!channel&gt;&gt;");
    }
    SECTION("half a mention is escaped") {
        CHECK(escape_user_text("<@U1") == "&lt;@U1");
        CHECK(escape_user_text("<@>") == "&lt;@&gt;");
    }
}

TEST_CASE("escaped text reads back as typed") {
    std::mt19937 rng(7);
    const std::string alphabet = "<>&!@#|^ aU1C";
    for (int i = 0; i < 500; ++i) {
        std::string s;
        for (int n = 0; n < 12; ++n) s += alphabet[rng() % alphabet.size()];
        auto escaped = escape_user_text(s);
        INFO(s);
        // Whatever the input, no special mention survives escaping.
        CHECK(escaped.find("<!") == std::string::npos);
    }
}

TEST_CASE("plain text for the terminal") {
    CHECK(to_plain("<@U1|alice> in <#C1|ops>: a &lt;b&gt; &amp; c") == "@alice in #ops: a <b> & c");
    CHECK(to_plain("<@U1> <!here> <!subteam^S1|@sre>") == "@U1 @here @sre");
    CHECK(to_plain("<https://x.y|docs>") == "docs (https://x.y)");
    CHECK(to_plain("<https://x.y/?a=1&amp;b=2> <!date^1700000000^{date}|Nov 14> <!subteam^S1>") ==
          "https://x.y/?a=1&b=2 Nov 14 @subteam");
    CHECK(to_plain("a < b &gt; c") == "a < b > c");  // a '<' that opens nothing stays
}

TEST_CASE("truncation keeps UTF-8 whole") {
    std::string s = "ééééé";  // 2 bytes each
    auto t = truncate_utf8(s, 6);
    CHECK(t.size() <= 6);
    CHECK(t.ends_with("…"));
    CHECK(truncate_utf8("short", 10) == "short");
}

TEST_CASE("templates escape {{values}} and keep {{{markup}}}") {
    renderer r;
    auto text = r.render("error", {{"message", "bad <!channel> & <@U1>"}});
    CHECK(text == ":warning: bad &lt;!channel&gt; &amp; <@U1>");
    auto page = r.render("ack_escalation", {{"page", "<!subteam^S1>"}, {"id", "INC-1"}, {"title", "<!here>"}});
    CHECK(page.starts_with("<!subteam^S1>"));
    CHECK(page.find("&lt;!here&gt;") != std::string::npos);
}

TEST_CASE("hidden optional lines leave no blank lines") {
    renderer r;
    auto text = r.render("update", {{"id", "INC-1"}, {"title", "t"}, {"text", "fixed"}, {"impact", "some"},
                                    {"actions", nullptr}, {"next", nullptr}, {"eta", "5m"}});
    CHECK(text.find("\n\n") == std::string::npos);
    CHECK(text.find("*Impact:* some\n*ETA:* 5m") != std::string::npos);
}

TEST_CASE("every built-in template renders with no data") {
    renderer r;
    REQUIRE(builtin_templates().size() >= 25);
    for (const auto& [name, text] : builtin_templates()) {
        INFO(name);
        CHECK_NOTHROW(r.render(name, nlohmann::json::object()));
    }
    CHECK_THROWS_AS(r.render("no_such_template", nlohmann::json::object()), template_error);
}

namespace {

// Every name a template looks up, so that random data reaches each of its
// sections and variables.
std::vector<std::string> tag_names(std::string_view text) {
    std::vector<std::string> names;
    for (auto pos = text.find("{{"); pos != std::string_view::npos; pos = text.find("{{", pos)) {
        auto end = text.find("}}", pos);
        if (end == std::string_view::npos) break;
        auto tag = text.substr(pos + 2, end - pos - 2);
        while (!tag.empty() && (tag[0] == '{' || tag[0] == '#' || tag[0] == '^' || tag[0] == '/' || tag[0] == '&' ||
                                tag[0] == ' '))
            tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (!tag.empty() && tag != ".") names.emplace_back(tag);
        pos = end + 2;
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

nlohmann::json random_object(std::mt19937& rng, const std::vector<std::string>& names, int depth);

nlohmann::json random_value(std::mt19937& rng, const std::vector<std::string>& names, int depth) {
    switch (rng() % (depth > 0 ? 15 : 11)) {
        case 0: return nullptr;
        case 1: return false;
        case 2: return true;
        case 3: return "";
        case 4: return " \t";
        case 5: return "a <!channel> & <@U1|bob> > \x07 é\u202E line\nnext";
        case 6: return 42;
        case 7: return -1.5;
        case 8: return nlohmann::json::array();
        case 9: return "plain";
        case 10: return nlohmann::json::object();
        case 11: {
            auto list = nlohmann::json::array();
            for (unsigned i = 0, n = 1 + rng() % 3; i < n; ++i) list.push_back(random_object(rng, names, depth - 1));
            return list;
        }
        case 12: return random_object(rng, names, depth - 1);
        case 13: return nlohmann::json::array({"one", "<two>"});
        default: return nlohmann::json::array({random_value(rng, names, 0), random_value(rng, names, 0)});
    }
}

nlohmann::json random_object(std::mt19937& rng, const std::vector<std::string>& names, int depth) {
    auto obj = nlohmann::json::object();
    for (const auto& name : names)
        if (rng() % 4 != 0) obj[name] = random_value(rng, names, depth);
    return obj;
}

// render() is warroom's own renderer wherever the template allows; kainjow is
// the reference it must equal byte for byte, whatever the data.
void check_same_as_kainjow(const renderer& r, std::string_view name, std::string_view text, unsigned seed) {
    INFO("template " << name);
    auto names = tag_names(text);
    std::mt19937 rng(seed);
    std::vector<nlohmann::json> cases{nlohmann::json::object(), nlohmann::json(nullptr)};
    for (int i = 0; i < 300; ++i) cases.push_back(random_object(rng, names, 2));
    for (const auto& data : cases) {
        auto ours = r.render(name, data), reference = r.render_with_kainjow(name, data);
        if (ours != reference) {
            INFO("data " << data.dump());
            CHECK(ours == reference);
            return;
        }
    }
}

}  // namespace

TEST_CASE("Slack's length is UTF-16 code units, wherever in a long text a character falls") {
    // One code unit for ASCII, two- and three-byte characters, two for four
    // bytes, none for a stray continuation byte.
    const std::vector<std::pair<std::string, std::size_t>> chars{{"a", 1}, {"é", 1}, {"…", 1}, {"🔥", 2}, {"\x80", 0}};
    for (std::size_t at = 0; at < 20; ++at)
        for (const auto& [ch, units] : chars) {
            INFO("at " << at << ": " << ch);
            std::string text = std::string(at, 'x') + ch + std::string(19 - at, 'y');
            CHECK(slack_length(text) == 19 + units);
        }
}

TEST_CASE("every built-in template renders exactly as kainjow renders it, for any data") {
    renderer r;
    unsigned seed = 1;
    for (const auto& [name, text] : builtin_templates()) check_same_as_kainjow(r, name, text, seed++);
}

TEST_CASE("overrides render exactly as kainjow renders them, kainjow's own features included") {
    temp_template_dir tmp;
    const fs::path& dir = tmp.path;
    // Blank lines around sections, \r\n and \r, comments, spaced and empty
    // names, {{& }} and {{{ }}}, {{.}} inside and outside sections.
    const std::vector<std::pair<std::string, std::string>> overrides{
        {"error", "  {{#a}}  \n{{b}}{{/a}}\r\n{{^c}} \t{{/c}}\r{{! a comment }}x{{ d }}{{{e}}}{{& f}}{{}}\n"
                  "{{#a}}{{.}}{{/a}}\n  \n{{#l}}{{n}},{{#m}}{{a}}{{/m}}\n{{/l}}{{.}}\n\t{{^l}}{{/l}}\t\n{{b}}"},
        {"done", "{{#x}}\n{{#y}}\n{{z}}\n{{/y}}\n{{/x}}\n{{^x}}\n  {{^y}}  \n{{/y}}{{/x}}\n{{{z}}}{{#z}}{{z}}{{/z}}"},
        // kainjow's alone: dotted names, partials, set delimiters.
        {"note", "{{a.b}} {{#a}}{{b}}{{/a}} {{>p}}"},
        {"help", "{{=<% %>=}}<% a %> {{a}}"},
    };
    for (const auto& [name, text] : overrides) std::ofstream(dir / (name + ".mustache"), std::ios::binary) << text;
    renderer r(dir.string());
    unsigned seed = 100;
    for (const auto& [name, text] : overrides) check_same_as_kainjow(r, name, text, seed++);
    CHECK(r.render("note", {{"a", {{"b", "<x>"}}}, {"p", "{{a.b}}!"}}) == "&lt;x&gt; &lt;x&gt; &lt;x&gt;!");
    CHECK(r.render("help", {{"a", "1"}}) == "1 {{a}}");
}

TEST_CASE("Block Kit: sections, dividers and Slack's limits") {
    auto blocks = nlohmann::json::parse(blocks_for("first para\nline two\n\nsecond\n---\nthird"));
    REQUIRE(blocks.size() == 4);
    CHECK(blocks[0]["type"] == "section");
    CHECK(blocks[0]["text"]["type"] == "mrkdwn");
    CHECK(blocks[0]["text"]["text"] == "first para\nline two");
    CHECK(blocks[2]["type"] == "divider");
    SECTION("long text splits into sections of at most 3000 characters, 50 blocks") {
        std::string big;
        for (int i = 0; i < 4000; ++i) big += "line number " + std::to_string(i) + "\n";
        auto many = nlohmann::json::parse(blocks_for(big));
        CHECK(many.size() <= 50);
        for (const auto& b : many) CHECK(b["text"]["text"].get<std::string>().size() <= 3000);
    }
}

TEST_CASE("every message is fitted to Slack's limits and says what was left out") {
    auto check_blocks = [](const std::string& json) {
        auto blocks = nlohmann::json::parse(json);
        CHECK(blocks.size() <= 50);
        std::size_t total = 0;
        for (const auto& b : blocks)
            if (b.contains("text")) {
                auto t = b["text"]["text"].get<std::string>();
                CHECK(slack_length(t) <= 3000);
                total += slack_length(t);
            }
        CHECK(total <= 13000);
        return blocks;
    };
    SECTION("too much text: the last section counts the lines left out") {
        std::string big;
        for (int i = 0; i < 20000; ++i) big += "entry " + std::to_string(i) + " 🔥 something happened\n";
        CHECK_FALSE(fits_in_blocks(big));
        auto blocks = check_blocks(blocks_for(big));
        auto last = blocks.back()["text"]["text"].get<std::string>();
        CHECK(last.starts_with("_… "));
        CHECK(last.find("more lines not shown here") != std::string::npos);
        auto text = fit_text(big);
        CHECK(slack_length(text) <= 40000);
        CHECK(text.starts_with("entry 0 "));
        CHECK(text.find("more lines not shown here._") != std::string::npos);
        CHECK(text.find("entry 19999") == std::string::npos);
    }
    SECTION("a line longer than a section goes on in the next, nothing cut") {
        std::string line;
        for (int i = 0; i < 1000; ++i) line += "word" + std::to_string(i) + " ";
        line += "THE-END";
        REQUIRE(slack_length(line) > 3000);
        REQUIRE(fits_in_blocks(line));
        auto blocks = check_blocks(blocks_for(line));
        CHECK(blocks.size() >= 3);
        CHECK(blocks.back()["text"]["text"].get<std::string>().ends_with("THE-END"));
    }
    SECTION("many short paragraphs share sections instead of being dropped") {
        std::string paras;
        for (int i = 0; i < 120; ++i) paras += "paragraph " + std::to_string(i) + "\n\n";
        REQUIRE(fits_in_blocks(paras));
        auto blocks = check_blocks(blocks_for(paras));
        CHECK(blocks.back()["text"]["text"].get<std::string>().ends_with("paragraph 119"));
    }
    SECTION("whole_blocks: blocks_for when nothing is left out, else nothing") {
        std::string paras, big;
        for (int i = 0; i < 120; ++i) paras += "paragraph " + std::to_string(i) + " 🔥\n\n";
        for (int i = 0; i < 20000; ++i) big += "entry " + std::to_string(i) + "\n";
        CHECK(whole_blocks(paras) == blocks_for(paras));
        CHECK(whole_blocks("a\n---\nb") == blocks_for("a\n---\nb"));
        CHECK_FALSE(whole_blocks(big));
    }
    SECTION("emoji count double, as Slack may count them") {
        std::string fire;
        for (int i = 0; i < 2000; ++i) fire += "🔥";
        CHECK(slack_length(fire) == 4000);
        check_blocks(blocks_for(fire));
    }
    CHECK(fit_text("short") == "short");
}

TEST_CASE("Block Kit JSON is exactly what nlohmann writes for the same blocks") {
    // The tree blocks_for used to build and dump, as the reference.
    auto reference = [](const std::vector<std::string>& sections) {
        auto blocks = nlohmann::json::array();
        for (const auto& text : sections)
            blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}});
        return blocks.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    const std::vector<std::string> texts = {
        "plain",
        "quote \" backslash \\ slash / tab \t cr \r ff \f bs \b bell \x07 esc \x1b del \x7f",
        "UTF-8: d\xc3\xa9j\xc3\xa0 vu \xe2\x86\x92 \xf0\x9f\x94\xa5",
        "invalid: \xff \xc3( \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf end",
        "truncated at the end \xe2\x86",
    };
    for (const auto& text : texts) {
        INFO(text);
        CHECK(blocks_for(text) == reference({text}));
        std::string appended = "x";
        append_json_string(appended, text);
        CHECK(appended == "x" + nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    CHECK(blocks_for("a\n---\nb") == R"([{"text":{"text":"a","type":"mrkdwn"},"type":"section"},{"type":"divider"},)"
                                     R"({"text":{"text":"b","type":"mrkdwn"},"type":"section"}])");
    CHECK(blocks_for("") == "[]");
}

TEST_CASE("JSON strings are nlohmann's wherever in a long text the byte to escape or decode falls") {
    // append_json_string reads eight bytes at a time: put each kind of byte it
    // must not skip at every offset of a text longer than a few words.
    const std::vector<std::string> specials = {"\"", "\\", std::string(1, '\0'), "\x01", "\x1f", "\n", "\x7f",
                                               "\xc3\xa9", "\xe2\x86\x92", "\xf0\x9f\x94\xa5", "\xff", "\xe2\x86"};
    const std::string filler = "The quick brown fox jumps over the lazy dog";
    for (const auto& special : specials) {
        for (std::size_t at = 0; at <= 20; ++at) {
            std::string text = filler.substr(0, at) + special + filler.substr(at);
            INFO("special byte(s) at offset " << at);
            std::string appended;
            append_json_string(appended, text);
            CHECK(appended == nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
    }
}

TEST_CASE("a templates directory overrides templates file by file") {
    temp_template_dir tmp;
    const fs::path& dir = tmp.path;
    std::ofstream(dir / "error.mustache") << "Oops: {{message}}";
    renderer r(dir.string());
    CHECK(r.render("error", {{"message", "<!here>"}}) == "Oops: &lt;!here&gt;");
    CHECK(r.render("done", {{"message", "ok"}}) == "ok");  // not overridden
    CHECK(r.overridden() == std::vector<std::string>{"error"});

    SECTION("an unknown template name is refused") {
        std::ofstream(dir / "erorr.mustache") << "typo";
        CHECK_THROWS_WITH(renderer(dir.string()), Catch::Contains("erorr"));
    }
    SECTION("an invalid template is refused with its file") {
        std::ofstream(dir / "note.mustache") << "{{#open}} never closed";
        CHECK_THROWS_WITH(renderer(dir.string()), Catch::Contains("note.mustache"));
    }
    SECTION("a missing directory is refused") {
        CHECK_THROWS_AS(renderer((dir / "nope").string()), template_error);
    }
}
