// Request signing and the parsers for what Slack POSTs, against Slack's own
// published examples (SLACK.md §1, §9) and against hostile input.
#include "bot/slack/payloads.hpp"
#include "bot/slack/signature.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace warroom::slack;
using std::chrono::seconds;
using std::chrono::sys_seconds;

namespace {

// Slack's published example, also in bolt-js and python-slack-sdk tests.
constexpr std::string_view slack_secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view slack_ts = "1531420618";
constexpr std::string_view slack_body =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view slack_sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const sys_seconds slack_now{seconds{1531420618}};

verdict check(std::string_view sig, sys_seconds now = slack_now, std::string_view body = slack_body,
              std::string_view ts = slack_ts, std::string_view secret = slack_secret) {
    return verify(secret, ts, sig, body, now);
}

constexpr std::string_view slash_body =
    "token=fixed-value&team_id=T111&team_domain=domain-value&channel_id=C111&channel_name=random"
    "&user_id=W111&user_name=primary-owner&command=%2Fincident&text=declare+P1+checkout+is+down"
    "&api_app_id=A111&is_enterprise_install=false&enterprise_id=E111&enterprise_name=Sandbox+Org"
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT111%2F111%2Fxxx&trigger_id=111.222.xxx";

constexpr std::string_view event_body = R"({"token":"t","team_id":"T111","api_app_id":"A111","type":"event_callback","event_id":"Ev111","event_time":1595926230,
 "event":{"type":"reaction_added","user":"W222","reaction":"pushpin","item_user":"W111",
          "item":{"type":"message","channel":"C111","ts":"1595926230.009600"},"event_ts":"1595926240.000100"},
 "authorizations":[{"enterprise_id":null,"team_id":"T111","user_id":"U0BOT","is_bot":true,"is_enterprise_install":false}]})";

constexpr std::string_view block_action_json = R"({"type":"block_actions","user":{"id":"W111","username":"primary-owner","team_id":"T111"},"api_app_id":"A111",
 "container":{"type":"message","message_ts":"111.222","channel_id":"C111","is_ephemeral":false},"trigger_id":"111.222.valid",
 "team":{"id":"T111","domain":"workspace-domain"},"channel":{"id":"C111","name":"incident-20261123-checkout"},
 "response_url":"https://hooks.slack.com/actions/T111/111/random-value",
 "actions":[{"action_id":"incident_ack","block_id":"b","value":"INC-7","type":"button","action_ts":"1596530385.194939"}]})";

// Form-encodes everything but unreserved characters, as Slack does.
std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("sign reproduces Slack's published signatures") {
    CHECK(sign(slack_secret, slack_ts, slack_body) == slack_sig);
    CHECK(sign("secret", "1531420618", R"({"foo":"bar"})") ==
          "v0=bb5bc143e1afa37151ea6887f794287bcfad6113bb7596ffca6ec599ecbdc216");
}

TEST_CASE("a signer keyed once signs request after request as if keyed for each") {
    const signer key(slack_secret);
    // Each request starts from the key alone: nothing of one body carries into the next.
    CHECK(key.sign(slack_ts, slack_body) == slack_sig);
    CHECK(key.sign("1531420618", R"({"foo":"bar"})") == sign(slack_secret, "1531420618", R"({"foo":"bar"})"));
    CHECK(key.sign(slack_ts, slack_body) == slack_sig);
    CHECK(verify(key, slack_ts, slack_sig, slack_body, slack_now) == verdict::ok);
    CHECK(verify(key, slack_ts, slack_sig, std::string(slack_body) + "&", slack_now) == verdict::bad_signature);

    // Moved, it keeps its key; an empty one still refuses everything.
    signer moved = signer(slack_secret);
    CHECK(moved.sign(slack_ts, slack_body) == slack_sig);
    const signer none("");
    CHECK(verify(none, slack_ts, none.sign(slack_ts, slack_body), slack_body, slack_now) == verdict::bad_signature);
}

