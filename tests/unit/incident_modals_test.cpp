// The summary's modals (update, severity, role) and the button payloads:
// what a click or a form turns into, and the inline errors Slack shows.
#include "bot/slack/incident_modals.hpp"
#include "bot/interactions.hpp"
#include "bot/slack/block_kit_views.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

using namespace warroom;
using json = nlohmann::json;

namespace {

commands::incident open_incident() {
    commands::incident inc;
    inc.number = 7;
    inc.title = "Checkout <!channel> is down";
    inc.severity = "P2";
    inc.status = commands::incident_status::investigating;
    inc.roles["commander"] = "W111";
    return inc;
}

const json* block(const json& view, const std::string& id) {
    for (const auto& b : view["blocks"])
        if (b.value("block_id", "") == id) return &b;
    return nullptr;
}

// Slack's view_submission for `view` with the given input values.
json submit(const json& view, json values, const std::string& user = "W222") {
    json state = json::object();
    for (auto& [id, element] : values.items()) state[id] = {{id, element}};
    return {{"type", "view_submission"},
            {"user", {{"id", user}}},
            {"view", {{"id", "V42"}, {"callback_id", view["callback_id"]}, {"private_metadata", view["private_metadata"]},
                      {"state", {{"values", state}}}}}};
}

json chosen(const std::string& value) { return {{"type", "static_select"}, {"selected_option", {{"value", value}}}}; }
json typed(const std::string& value) { return {{"type", "plain_text_input"}, {"value", value}}; }
json nothing_typed() { return {{"type", "plain_text_input"}, {"value", nullptr}}; }

std::vector<std::string> commands_of(const std::variant<bot::modal_submission, json>& read) {
    REQUIRE(std::holds_alternative<bot::modal_submission>(read));
    return std::get<bot::modal_submission>(read).commands;
}

json errors_of(const std::variant<bot::modal_submission, json>& read) {
    REQUIRE(std::holds_alternative<json>(read));
    const auto& body = std::get<json>(read);
    CHECK(body["response_action"] == "errors");
    return body["errors"];
}

}  // namespace

TEST_CASE("the update form starts on the current status and becomes status and update commands") {
    auto cfg = commands::default_settings();
    auto view = bot::update_view(cfg, open_incident(), "C0INC");
    CHECK(view["callback_id"] == slack::to_string(slack::view_id::update));
    const auto* status = block(view, "status");
    REQUIRE(status);
    CHECK((*status)["element"]["initial_option"]["value"] == "investigating");
    for (const auto& b : view["blocks"])
        if (b["type"] == "context") CHECK(b["elements"][0]["type"] == "plain_text");  // a title cannot ping anyone

    SECTION("a new status and text: the status first, then the update with its sections") {
        auto read = bot::read_incident_submission(
            submit(view, {{"status", chosen("mitigating")}, {"text", typed("failover to the replica")},
                          {"impact", typed("EU checkout fails")}, {"next", nothing_typed()}, {"eta", typed("30m")}}),
            cfg);
        auto sub = std::get<bot::modal_submission>(read);
        CHECK(sub.user == "W222");
        CHECK(sub.channel == "C0INC");
        CHECK(sub.incident == 7);
        CHECK(sub.view_id == "V42");
        CHECK(commands_of(read) == std::vector<std::string>{
                                       "status INC-7 mitigating",
                                       "update INC-7 failover to the replica impact: EU checkout fails eta: 30m"});
    }
    SECTION("the same status: only the update, no 'already investigating' error") {
        auto read = bot::read_incident_submission(
            submit(view, {{"status", chosen("investigating")}, {"text", typed("still looking")}}), cfg);
        CHECK(commands_of(read) == std::vector<std::string>{"update INC-7 still looking"});
    }
    SECTION("only a new status: only the status") {
        auto read = bot::read_incident_submission(submit(view, {{"status", chosen("monitoring")}}), cfg);
        CHECK(commands_of(read) == std::vector<std::string>{"status INC-7 monitoring"});
    }
    SECTION("nothing new is refused under the text field") {
        auto read = bot::read_incident_submission(
            submit(view, {{"status", chosen("investigating")}, {"text", typed("   ")}}), cfg);
        CHECK(errors_of(read).contains("text"));
    }
    SECTION("a status outside the list is refused") {
        auto read = bot::read_incident_submission(submit(view, {{"status", chosen("resolved")}}), cfg);
        CHECK(errors_of(read).contains("status"));
    }
}

