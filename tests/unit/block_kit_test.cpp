// A rendered message as each Slack destination takes it (bot/slack/block_kit).
#include "bot/slack/block_kit.hpp"

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
