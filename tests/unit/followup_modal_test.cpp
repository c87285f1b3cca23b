// The follow-up form: built within Slack's limits from a message, and read
// back into the command it stands for.
#include "bot/slack/followup_modal.hpp"
#include "bot/slack/block_kit_views.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

using namespace warroom;
using json = nlohmann::json;

namespace {

const json* element(const json& view, const std::string& id) {
    for (const auto& b : view["blocks"])
        if (b.value("block_id", "") == id) return &b["element"];
    return nullptr;
}

}  // namespace

TEST_CASE("the follow-up form starts on the message's text, the clicker as owner and no due date") {
    bot::followup_prefill p{7, "INC-7: checkout is down", "C9", "retry storms &lt;b&gt; &amp;\nno backoff", "W1"};
    auto view = bot::followup_view(p);
    CHECK(view["callback_id"] == "warroom_followup");
    CHECK(view["type"] == "modal");
    auto meta = json::parse(view["private_metadata"].get<std::string>());
    CHECK(meta["incident"] == 7);
    CHECK(meta["channel"] == "C9");
    const auto* text = element(view, "text");
    REQUIRE(text);
    // As typed: Slack's escapes undone, one line.
    CHECK((*text)["initial_value"] == "retry storms <b> & no backoff");
    CHECK((*text)["max_length"] == 1000);
    const auto* owner = element(view, "owner");
    REQUIRE(owner);
    CHECK((*owner)["type"] == "users_select");
    CHECK((*owner)["initial_user"] == "W1");
    const auto* due = element(view, "due");
    REQUIRE(due);
    CHECK((*due)["type"] == "datepicker");
    CHECK_FALSE(due->contains("initial_date"));
    CHECK_THAT(view["blocks"][0].dump(), Catch::Matchers::Contains("INC-7: checkout is down"));
}

TEST_CASE("a long message is cut to fit the text box, never half a character") {
    std::string long_text;
    for (int i = 0; i < 600; ++i) long_text += "é ";
    bot::followup_prefill p{7, "", "C9", long_text, "W1"};
    auto value = (*element(bot::followup_view(p), "text"))["initial_value"].get<std::string>();
    // 1,000 characters at most (Slack refuses an initial_value over max_length), ending in "…".
    std::size_t chars = 0;
    for (unsigned char c : value) chars += (c & 0xC0) != 0x80;
    CHECK(chars == 1000);
    CHECK(value.ends_with("…"));
    CHECK(json::parse(json(value).dump()).get<std::string>() == value);  // valid UTF-8
    // A "&amp;lt;" stays a typed "&lt;".
    CHECK(bot::followup_text_from_message("a &amp;lt; b") == "a &lt; b");
}

TEST_CASE("a submitted follow-up form reads back into the typed command") {
    bot::followup_prefill p{12, "", "C9", "", "W1"};
    auto view = bot::followup_view(p);
    json payload = {{"type", "view_submission"},
                    {"user", {{"id", "W3"}}},
                    {"view", {{"id", "V1"}, {"callback_id", view["callback_id"]},
                              {"private_metadata", view["private_metadata"]},
                              {"state", {{"values", {{"text", {{"text", {{"value", "rotate keys"}}}}},
                                                     {"owner", {{"owner", {{"selected_user", "W4"}}}}},
                                                     {"due", {{"due", {{"selected_date", "2027-01-15"}}}}}}}}}}}};
    auto read = bot::read_followup_submission(payload);
    auto* form = std::get_if<bot::followup_form>(&read);
    REQUIRE(form);
    CHECK(form->incident == 12);
    CHECK(form->channel == "C9");
    CHECK(form->user == "W3");
    CHECK(form->view_id == "V1");
    CHECK(form->command() == "followup INC-12 rotate keys owner <@W4> due 2027-01-15");

    payload["view"]["state"]["values"]["due"]["due"]["selected_date"] = "15/01/2027";
    auto bad = bot::read_followup_submission(payload);
    REQUIRE(std::holds_alternative<json>(bad));
    CHECK(std::get<json>(bad)["errors"].contains("due"));
}