TEST_CASE("the severity form offers the config's severities and refuses the current one") {
    auto cfg = commands::default_settings();
    auto view = bot::severity_view(cfg, open_incident(), "C0INC");
    const auto* sev = block(view, "severity");
    REQUIRE(sev);
    CHECK((*sev)["element"]["options"].size() == cfg.severities.size());
    CHECK((*sev)["element"]["initial_option"]["value"] == "P2");
    CHECK(commands_of(bot::read_incident_submission(submit(view, {{"severity", chosen("P1")}}), cfg)) ==
          std::vector<std::string>{"severity INC-7 P1"});
    CHECK(errors_of(bot::read_incident_submission(submit(view, {{"severity", chosen("P2")}}), cfg)).contains("severity"));
    CHECK(errors_of(bot::read_incident_submission(submit(view, {{"severity", chosen("SEV9")}}), cfg)).contains("severity"));
}

TEST_CASE("the role form assigns the chosen role to the chosen person") {
    auto cfg = commands::default_settings();
    auto view = bot::role_view(cfg, open_incident(), "C0INC", "W222");
    const auto* who = block(view, "user");
    REQUIRE(who);
    CHECK((*who)["element"]["type"] == "users_select");
    CHECK((*who)["element"]["initial_user"] == "W222");
    CHECK(block(view, "role")->at("element")["options"].size() == cfg.roles.size());
    json user{{"type", "users_select"}, {"selected_user", "W333"}};
    CHECK(commands_of(bot::read_incident_submission(submit(view, {{"role", chosen("tech-lead")}, {"user", user}}), cfg)) ==
          std::vector<std::string>{"tech-lead INC-7 <@W333>"});
    json nobody{{"type", "users_select"}, {"selected_user", nullptr}};
    CHECK(errors_of(bot::read_incident_submission(submit(view, {{"role", chosen("tech-lead")}, {"user", nobody}}), cfg))
              .contains("user"));
    CHECK(errors_of(bot::read_incident_submission(submit(view, {{"role", chosen("janitor")}, {"user", user}}), cfg))
              .contains("role"));
}

TEST_CASE("a submission whose metadata was lost or forged is refused, not guessed") {
    auto cfg = commands::default_settings();
    auto view = bot::severity_view(cfg, open_incident(), "C0INC");
    for (const char* meta : {"", "not json", "{\"incident\":\"7\"}", "[]", "{\"incident\":0}", "{\"incident\":-3}"}) {
        view["private_metadata"] = meta;
        INFO(meta);
        auto read = bot::read_incident_submission(submit(view, {{"severity", chosen("P1")}}), cfg);
        // Under the form's own input: Slack refuses errors for a block the view does not have.
        CHECK(errors_of(read).contains("severity"));
    }
}

TEST_CASE("a button press is read from Slack's block_actions payload") {
    json payload = json::parse(R"({"type":"block_actions","user":{"id":"W111","username":"x","team_id":"T111"},
        "container":{"type":"message","message_ts":"111.222","channel_id":"C111","is_ephemeral":false},
        "trigger_id":"111.222.valid","channel":{"id":"C111","name":"incident-x"},
        "response_url":"https://hooks.slack.com/actions/T111/111/r",
        "actions":[{"action_id":"warroom_ack","block_id":"b","value":"7","type":"button","action_ts":"1596530385.1"}]})");
    auto b = bot::read_button_press(payload);
    REQUIRE(b);
    CHECK(b->action_id == "warroom_ack");
    CHECK(b->which == commands::button::ack);
    CHECK(b->incident == 7);
    CHECK(b->user == "W111");
    CHECK(b->channel == "C111");
    CHECK(b->trigger_id == "111.222.valid");
    CHECK(b->response_url == "https://hooks.slack.com/actions/T111/111/r");

    payload["actions"][0]["value"] = "INC-12";
    CHECK(bot::read_button_press(payload)->incident == 12);
    for (const char* bad : {"", "seven", "7x", "-3", "0", "99999999999999999999999"}) {
        payload["actions"][0]["value"] = bad;
        INFO(bad);
        CHECK(bot::read_button_press(payload)->incident == 0);
    }
    payload["actions"][0]["action_id"] = "warroom_retired_button";
    CHECK_FALSE(bot::read_button_press(payload)->which);  // read, but not one warroom acts on
    payload.erase("channel");
    CHECK(bot::read_button_press(payload)->channel == "C111");  // from the container
    payload["actions"] = json::array();
    CHECK_FALSE(bot::read_button_press(payload));
    CHECK_FALSE(bot::read_button_press(json::parse(R"({"type":"view_submission"})")));
    CHECK_FALSE(bot::read_button_press(json::parse(R"({"type":"block_actions","user":7,"actions":[{"value":1}]})")));
}

