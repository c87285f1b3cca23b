// Routing, at the pure level: each kind of Slack payload, parsed from an HTTP
// body or a Socket Mode envelope, and the plan warroom makes for it.
#include "bot/slack/decide.hpp"

#include <catch2/catch.hpp>

using namespace warroom;
using json = nlohmann::json;

namespace {

std::string form_body(const json& payload) {
    // The payload field, form-encoded: enough escaping for these payloads.
    std::string text = payload.dump(), out = "payload=";
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += static_cast<char>(c);
        else out += std::string("%") + hex[c >> 4] + hex[c & 15];
    }
    return out;
}

json click(const std::string& action_id, const std::string& value = "7") {
    return {{"type", "block_actions"},
            {"user", {{"id", "W1"}}},
            {"channel", {{"id", "C9"}}},
            {"trigger_id", "111.222"},
            {"response_url", "https://hooks.slack.com/actions/r"},
            {"actions", {{{"action_id", action_id}, {"value", value}, {"type", "button"}}}}};
}

json declare_submission(bool commander, const std::string& description) {
    json values = {{"title", {{"title", {{"type", "plain_text_input"}, {"value", "checkout is down"}}}}},
                   {"severity", {{"severity", {{"type", "static_select"}, {"selected_option", {{"value", "P1"}}}}}}},
                   {"description", {{"description", {{"type", "plain_text_input"}, {"value", description}}}}},
                   {"commander", {{"commander", {{"type", "checkboxes"},
                                                 {"selected_options", commander ? json::array({{{"value", "me"}}})
                                                                                : json::array()}}}}}};
    return {{"type", "view_submission"},
            {"user", {{"id", "W2"}}},
            {"view", {{"id", "V1"}, {"callback_id", "warroom_declare"}, {"private_metadata", "C0"},
                      {"state", {{"values", values}}}}}};
}

const commands::settings cfg = commands::default_settings();

}  // namespace

TEST_CASE("a body or an envelope that cannot be read is an invalid request, never an exception") {
    for (auto [type, body] : std::initializer_list<std::pair<const char*, const char*>>{
             {"application/json", "not json"},
             {"application/json", R"({"type":"event_callback"})"},
             {"application/x-www-form-urlencoded", "payload=%7B%22no%22%3A1%7D"},
             {"application/x-www-form-urlencoded", "command=%2Fincident"},  // no user or channel
             {"text/plain", "hello"},
             {"application/x-www-form-urlencoded", "a=%zz"}}) {
        INFO(type << " " << body);
        auto in = slack::parse_inbound(type, body);
        CHECK(std::holds_alternative<slack::invalid_request>(in));
        CHECK(slack::decide(in, cfg).outcome == "bad_request");
    }
    CHECK(std::holds_alternative<slack::invalid_request>(slack::parse_envelope(json("x"))));
    CHECK(std::holds_alternative<slack::invalid_request>(slack::parse_envelope({{"type", "interactive"}})));
    CHECK(std::holds_alternative<slack::invalid_request>(
        slack::parse_envelope({{"type", "hello_there"}, {"payload", json::object()}})));
    CHECK(std::holds_alternative<slack::ssl_check>(
        slack::parse_inbound("application/x-www-form-urlencoded", "ssl_check=1&token=x")));
    // A slash command without its user is refused, whatever else it carries.
    CHECK(std::holds_alternative<slack::invalid_request>(
        slack::parse_inbound("application/x-www-form-urlencoded", "command=%2Fincident&ssl_check=1&channel_id=C1")));
}