TEST_CASE("verify accepts Slack's example and rejects every alteration") {
    CHECK(check(slack_sig) == verdict::ok);

    SECTION("tampered body") {
        std::string body(slack_body);
        body.replace(body.find("roadrunner"), 10, "wileecoyot");
        CHECK(check(slack_sig, slack_now, body) == verdict::bad_signature);
        CHECK(check(slack_sig, slack_now, std::string(slack_body) + "&") == verdict::bad_signature);
    }
    SECTION("wrong secret") {
        CHECK(check(slack_sig, slack_now, slack_body, slack_ts, "8f742231b10e8888abcd99yyyzzz85a6") ==
              verdict::bad_signature);
        // An unset secret must fail closed, even for a request signed with it.
        CHECK(check(sign("", slack_ts, slack_body), slack_now, slack_body, slack_ts, "") == verdict::bad_signature);
    }
    SECTION("the timestamp is part of what is signed") {
        // Within the window, but not the timestamp Slack signed.
        CHECK(check(slack_sig, slack_now, slack_body, "1531420619") == verdict::bad_signature);
    }
    SECTION("a version other than v0") {
        std::string v1(slack_sig);
        v1[1] = '1';
        CHECK(check(v1) == verdict::bad_signature);
        CHECK(check(std::string(slack_sig).substr(3)) == verdict::bad_signature);  // bare hex
    }
    SECTION("truncated, extended or case-changed signature") {
        CHECK(check(slack_sig.substr(0, slack_sig.size() - 1)) == verdict::bad_signature);
        CHECK(check(slack_sig.substr(0, 3)) == verdict::bad_signature);
        CHECK(check(std::string(slack_sig) + "0") == verdict::bad_signature);
        std::string flipped(slack_sig);
        flipped.back() = flipped.back() == '3' ? '4' : '3';
        CHECK(check(flipped) == verdict::bad_signature);
    }
}

TEST_CASE("verify enforces the 300 s window in both directions") {
    CHECK(check(slack_sig, slack_now + seconds{300}) == verdict::ok);
    CHECK(check(slack_sig, slack_now - seconds{300}) == verdict::ok);
    CHECK(check(slack_sig, slack_now + seconds{301}) == verdict::stale);  // a replay, 301 s old
    CHECK(check(slack_sig, slack_now - seconds{301}) == verdict::stale);  // signed 301 s in our future
    CHECK(check(slack_sig, sys_seconds{}) == verdict::stale);

    // Stale wins over a valid signature, and huge values must not wrap around.
    const std::string future = sign(slack_secret, "9223372036854775807", slack_body);
    CHECK(verify(slack_secret, "9223372036854775807", future, slack_body, slack_now) == verdict::stale);
    CHECK(verify(slack_secret, "1531420618", slack_sig, slack_body, sys_seconds{seconds{-9'000'000'000'000'000'000}}) ==
          verdict::stale);
}

TEST_CASE("verify rejects missing headers and malformed timestamps") {
    CHECK(verify(slack_secret, "", slack_sig, slack_body, slack_now) == verdict::missing);
    CHECK(verify(slack_secret, slack_ts, "", slack_body, slack_now) == verdict::missing);
    CHECK(verify(slack_secret, "", "", slack_body, slack_now) == verdict::missing);

    for (std::string_view ts : {"abc", "1531420618.5", "-1531420618", "+1531420618", " 1531420618", "1531420618 ",
                                "0x5b47a1ca", "99999999999999999999999", "1e9"}) {
        CAPTURE(ts);
        CHECK(check(slack_sig, slack_now, slack_body, ts) == verdict::malformed_timestamp);
    }
}

TEST_CASE("describe names every verdict differently") {
    const verdict all[] = {verdict::ok, verdict::missing, verdict::malformed_timestamp, verdict::stale,
                           verdict::bad_signature};
    for (auto a : all) {
        CHECK_FALSE(describe(a).empty());
        for (auto b : all)
            if (a != b) CHECK(describe(a) != describe(b));
    }
}