TEST_CASE("every button the engine puts on a message is read back as the same button") {
    using commands::button;
    for (auto b : {button::ack, button::join, button::update, button::severity, button::role, button::resolve,
                   button::followup, button::public_update, button::publish}) {
        auto id = commands::to_string(b);
        INFO(id);
        CHECK(id.starts_with("warroom_"));  // other apps' buttons are told apart by this prefix
        CHECK(commands::parse_button(id) == b);
        json payload = {{"type", "block_actions"}, {"user", {{"id", "W1"}}},
                        {"actions", {{{"action_id", id}, {"value", "3"}}}}};
        CHECK(bot::read_button_press(payload)->which == b);
    }
    // The ids of messages already posted: renaming one would strand their buttons.
    CHECK(commands::to_string(button::ack) == "warroom_ack");
    CHECK(commands::to_string(button::resolve) == "warroom_resolve");
    CHECK_FALSE(commands::parse_button("incident_ack"));
    CHECK_FALSE(commands::parse_button(""));
}

TEST_CASE("the public update form is prefilled from the template and becomes one public command") {
    auto cfg = commands::default_settings();
    auto inc = open_incident();
    inc.severity = "P1";
    inc.impacts = {{"API", commands::component_impact::major_outage}};
    auto view = bot::public_update_view(cfg, inc, "C9");
    CHECK(view["callback_id"] == "warroom_public_update");
    CHECK(bot::is_incident_modal("warroom_public_update"));
    REQUIRE(block(view, "phase"));
    CHECK((*block(view, "phase"))["element"]["initial_option"]["value"] == "investigating");
    REQUIRE(block(view, "text"));
    CHECK((*block(view, "text"))["element"]["initial_value"] == "We are investigating an issue affecting API.");
    CHECK((*block(view, "next_update"))["element"]["initial_value"] == "within 1h");
    for (const char* id : {"impact", "workaround", "next_update"}) CHECK((*block(view, id))["optional"] == true);
    // The first update names the incident for customers: prefilled with what goes out if left alone.
    REQUIRE(block(view, "public_title"));
    CHECK((*block(view, "public_title"))["element"]["initial_value"] == "Checkout <!channel> is down");
    CHECK((*block(view, "public_title")).value("optional", false) == false);  // the form needs one
    auto titled = bot::read_incident_submission(
        submit(view, {{"phase", chosen("investigating")}, {"public_title", typed(" Payments delayed ")},
                      {"text", typed("Card payments fail.")}}),
        cfg);
    CHECK(commands_of(titled) == std::vector<std::string>{"public INC-7 investigating title: Payments delayed\nCard payments fail."});
    CHECK(errors_of(bot::read_incident_submission(
                        submit(view, {{"phase", chosen("investigating")}, {"public_title", typed("a | b")},
                                      {"text", typed("x")}}),
                        cfg))
              .contains("public_title"));

    auto read = bot::read_incident_submission(
        submit(view, {{"phase", chosen("identified")}, {"text", typed(" Card payments fail. ")},
                      {"impact", typed("About 5% of checkouts")}, {"workaround", nothing_typed()},
                      {"next_update", typed("within 30 minutes")}}),
        cfg);
    CHECK(commands_of(read) == std::vector<std::string>{
                                   "public INC-7 identified Card payments fail.\nImpact: About 5% of checkouts\n"
                                   "Next update: within 30 minutes"});

    auto errors = errors_of(bot::read_incident_submission(
        submit(view, {{"phase", chosen("mitigating")}, {"text", typed("x")}}), cfg));
    CHECK(errors.contains("phase"));
    errors = errors_of(bot::read_incident_submission(
        submit(view, {{"phase", chosen("identified")}, {"text", typed("  ")}}), cfg));
    CHECK(errors.contains("text"));

    // Edit on a draft: the form holds the newest draft.
    commands::public_note draft;
    draft.seq = 1;
    draft.phase = commands::public_phase::monitoring;
    draft.text = "A fix is rolling out.";
    inc.public_notes.push_back(draft);
    auto edit = bot::public_update_view(cfg, inc, "C9");
    CHECK((*block(edit, "text"))["element"]["initial_value"] == "A fix is rolling out.");
    CHECK((*block(edit, "phase"))["element"]["initial_option"]["value"] == "monitoring");
    CHECK((*block(edit, "public_title"))["element"]["initial_value"] == "Checkout <!channel> is down");
    inc.public_notes.back().title = "Payments delayed";
    CHECK((*block(bot::public_update_view(cfg, inc, "C9"), "public_title"))["element"]["initial_value"] ==
          "Payments delayed");

    // Once published, the title is set: later updates do not ask for it.
    inc.public_notes.back().published_at = commands::time_point{} + std::chrono::hours(1);
    CHECK_FALSE(block(bot::public_update_view(cfg, inc, "C9"), "public_title"));
}