TEST_CASE("HTTP and Socket Mode give the same inbound for the same payload") {
    auto button = click("warroom_ack");
    auto over_http = slack::parse_inbound("application/x-www-form-urlencoded", form_body(button));
    auto over_socket = slack::parse_envelope({{"type", "interactive"}, {"envelope_id", "e1"}, {"payload", button}});
    for (const auto* in : {&over_http, &over_socket}) {
        auto* b = std::get_if<slack::button_click>(in);
        REQUIRE(b);
        CHECK(b->press.which == commands::button::ack);
        CHECK(b->press.incident == 7);
    }
    auto command = slack::parse_envelope(
        {{"type", "slash_commands"},
         {"payload", {{"command", "/incident"}, {"text", "ack"}, {"user_id", "U1"}, {"channel_id", "C1"},
                      {"trigger_id", "9.9"}, {"is_enterprise_install", "false"}}}});
    REQUIRE(std::holds_alternative<slack::slash_command>(command));
    CHECK(std::get<slack::slash_command>(command).text == "ack");
    auto http_command = slack::parse_inbound("application/x-www-form-urlencoded",
                                             "command=%2Fincident&text=ack&user_id=U1&channel_id=C1&trigger_id=9.9");
    CHECK(std::get<slack::slash_command>(http_command).trigger_id == "9.9");

    json event = {{"type", "event_callback"}, {"event_id", "Ev1"}, {"event_time", 1},
                  {"event", {{"type", "app_home_opened"}, {"user", "U1"}}}};
    CHECK(std::get<slack::event_callback>(slack::parse_inbound("application/json", event.dump())).event_id == "Ev1");
    CHECK(std::get<slack::event_callback>(slack::parse_envelope({{"type", "events_api"}, {"payload", event}})).type ==
          "app_home_opened");
    CHECK(std::get<slack::url_verification>(
              slack::parse_inbound("application/json", R"({"type":"url_verification","challenge":"c1"})"))
              .challenge == "c1");
}

TEST_CASE("Acknowledge, Resolve and Publish run the command they stand for, keyed by the click, answered to the clicker") {
    for (auto [id, line] : {std::pair{"warroom_ack", "ack INC-7"}, std::pair{"warroom_resolve", "resolve INC-7"},
                            std::pair{"warroom_publish", "public INC-7 publish"}}) {
        auto p = slack::decide(slack::parse_interaction_payload(click(id)), cfg);
        CHECK(p.ack.empty());  // a plain 200 at once
        CHECK(p.outcome == "button");
        auto* run = std::get_if<slack::run_requests>(&p.then);
        REQUIRE(run);
        REQUIRE(run->requests.size() == 1);
        CHECK(run->requests[0].text == line);
        CHECK(run->requests[0].user == "W1");
        CHECK(run->requests[0].once_key == "action:111.222");
        CHECK(run->answer.response_url == "https://hooks.slack.com/actions/r");
    }
}

TEST_CASE("the other buttons: join, the incident forms, and clicks warroom does not act on") {
    auto join = slack::decide(slack::parse_interaction_payload(click("warroom_join")), cfg);
    REQUIRE(std::holds_alternative<slack::join_channel>(join.then));
    CHECK(std::get<slack::join_channel>(join.then).incident == 7);
    for (const char* id : {"warroom_update", "warroom_severity", "warroom_role", "warroom_public_update"}) {
        auto p = slack::decide(slack::parse_interaction_payload(click(id)), cfg);
        REQUIRE(std::holds_alternative<slack::open_incident_form>(p.then));
        CHECK(std::get<slack::open_incident_form>(p.then).press.trigger_id == "111.222");
    }
    auto nameless = slack::decide(slack::parse_interaction_payload(click("warroom_ack", "seven")), cfg);
    REQUIRE(std::holds_alternative<slack::tell>(nameless.then));
    CHECK(std::get<slack::tell>(nameless.then).answer.user == "W1");
    auto other_app = slack::decide(slack::parse_interaction_payload(click("their_button")), cfg);
    CHECK(other_app.outcome == "ignored");
    CHECK(std::holds_alternative<std::monostate>(other_app.then));
    CHECK(slack::decide(slack::parse_interaction_payload({{"type", "view_closed"}}), cfg).outcome == "ignored");
}