TEST_CASE("parse_form decodes '+', %XX and percent-encoded UTF-8") {
    auto f = parse_form("a=1&b=hello+world&c=%2Fincident&d=caf%C3%A9+%E2%9C%93&e=&f&g=a%2Bb%3Dc%26d&h=%7e%7E");
    REQUIRE(f);
    CHECK(f->size() == 8);
    CHECK(f->at("a") == "1");
    CHECK(f->at("b") == "hello world");
    CHECK(f->at("c") == "/incident");
    CHECK(f->at("d") == "caf\xC3\xA9 \xE2\x9C\x93");
    CHECK(f->at("e").empty());
    CHECK(f->at("f").empty());
    CHECK(f->at("g") == "a+b=c&d");  // encoded separators stay data
    CHECK(f->at("h") == "~~");

    CHECK(parse_form("")->empty());
    CHECK(parse_form("&&a=1&&")->size() == 1);
    CHECK(parse_form("k%20ey=v")->at("k ey") == "v");
    CHECK(parse_form("a=1&a=2")->at("a") == "1");
    CHECK(parse_form("a=x=y")->at("a") == "x=y");
}

TEST_CASE("parse_form rejects malformed escapes anywhere") {
    for (std::string_view bad : {"a=%", "a=%4", "a=%G1", "a=%1G", "a=100%", "a=%%41", "%zz=1", "a=1&b=%",
                                 "a=%-1", "a=% 1"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_form(bad));
    }
    // The body may be a view into a larger buffer: an escape cut by its end
    // must not be completed with the bytes that follow it in memory.
    const std::string buffer = "a=%4142";
    CHECK_FALSE(parse_form(std::string_view(buffer).substr(0, 4)));
    CHECK_FALSE(parse_form(std::string_view(buffer).substr(0, 3)));
    CHECK(parse_form(std::string_view(buffer).substr(0, 5))->at("a") == "A");
}

