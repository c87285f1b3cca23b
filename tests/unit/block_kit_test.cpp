// Block Kit: a rendered message as each Slack destination takes it
// (bot/slack/block_kit), and modals built and read back (block_kit_views).
#include "bot/slack/block_kit.hpp"
#include "bot/slack/block_kit_views.hpp"

#include <set>

#include <catch2/catch.hpp>

using namespace warroom;
using json = nlohmann::json;

namespace {
const commands::message with_blocks{"*INC-1* declared", R"([{"type":"section","text":{"type":"mrkdwn","text":"x"}}])"};
const commands::message text_only{"Noted.", ""};
}  // namespace

TEST_CASE("a post carries its blocks only when the message has some") {
    auto args = slack::post_args("C1", with_blocks);
    CHECK(args["channel"] == "C1");
    CHECK(args["text"] == "*INC-1* declared");
    REQUIRE(args["blocks"].is_array());
    CHECK(args["blocks"][0]["type"] == "section");
    CHECK_FALSE(slack::post_args("C1", text_only).contains("blocks"));
    // Blocks that are not an array: the text alone, which Slack always takes.
    CHECK_FALSE(slack::post_args("C1", {"t", R"({"type":"section"})"}).contains("blocks"));
    CHECK_FALSE(slack::post_args("C1", {"t", "[not json"}).contains("blocks"));
}

TEST_CASE("an edit always sends blocks, so a text-only summary clears the old buttons") {
    auto args = slack::update_args("C1", "111.2", text_only);
    CHECK(args["ts"] == "111.2");
    REQUIRE(args.contains("blocks"));
    CHECK(args["blocks"] == json::array());
    CHECK(slack::update_args("C1", "111.2", with_blocks)["blocks"].size() == 1);
}

TEST_CASE("answers to one person are ephemeral, by response_url or chat.postEphemeral") {
    auto kept = slack::response_body(with_blocks, slack::original::keep);
    CHECK(kept["response_type"] == "ephemeral");
    CHECK(kept["replace_original"] == false);  // the clicked announcement stays
    CHECK(kept["blocks"].size() == 1);
    auto replaced = slack::response_body(text_only, slack::original::replace);
    CHECK(replaced["replace_original"] == true);  // "Working on it…" gives way to the answer
    CHECK_FALSE(replaced.contains("blocks"));

    auto eph = slack::ephemeral_args("C1", "U1", with_blocks);
    CHECK(eph["channel"] == "C1");
    CHECK(eph["user"] == "U1");
    CHECK(eph["blocks"].size() == 1);
    CHECK_FALSE(eph.contains("response_type"));
}