TEST_CASE("the declare form is one engine request with its commander and description") {
    auto p = slack::decide(slack::parse_interaction_payload(declare_submission(true, "EU users only")), cfg);
    CHECK(p.ack.empty());  // the modal closes
    auto* run = std::get_if<slack::run_requests>(&p.then);
    REQUIRE(run);
    REQUIRE(run->requests.size() == 1);
    const auto& req = run->requests[0];
    CHECK(req.text == "declare P1 checkout is down");
    CHECK(req.caller_commands);
    CHECK(req.description == "EU users only");
    CHECK(req.once_key == "view:V1");
    CHECK(run->answer.channel == "C0");

    auto plain = slack::decide(slack::parse_interaction_payload(declare_submission(false, "")), cfg);
    CHECK_FALSE(std::get<slack::run_requests>(plain.then).requests[0].caller_commands);

    auto bad = declare_submission(false, "");
    bad["view"]["state"]["values"]["title"]["title"]["value"] = "  ";
    auto refused = slack::decide(slack::parse_interaction_payload(bad), cfg);
    CHECK(refused.outcome == "invalid_form");
    CHECK(json::parse(refused.ack)["errors"].contains("title"));
    CHECK(std::holds_alternative<std::monostate>(refused.then));
}

TEST_CASE("a bare declare opens the form, anything else is the typed command, keyed by its trigger") {
    slack::slash_command cmd;
    cmd.user_id = "U1";
    cmd.channel_id = "C1";
    cmd.trigger_id = "5.5";
    cmd.response_url = "https://hooks.slack.com/commands/r";
    for (const char* text : {"declare", "NEW", " open "}) {
        cmd.text = text;
        auto p = slack::decide(slack::inbound{cmd}, cfg);
        INFO(text);
        REQUIRE(std::holds_alternative<slack::open_declare_form>(p.then));
        CHECK(std::get<slack::open_declare_form>(p.then).channel == "C1");
        CHECK(json::parse(p.ack)["response_type"] == "ephemeral");
    }
    for (const char* text : {"declare P1 db down", "show", "help"}) {
        cmd.text = text;
        auto p = slack::decide(slack::inbound{cmd}, cfg);
        auto* run = std::get_if<slack::run_requests>(&p.then);
        REQUIRE(run);
        CHECK(run->requests[0].text == text);
        CHECK(run->requests[0].once_key == "trigger:5.5");
    }
    cmd.text = "declare";
    cmd.trigger_id.clear();  // nothing to open a form with: the usage, as typed
    CHECK(std::holds_alternative<slack::run_requests>(slack::decide(slack::inbound{cmd}, cfg).then));
}

TEST_CASE("the declare shortcut opens the form with nowhere to answer") {
    json s = {{"type", "shortcut"}, {"callback_id", "warroom_declare"}, {"trigger_id", "7.7"},
              {"user", {{"id", "W1"}}}};
    auto p = slack::decide(slack::parse_interaction_payload(s), cfg);
    CHECK(p.outcome == "shortcut");
    REQUIRE(std::holds_alternative<slack::open_declare_form>(p.then));
    CHECK(std::get<slack::open_declare_form>(p.then).trigger_id == "7.7");
    CHECK(std::get<slack::open_declare_form>(p.then).channel.empty());
    s["callback_id"] = "someone_elses";
    CHECK(slack::decide(slack::parse_interaction_payload(s), cfg).outcome == "ignored");
}

namespace {

slack::plan decide_event(const json& event, const commands::settings& settings = cfg) {
    json body = {{"type", "event_callback"}, {"event_id", "Ev9"}, {"event_time", 1700000000}, {"event", event}};
    return slack::decide(slack::parse_inbound("application/json", body.dump()), settings);
}

}  // namespace