TEST_CASE("parse_form survives huge and binary input") {
    std::string huge;
    for (int i = 0; i < 100'000; ++i) huge += "k" + std::to_string(i) + "=v%20" + std::to_string(i) + "&";
    auto f = parse_form(huge);
    REQUIRE(f);
    CHECK(f->size() == 100'000);
    CHECK(f->at("k99999") == "v 99999");

    std::string one_value = "text=" + std::string(4'000'000, 'x');
    CHECK(parse_form(one_value)->at("text").size() == 4'000'000);
    CHECK_FALSE(parse_form(std::string(1'000'000, '%')));

    std::string binary("a=\0\xff\x01", 5);
    CHECK(parse_form(binary)->at("a") == std::string("\0\xff\x01", 3));
    CHECK(parse_form("a=%00")->at("a") == std::string(1, '\0'));
}

TEST_CASE("a slash command body as Slack sends it") {
    auto f = parse_form(slash_body);
    REQUIRE(f);
    auto c = parse_slash_command(*f);
    REQUIRE(c);
    CHECK(c->token == "fixed-value");
    CHECK(c->team_id == "T111");
    CHECK(c->team_domain == "domain-value");
    CHECK(c->enterprise_id == "E111");
    CHECK(c->enterprise_name == "Sandbox Org");
    CHECK(c->channel_id == "C111");
    CHECK(c->channel_name == "random");
    CHECK(c->user_id == "W111");
    CHECK(c->user_name == "primary-owner");
    CHECK(c->command == "/incident");
    CHECK(c->text == "declare P1 checkout is down");
    CHECK(c->api_app_id == "A111");
    CHECK_FALSE(c->is_enterprise_install);
    CHECK(c->response_url == "https://hooks.slack.com/commands/T111/111/xxx");
    CHECK(c->trigger_id == "111.222.xxx");

    CHECK(parse_slash_command(*parse_form(std::string(slash_body) + "&is_enterprise_install=true&x=1"))
              ->is_enterprise_install == false);  // first value wins
    CHECK(parse_slash_command(*parse_form("command=%2Fi&user_id=U&channel_id=C&is_enterprise_install=true"))
              ->is_enterprise_install);
}

TEST_CASE("a slash command's text keeps Unicode, escaped mentions and literal '+'") {
    const std::string text = "update <@U123|bob> 🔥 checkout + payments: 50% down & \"retrying\"";
    auto f = parse_form("command=%2Fincident&user_id=U1&channel_id=C1&text=" + url_encode(text));
    REQUIRE(f);
    auto c = parse_slash_command(*f);
    REQUIRE(c);
    CHECK(c->text == text);
    CHECK(c->token.empty());  // absent fields are empty, not an error
}

TEST_CASE("a slash command needs command, user_id and channel_id") {
    CHECK_FALSE(parse_slash_command({}));
    CHECK_FALSE(parse_slash_command({{"command", "/incident"}, {"user_id", "U1"}}));
    CHECK_FALSE(parse_slash_command({{"command", "/incident"}, {"channel_id", "C1"}}));
    CHECK_FALSE(parse_slash_command({{"user_id", "U1"}, {"channel_id", "C1"}}));
    CHECK_FALSE(parse_slash_command({{"command", ""}, {"user_id", "U1"}, {"channel_id", "C1"}}));
    CHECK(parse_slash_command({{"command", "/incident"}, {"user_id", "U1"}, {"channel_id", "C1"}}));
}

TEST_CASE("classify tells the three kinds of POST apart") {
    const std::string interaction = "payload=" + url_encode(block_action_json);
    CHECK(classify("application/x-www-form-urlencoded", slash_body) == body_kind::slash_command);
    CHECK(classify("Application/X-WWW-Form-Urlencoded; charset=utf-8", slash_body) == body_kind::slash_command);
    CHECK(classify("application/x-www-form-urlencoded", interaction) == body_kind::interaction);
    CHECK(classify("application/json", event_body) == body_kind::event_json);
    CHECK(classify(" application/json ; charset=utf-8", "{}") == body_kind::event_json);

    CHECK(classify("", slash_body) == body_kind::unknown);
    CHECK(classify("text/plain", slash_body) == body_kind::unknown);
    CHECK(classify("application/jsonx", event_body) == body_kind::unknown);
    CHECK(classify("application/x-www-form-urlencoded", "a=%zz&command=x") == body_kind::unknown);
    CHECK(classify("application/x-www-form-urlencoded", "ssl_check=1&token=t") == body_kind::unknown);
    CHECK(is_ssl_check(*parse_form("ssl_check=1&token=t")));
    CHECK_FALSE(is_ssl_check(*parse_form(slash_body)));
}

TEST_CASE("url_verification yields the challenge") {
    auto e = parse_event(R"({"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})");
    REQUIRE(std::holds_alternative<url_verification>(e));
    CHECK(std::get<url_verification>(e).challenge == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");

    CHECK(std::holds_alternative<invalid_payload>(parse_event(R"({"type":"url_verification"})")));
    CHECK(std::holds_alternative<invalid_payload>(parse_event(R"({"type":"url_verification","challenge":7})")));
    CHECK(std::holds_alternative<invalid_payload>(parse_event(R"({"type":"url_verification","challenge":""})")));
}

TEST_CASE("event_callback yields the envelope and the raw event") {
    auto e = parse_event(event_body);
    REQUIRE(std::holds_alternative<event_callback>(e));
    const auto& cb = std::get<event_callback>(e);
    CHECK(cb.event_id == "Ev111");
    CHECK(cb.event_time == 1595926230);
    CHECK(cb.team_id == "T111");
    CHECK(cb.api_app_id == "A111");
    CHECK(cb.type == "reaction_added");
    CHECK(cb.event.at("reaction") == "pushpin");
    CHECK(cb.event.at("item").at("ts") == "1595926230.009600");
}

TEST_CASE("event_callback without its required parts is invalid") {
    const auto event = nlohmann::json::parse(event_body);
    auto without = [&](const char* key) {
        auto j = event;
        j.erase(key);
        return parse_event(j.dump());
    };
    auto with = [&](const char* key, nlohmann::json v) {
        auto j = event;
        j[key] = std::move(v);
        return parse_event(j.dump());
    };
    CHECK(std::holds_alternative<invalid_payload>(without("event_id")));
    CHECK(std::holds_alternative<invalid_payload>(without("event_time")));
    CHECK(std::holds_alternative<invalid_payload>(without("event")));
    CHECK(std::holds_alternative<invalid_payload>(with("event_id", 111)));
    CHECK(std::holds_alternative<invalid_payload>(with("event_time", "1595926230")));
    CHECK(std::holds_alternative<invalid_payload>(with("event_time", -1)));
    CHECK(std::holds_alternative<invalid_payload>(with("event_time", 1.5)));
    CHECK(std::holds_alternative<invalid_payload>(with("event", "reaction_added")));
    CHECK(std::holds_alternative<invalid_payload>(with("event", nlohmann::json::object())));
    CHECK(std::holds_alternative<invalid_payload>(with("event", {{"type", nullptr}})));

    // team_id is optional (org-wide installs), and a wrong type is just ignored.
    auto e = without("team_id");
    REQUIRE(std::holds_alternative<event_callback>(e));
    CHECK(std::get<event_callback>(e).team_id.empty());
    CHECK(std::holds_alternative<event_callback>(with("team_id", 5)));
}

TEST_CASE("other envelope types are reported, not rejected") {
    auto e = parse_event(R"({"token":"t","team_id":"T111","minute_rate_limited":1518467820,"api_app_id":"A111","type":"app_rate_limited"})");
    REQUIRE(std::holds_alternative<other_envelope>(e));
    CHECK(std::get<other_envelope>(e).type == "app_rate_limited");
}

TEST_CASE("garbage JSON gives invalid_payload, never an exception") {
    std::string deep(100'000, '[');
    std::string bad_utf8 = "{\"type\":\"event_callback\",\"x\":\"\xff\"}";
    for (std::string_view body : {std::string_view{""}, std::string_view{"{"}, std::string_view{"null"},
                                  std::string_view{"[]"}, std::string_view{"\"event_callback\""},
                                  std::string_view{"{\"type\":1}"}, std::string_view{"{\"type\":\"\"}"},
                                  std::string_view{"{}"}, std::string_view{"{\"type\":\"event_callback\"} trailing"},
                                  std::string_view{"{\"type\":\"url_verification\",\"challenge\":\"x\",}"},
                                  std::string_view{slash_body}, std::string_view{deep},
                                  std::string_view{bad_utf8}, std::string_view{"\0{}", 3}}) {
        CAPTURE(body.substr(0, 60));
        event_envelope e = other_envelope{};
        REQUIRE_NOTHROW(e = parse_event(body));
        CHECK(std::holds_alternative<invalid_payload>(e));
        if (auto* bad = std::get_if<invalid_payload>(&e)) CHECK_FALSE(bad->reason.empty());
    }
}

TEST_CASE("an interactivity payload parses to its JSON") {
    auto f = parse_form("payload=" + url_encode(block_action_json));
    REQUIRE(f);
    auto j = parse_interaction(*f);
    REQUIRE(j);
    CHECK(j->at("type") == "block_actions");
    CHECK(j->at("actions").at(0).at("action_id") == "incident_ack");
    CHECK(j->at("actions").at(0).at("value") == "INC-7");
    CHECK(j->at("container").at("message_ts") == "111.222");

    CHECK_FALSE(parse_interaction({}));
    CHECK_FALSE(parse_interaction({{"payload", ""}}));
    CHECK_FALSE(parse_interaction({{"payload", "{not json"}}));
    CHECK_FALSE(parse_interaction({{"payload", R"(["block_actions"])"}}));
    CHECK_FALSE(parse_interaction({{"payload", R"({"user":{"id":"W111"}})"}}));
    CHECK_FALSE(parse_interaction({{"payload", R"({"type":42})"}}));
    CHECK_FALSE(parse_interaction({{"payload", R"({"type":""})"}}));
    CHECK_FALSE(parse_interaction({{"payload", std::string(50'000, '{')}}));
    CHECK(parse_interaction({{"payload", R"({"type":"view_closed"})"}}));
}

TEST_CASE("JSON nested past max_json_depth is refused before it is parsed") {
    auto nested = [](std::size_t depth, char open, char close) {
        return std::string(depth, open) + std::string(depth, close);
    };
    CHECK(parse_json_bounded(nested(max_json_depth, '[', ']')).is_array());
    bool too_deep = true;
    CHECK(parse_json_bounded(R"({"a":[{"b":1}]})", max_json_depth, &too_deep).is_object());
    CHECK_FALSE(too_deep);

    for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'{', '}'}}) {
        CAPTURE(open);
        std::string deep = nested(max_json_depth + 1, open, close);
        CHECK_FALSE(json_depth_within(deep));
        too_deep = false;
        CHECK(parse_json_bounded(deep, max_json_depth, &too_deep).is_discarded());
        CHECK(too_deep);
    }
    // Mixed: objects and arrays count alike.
    std::string mixed;
    for (std::size_t i = 0; i < 40; ++i) mixed += R"({"a":[)";
    mixed += "1";
    for (std::size_t i = 0; i < 40; ++i) mixed += "]}";
    CHECK_FALSE(json_depth_within(mixed));
    CHECK(json_depth_within(mixed, 80));
    CHECK(parse_json_bounded(mixed, 80).is_object());

    // Not JSON is discarded too, but not for its depth.
    too_deep = true;
    CHECK(parse_json_bounded("{not json", max_json_depth, &too_deep).is_discarded());
    CHECK_FALSE(too_deep);
}

TEST_CASE("brackets inside JSON strings are text, whatever the escapes") {
    std::string text = R"({"a":")" + std::string(1000, '[') + R"(\"\\)" + std::string(1000, '{') + R"("})";
    CHECK(json_depth_within(text));
    auto j = parse_json_bounded(text);
    REQUIRE(j.is_object());
    CHECK(j.at("a").get<std::string>().size() == 2002);  // \" and \\ are one byte each
    // An escaped quote does not end the string: the brackets after it are still text.
    CHECK(json_depth_within(R"(["\"[[[[[[[[[["])", 1));
    // An escaped backslash does: the bracket after the string counts.
    CHECK_FALSE(json_depth_within(R"(["\\",[]])", 1));
}

TEST_CASE("a signed event or payload nested 100,000 levels deep is invalid, not a crash") {
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    auto e = parse_event(R"({"type":"event_callback","event_id":"E1","event_time":1700000000,"event":{"type":"x","d":)" +
                         deep + "}}");
    REQUIRE(std::holds_alternative<invalid_payload>(e));
    CHECK_THAT(std::get<invalid_payload>(e).reason, Catch::Contains("nested"));
    CHECK_FALSE(parse_interaction({{"payload", R"({"type":"block_actions","x":)" + deep + "}"}}));
    // Just deep enough still works (the inner event is copied out).
    const std::string fits = std::string(max_json_depth - 2, '[') + std::string(max_json_depth - 2, ']');
    auto ok = parse_event(R"({"type":"event_callback","event_id":"E1","event_time":1700000000,"event":{"type":"x","d":)" +
                          fits + "}}");
    CHECK(std::holds_alternative<event_callback>(ok));
}

TEST_CASE("check_headers refuses what no body could make verify") {
    CHECK(check_headers(slack_ts, slack_sig, slack_now) == verdict::ok);
    CHECK(check_headers("", slack_sig, slack_now) == verdict::missing);
    CHECK(check_headers(slack_ts, "", slack_now) == verdict::missing);
    CHECK(check_headers("12a", slack_sig, slack_now) == verdict::malformed_timestamp);
    CHECK(check_headers(slack_ts, slack_sig, slack_now + seconds{301}) == verdict::stale);
    // A forged signature passes here: only the body can tell.
    CHECK(check_headers(slack_ts, "v0=00", slack_now) == verdict::ok);
}
