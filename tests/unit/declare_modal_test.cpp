// The declare modal: built from the config, and its submission read and
// validated the way Slack shows errors (under the field, modal kept open).
#include "bot/slack/declare_modal.hpp"
#include "bot/slack/block_kit_views.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

using namespace warroom;
using json = nlohmann::json;

namespace {

json submission(const std::string& title, const std::string& severity, const std::string& type = "",
                bool commander = false) {
    json values = {{"title", {{"title", {{"type", "plain_text_input"}, {"value", title}}}}},
                   {"severity", {{"severity", {{"type", "static_select"}, {"selected_option", {{"value", severity}}}}}}},
                   {"description", {{"description", {{"type", "plain_text_input"}, {"value", nullptr}}}}},
                   {"commander", {{"commander", {{"type", "checkboxes"}, {"selected_options", json::array()}}}}}};
    if (!type.empty())
        values["type"] = {{"type", {{"type", "static_select"}, {"selected_option", {{"value", type}}}}}};
    if (commander) values["commander"]["commander"]["selected_options"] = json::array({{{"value", "me"}}});
    return {{"type", "view_submission"},
            {"user", {{"id", "W111"}}},
            {"view",
             {{"id", "V123"},
              {"callback_id", slack::to_string(slack::view_id::declare)},
              {"private_metadata", "C0GENERAL"},
              {"state", {{"values", values}}}}}};
}

}  // namespace

TEST_CASE("the declare modal offers the config's severities and types") {
    auto cfg = commands::default_settings();
    auto view = bot::declare_view(cfg, "C42");
    CHECK(view["type"] == "modal");
    CHECK(view["callback_id"] == slack::to_string(slack::view_id::declare));
    CHECK(view["private_metadata"] == "C42");
    const json* severity = nullptr;
    for (const auto& b : view["blocks"])
        if (b["block_id"] == "severity") severity = &b;
    REQUIRE(severity);
    const auto& options = (*severity)["element"]["options"];
    REQUIRE(options.size() == cfg.severities.size());
    CHECK(options[0]["value"] == "P0");
    CHECK(options[0]["text"]["text"].get<std::string>().find("ack 5m") != std::string::npos);
    CHECK((*severity)["element"]["initial_option"]["value"] == "P3");  // as a typed declare: the least severe
    CHECK(view.dump().size() < 250 * 1024);
}

TEST_CASE("a valid submission becomes the typed declare command") {
    auto cfg = commands::default_settings();
    auto read = bot::read_declare_submission(submission("  checkout\nis down ", "P1", "outage", true), cfg);
    REQUIRE(std::holds_alternative<bot::declare_form>(read));
    const auto& f = std::get<bot::declare_form>(read);
    CHECK(f.user == "W111");
    CHECK(f.channel == "C0GENERAL");
    CHECK(f.commander);
    CHECK(f.view_id == "V123");
    CHECK(f.command() == "declare P1 type:outage checkout is down");
}

TEST_CASE("the declare modal has a Private checkbox, ticked, the command declares private") {
    auto cfg = commands::default_settings();
    auto view = bot::declare_view(cfg, "C42");
    const json* visibility = nullptr;
    for (const auto& b : view["blocks"])
        if (b["block_id"] == "private") visibility = &b;
    REQUIRE(visibility);
    CHECK((*visibility)["optional"] == true);
    CHECK((*visibility)["element"]["type"] == "checkboxes");
    CHECK((*visibility)["element"]["options"][0]["value"] == "private");

    auto payload = submission("vault tokens leaked", "P1");
    auto read = bot::read_declare_submission(payload, cfg);
    REQUIRE(std::holds_alternative<bot::declare_form>(read));
    CHECK_FALSE(std::get<bot::declare_form>(read).is_private);
    payload["view"]["state"]["values"]["private"] = {
        {"private", {{"type", "checkboxes"}, {"selected_options", json::array({{{"value", "private"}}})}}}};
    read = bot::read_declare_submission(payload, cfg);
    REQUIRE(std::holds_alternative<bot::declare_form>(read));
    const auto& f = std::get<bot::declare_form>(read);
    CHECK(f.is_private);
    CHECK(f.command() == "declare private P1 vault tokens leaked");
}

TEST_CASE("an invalid submission answers with errors under the fields") {
    auto cfg = commands::default_settings();
    SECTION("a blank title") {
        auto read = bot::read_declare_submission(submission("   ", "P1"), cfg);
        REQUIRE(std::holds_alternative<json>(read));
        const auto& answer = std::get<json>(read);
        CHECK(answer["response_action"] == "errors");
        CHECK(answer["errors"].contains("title"));
    }
    SECTION("a severity the config does not have") {
        auto read = bot::read_declare_submission(submission("db down", "SEV-9"), cfg);
        REQUIRE(std::holds_alternative<json>(read));
        CHECK(std::get<json>(read)["errors"].contains("severity"));
    }
    SECTION("garbage instead of a view") {
        auto read = bot::read_declare_submission(json{{"type", "view_submission"}, {"view", 7}}, cfg);
        CHECK(std::holds_alternative<json>(read));
    }
}

TEST_CASE("with status-page components the declare form asks which are affected and how") {
    auto cfg = commands::default_settings();
    CHECK(bot::declare_view(cfg, "C42").dump().find("\"components\"") == std::string::npos);
    cfg.public_components = {"API", "Web app"};
    auto view = bot::declare_view(cfg, "C42");
    const json* components = nullptr;
    for (const auto& b : view["blocks"])
        if (b["block_id"] == "components") components = &b;
    REQUIRE(components);
    CHECK((*components)["element"]["type"] == "multi_static_select");
    CHECK((*components)["element"]["options"].size() == 2);

    auto payload = submission("checkout is down", "P1");
    auto& values = payload["view"]["state"]["values"];
    values["components"] = {{"components", {{"type", "multi_static_select"},
                                             {"selected_options", {{{"value", "Web app"}}, {{"value", "API"}}}}}}};
    values["component_impact"] = {{"component_impact", {{"type", "static_select"},
                                                         {"selected_option", {{"value", "major_outage"}}}}}};
    auto read = bot::read_declare_submission(payload, cfg);
    REQUIRE(std::holds_alternative<bot::declare_form>(read));
    const auto& f = std::get<bot::declare_form>(read);
    CHECK(f.components == std::vector<std::string>{"Web app", "API"});
    CHECK(f.impact == "major_outage");

    values["components"]["components"]["selected_options"] = {{{"value", "Mainframe"}}};
    auto refused = bot::read_declare_submission(payload, cfg);
    REQUIRE(std::holds_alternative<json>(refused));
    CHECK(std::get<json>(refused)["errors"].contains("components"));
}