TEST_CASE("events: the timeline reaction and a join are recorded, a home visit publishes, the rest is ignored") {
    json pin = {{"type", "reaction_added"},
                {"user", "W3"},
                {"reaction", "pushpin"},
                {"item", {{"type", "message"}, {"channel", "C5"}, {"ts", "1.2"}}}};
    auto pinned = decide_event(pin);
    CHECK(pinned.outcome == "ok");
    CHECK(pinned.ack.empty());
    REQUIRE(std::holds_alternative<slack::record_observation>(pinned.then));
    const auto& seen = std::get<slack::record_observation>(pinned.then).seen;
    CHECK(seen.what == commands::observation::kind::pinned_message);
    CHECK(seen.user == "W3");
    CHECK(seen.channel == "C5");
    CHECK(seen.message_ts == "1.2");

    // The reaction the config names, not a fixed one.
    auto other_emoji = cfg;
    other_emoji.timeline_reaction = "memo";
    CHECK(decide_event(pin, other_emoji).outcome == "ignored");
    CHECK(std::holds_alternative<std::monostate>(decide_event(pin, other_emoji).then));
    json thumbs = pin;
    thumbs["reaction"] = "thumbsup";
    CHECK(std::holds_alternative<std::monostate>(decide_event(thumbs).then));
    json on_a_file = pin;
    on_a_file["item"]["type"] = "file";
    CHECK(std::holds_alternative<std::monostate>(decide_event(on_a_file).then));
    json no_ts = pin;
    no_ts["item"].erase("ts");
    CHECK(std::holds_alternative<std::monostate>(decide_event(no_ts).then));

    auto joined = decide_event({{"type", "member_joined_channel"}, {"user", "W4"}, {"channel", "C6"}});
    REQUIRE(std::holds_alternative<slack::record_observation>(joined.then));
    CHECK(std::get<slack::record_observation>(joined.then).seen.what == commands::observation::kind::member_joined);
    CHECK(std::get<slack::record_observation>(joined.then).seen.channel == "C6");
    CHECK(std::holds_alternative<std::monostate>(decide_event({{"type", "member_joined_channel"}, {"user", "W4"}}).then));

    auto home = decide_event({{"type", "app_home_opened"}, {"user", "W5"}, {"tab", "home"}});
    REQUIRE(std::holds_alternative<slack::publish_home>(home.then));
    CHECK(std::get<slack::publish_home>(home.then).user == "W5");
    CHECK(decide_event({{"type", "app_home_opened"}, {"user", "W5"}, {"tab", "messages"}}).outcome == "ignored");

    auto mention = decide_event({{"type", "app_mention"}, {"user", "W6"}, {"text", "hi"}});
    CHECK(mention.outcome == "ignored");
    CHECK(std::holds_alternative<std::monostate>(mention.then));

    // Over Socket Mode the same event gets the same plan.
    auto over_socket = slack::decide(
        slack::parse_envelope({{"type", "events_api"},
                               {"payload", {{"type", "event_callback"}, {"event_id", "Ev9"}, {"event_time", 1700000000}, {"event", pin}}}}),
        cfg);
    CHECK(std::holds_alternative<slack::record_observation>(over_socket.then));
}

TEST_CASE("url_verification is answered with its challenge") {
    auto p = slack::decide(slack::parse_inbound("application/json", R"({"type":"url_verification","challenge":"c1"})"),
                           cfg);
    CHECK(json::parse(p.ack) == json{{"challenge", "c1"}});
}

namespace {

json message_action(const std::string& callback_id, const std::string& text) {
    return {{"type", "message_action"},
            {"callback_id", callback_id},
            {"trigger_id", "13345224609.738474920.8088930838d88f008e0"},
            {"response_url", "https://hooks.slack.com/app-actions/T0/1/x"},
            {"team", {{"id", "T111"}, {"domain", "d"}}},
            {"channel", {{"id", "C9"}, {"name", "incident-20261123-checkout"}}},
            {"user", {{"id", "W1"}, {"name", "ann"}}},
            {"message_ts", "1599.0001"},
            {"message", {{"type", "message"}, {"user", "W2"}, {"ts", "1599.0001"}, {"text", text}}}};
}

}  // namespace