TEST_CASE("a slash command's answer is ephemeral JSON, even from invalid UTF-8") {
    auto body = json::parse(slack::command_answer(with_blocks));
    CHECK(body["response_type"] == "ephemeral");
    CHECK(body["text"] == "*INC-1* declared");
    CHECK(body["blocks"][0]["type"] == "section");
    auto plain = json::parse(slack::command_answer({"a \"quoted\"\nline", ""}));
    CHECK(plain["text"] == "a \"quoted\"\nline");
    CHECK_FALSE(plain.contains("blocks"));
    auto broken = json::parse(slack::command_answer({"bad \xff byte", ""}));
    CHECK(broken["text"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("the App Home is a home view with the message's blocks") {
    auto args = slack::home_args("U1", with_blocks);
    CHECK(args["user_id"] == "U1");
    CHECK(args["view"]["type"] == "home");
    CHECK(args["view"]["blocks"].size() == 1);
    CHECK(slack::home_args("U1", text_only)["view"]["blocks"] == json::array());
}

// ---- Modals (bot/slack/block_kit_views) ------------------------------------

namespace {

std::size_t chars(const std::string& utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
    return n;
}

// What Slack sends back for `view` when every input holds `element`: state.values
// keyed by each input's block_id, then its element's action_id.
json submit_all(const json& view, const json& element) {
    json values = json::object();
    for (const auto& b : view["blocks"]) {
        if (b["type"] != "input") continue;
        values[b["block_id"].get<std::string>()][b["element"]["action_id"].get<std::string>()] = element;
    }
    return {{"type", "view_submission"},
            {"user", {{"id", "W1"}}},
            {"view", {{"id", "V1"}, {"callback_id", view["callback_id"]}, {"state", {{"values", values}}}}}};
}

}  // namespace

TEST_CASE("a view is cut to Slack's limits instead of being refused") {
    slack::modal m{slack::view_id::update, std::string(40, 't'), "Submit it now, right away please", "meta"};
    std::vector<slack::choice> many;
    for (int i = 0; i < 120; ++i) many.push_back({"v" + std::to_string(i), "é" + std::string(100, 'x')});
    m.blocks.push_back(slack::input(slack::input_id::severity, "Pick", slack::select(many, "v119")));
    m.blocks.push_back(slack::input(slack::input_id::role, "Pick", slack::select(many, "v7")));
    auto view = slack::modal_view(m);
    CHECK(view["type"] == "modal");
    CHECK(view["private_metadata"] == "meta");
    CHECK(chars(view["title"]["text"]) == slack::max_view_title);
    CHECK(chars(view["submit"]["text"]) == slack::max_view_title);
    CHECK(view["title"]["text"].get<std::string>().ends_with("…"));
    const auto& cut = view["blocks"][0]["element"];
    REQUIRE(cut["options"].size() == slack::max_select_options);
    std::string text = cut["options"][0]["text"]["text"];
    CHECK(chars(text) == slack::max_option_text);
    CHECK(text.starts_with("é"));  // cut by characters, not bytes: no half a character
    // Slack refuses an initial_option that is not among the options: the one cut off is not offered.
    CHECK_FALSE(cut.contains("initial_option"));
    CHECK(view["blocks"][1]["element"]["initial_option"]["value"] == "v7");
    // Short texts pass untouched.
    CHECK(slack::plain_text("Cancel", slack::max_view_title)["text"] == "Cancel");
    CHECK(slack::text_input({.max_length = 99999})["max_length"] == slack::max_text_input);
}

TEST_CASE("every modal and input id is read back as the one it was built with") {
    using slack::input_id;
    for (auto v : {slack::view_id::declare, slack::view_id::update, slack::view_id::severity, slack::view_id::role,
                   slack::view_id::followup}) {
        auto view = slack::modal_view({v, "t", "s", ""});
        INFO(view["callback_id"]);
        CHECK(slack::parse_view_id(view["callback_id"].get<std::string>()) == v);
        CHECK(slack::submitted_view(submit_all(view, json::object())) == v);
    }
    // Forms open in someone's Slack and the manifest's shortcut carry these: never rename one.
    CHECK(slack::to_string(slack::view_id::declare) == "warroom_declare");
    CHECK(slack::to_string(slack::view_id::role) == "warroom_role");
    // Also the manifest's message shortcut's callback_id.
    CHECK(slack::to_string(slack::view_id::followup) == "warroom_followup");
    CHECK_FALSE(slack::parse_view_id("declare"));
    CHECK_FALSE(slack::parse_view_id(""));

    const input_id all[] = {input_id::title,  input_id::severity, input_id::type, input_id::description,
                            input_id::commander, input_id::status, input_id::text, input_id::impact,
                            input_id::next,   input_id::eta,      input_id::role, input_id::user,
                            input_id::owner,  input_id::due};
    slack::modal m{slack::view_id::declare, "t", "s", ""};
    for (auto id : all) m.blocks.push_back(slack::input(id, "label", slack::text_input({})));
    auto payload = submit_all(slack::modal_view(m), {{"type", "plain_text_input"}, {"value", "typed"}});
    std::set<std::string> spelled;
    for (auto id : all) {
        INFO(slack::to_string(id));
        CHECK(slack::text_value(slack::submitted(payload, id)) == "typed");
        spelled.insert(std::string(slack::to_string(id)));
    }
    CHECK(spelled.size() == std::size(all));  // no two inputs share an id
    CHECK(slack::to_string(input_id::title) == "title");  // in forms already open
}

TEST_CASE("a submitted view is read back field by field") {
    // Slack's own example (SLACK.md §9), plus the other kinds of input warroom's forms have.
    auto payload = json::parse(R"({"type":"view_submission","team":{"id":"T111"},"user":{"id":"W111"},
      "view":{"id":"V111","type":"modal","callback_id":"warroom_declare","private_metadata":"C0GENERAL",
        "state":{"values":{"title":{"title":{"type":"plain_text_input","value":"checkout is down"}},
                           "severity":{"severity":{"type":"static_select","selected_option":{"value":"P1"}}},
                           "description":{"description":{"type":"plain_text_input","value":null}},
                           "commander":{"commander":{"type":"checkboxes","selected_options":[{"value":"me"}]}},
                           "user":{"user":{"type":"users_select","selected_user":"W222"}},
                           "role":{"other_action":{"type":"static_select","selected_option":{"value":"x"}}}}}}})");
    using slack::input_id;
    CHECK(slack::user_of(payload) == "W111");
    CHECK(slack::view_string(payload, "id") == "V111");
    CHECK(slack::view_string(payload, "private_metadata") == "C0GENERAL");
    CHECK(slack::submitted_view(payload) == slack::view_id::declare);
    CHECK(slack::text_value(slack::submitted(payload, input_id::title)) == "checkout is down");
    CHECK(slack::text_value(slack::submitted(payload, input_id::severity)) == "P1");
    CHECK(slack::text_value(slack::submitted(payload, input_id::description)).empty());  // left blank
    CHECK(slack::any_checked(slack::submitted(payload, input_id::commander)));
    CHECK(slack::selected_user(slack::submitted(payload, input_id::user)) == "W222");
    CHECK_FALSE(slack::submitted(payload, input_id::role));  // not warroom's action_id
    CHECK_FALSE(slack::submitted(payload, input_id::eta));   // not on the form
    CHECK_FALSE(slack::any_checked(slack::submitted(payload, input_id::eta)));

    payload["view"]["state"]["values"]["commander"]["commander"]["selected_options"] = json::array();
    CHECK_FALSE(slack::any_checked(slack::submitted(payload, input_id::commander)));
    // Broken shapes read as nothing, never throw.
    for (const char* broken : {R"({"view":7})", R"({"view":{"state":[]}})",
                               R"({"view":{"state":{"values":{"title":3}}}})", R"([1,2])", R"("x")"}) {
        INFO(broken);
        auto j = json::parse(broken);
        CHECK_FALSE(slack::submitted(j, input_id::title));
        CHECK(slack::user_of(j).empty());
        CHECK_FALSE(slack::submitted_view(j));
    }
}

TEST_CASE("a refused submission names the inputs Slack shows the messages under") {
    slack::form_errors errors;
    errors[slack::input_id::title] = "first";
    errors[slack::input_id::severity] = "pick one";
    errors[slack::input_id::title] = "replaced";
    auto answer = slack::errors_answer(errors);
    CHECK(answer["response_action"] == "errors");
    CHECK(answer["errors"] == json{{"title", "replaced"}, {"severity", "pick one"}});
}