TEST_CASE("Add as follow-up on a message opens the follow-up form with its text, in its channel") {
    auto payload = message_action("warroom_followup", "retry storms &amp; no backoff");
    auto in = slack::parse_inbound("application/x-www-form-urlencoded", form_body(payload));
    REQUIRE(std::holds_alternative<slack::message_shortcut>(in));
    // Socket Mode carries the same payload in an envelope.
    auto env = slack::parse_envelope({{"type", "interactive"}, {"envelope_id", "e"}, {"payload", payload}});
    REQUIRE(std::holds_alternative<slack::message_shortcut>(env));
    auto p = slack::decide(in, cfg);
    CHECK(p.ack.empty());  // a plain 200 at once; the form opens after it
    CHECK(p.outcome == "shortcut");
    auto* open = std::get_if<slack::open_followup_form>(&p.then);
    REQUIRE(open);
    CHECK(open->trigger_id == "13345224609.738474920.8088930838d88f008e0");
    CHECK(open->incident == 0);  // the driver finds it by the channel
    CHECK(open->text == "retry storms &amp; no backoff");
    CHECK(open->answer.user == "W1");
    CHECK(open->answer.channel == "C9");
    CHECK(open->answer.response_url == "https://hooks.slack.com/app-actions/T0/1/x");

    // Another app's message action, or one without a user or channel: nothing.
    CHECK(slack::decide(slack::parse_interaction_payload(message_action("other_app", "x")), cfg).outcome ==
          "ignored");
    auto anonymous = message_action("warroom_followup", "x");
    anonymous.erase("user");
    CHECK(std::holds_alternative<slack::other_interaction>(slack::parse_interaction_payload(anonymous)));
}

TEST_CASE("the resolution post's Follow-up button opens the form for its incident") {
    auto p = slack::decide(slack::parse_interaction_payload(click("warroom_followup", "7")), cfg);
    auto* open = std::get_if<slack::open_followup_form>(&p.then);
    REQUIRE(open);
    CHECK(open->incident == 7);
    CHECK(open->text.empty());
    CHECK(open->trigger_id == "111.222");
    CHECK(open->answer.user == "W1");
    CHECK(open->answer.channel == "C9");
}

TEST_CASE("the follow-up form is one engine request keyed by its view, a bad one stays open with errors") {
    auto submission = [](json values, const std::string& meta = R"({"incident":7,"channel":"C9"})") {
        json state = json::object();
        for (auto& [id, element] : values.items()) state[id] = {{id, element}};
        return json{{"type", "view_submission"},
                    {"user", {{"id", "W1"}}},
                    {"view", {{"id", "V77"}, {"callback_id", "warroom_followup"}, {"private_metadata", meta},
                              {"state", {{"values", state}}}}}};
    };
    json good = {{"text", {{"type", "plain_text_input"}, {"value", " Add backoff to the retry loop "}}},
                 {"owner", {{"type", "users_select"}, {"selected_user", "W2"}}},
                 {"due", {{"type", "datepicker"}, {"selected_date", "2026-12-04"}}}};
    auto p = slack::decide(slack::parse_interaction_payload(submission(good)), cfg);
    CHECK(p.ack.empty());  // closes the modal
    auto* run = std::get_if<slack::run_requests>(&p.then);
    REQUIRE(run);
    REQUIRE(run->requests.size() == 1);
    CHECK(run->requests[0].text == "followup INC-7 Add backoff to the retry loop owner <@W2> due 2026-12-04");
    CHECK(run->requests[0].once_key == "view:V77");
    CHECK(run->requests[0].user == "W1");
    CHECK(run->answer.channel == "C9");

    json no_due = good;
    no_due["due"] = {{"type", "datepicker"}, {"selected_date", nullptr}};
    p = slack::decide(slack::parse_interaction_payload(submission(no_due)), cfg);
    run = std::get_if<slack::run_requests>(&p.then);
    REQUIRE(run);
    CHECK(run->requests[0].text == "followup INC-7 Add backoff to the retry loop owner <@W2>");

    json empty = good;
    empty["text"] = {{"type", "plain_text_input"}, {"value", "  "}};
    empty["owner"] = {{"type", "users_select"}};
    p = slack::decide(slack::parse_interaction_payload(submission(empty)), cfg);
    CHECK(p.outcome == "invalid_form");
    CHECK(std::holds_alternative<std::monostate>(p.then));
    auto errors = json::parse(p.ack);
    CHECK(errors["response_action"] == "errors");
    CHECK(errors["errors"].contains("text"));
    CHECK(errors["errors"].contains("owner"));

    p = slack::decide(slack::parse_interaction_payload(submission(good, "{}")), cfg);
    CHECK(p.outcome == "invalid_form");
}
