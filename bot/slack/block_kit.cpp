#include "bot/slack/block_kit.hpp"

#include "bot/slack/payloads.hpp"
#include "templates/renderer.hpp"

namespace warroom::slack {

using json = nlohmann::json;

json blocks_of(const commands::message& m) {
    if (m.blocks_json.empty()) return json::array();
    auto blocks = parse_json_bounded(m.blocks_json);
    return blocks.is_array() ? blocks : json::array();
}

json post_args(const std::string& channel, const commands::message& m) {
    json args{{"channel", channel}, {"text", m.text}};
    if (auto blocks = blocks_of(m); !blocks.empty()) args["blocks"] = std::move(blocks);
    return args;
}

json update_args(const std::string& channel, const std::string& ts, const commands::message& m) {
    return {{"channel", channel}, {"ts", ts}, {"text", m.text}, {"blocks", blocks_of(m)}};
}

json ephemeral_args(const std::string& channel, const std::string& user, const commands::message& m) {
    json args = post_args(channel, m);
    args["user"] = user;
    return args;
}

json response_body(const commands::message& m, original what) {
    json body{{"response_type", "ephemeral"}, {"replace_original", what == original::replace}, {"text", m.text}};
    if (auto blocks = blocks_of(m); !blocks.empty()) body["blocks"] = std::move(blocks);
    return body;
}

std::string command_answer(const commands::message& m) {
    std::string out = R"({"response_type":"ephemeral","text":)";
    templates::append_json_string(out, m.text);
    // Spliced only when it is an array: the answer must stay JSON Slack takes.
    if (!m.blocks_json.empty() && m.blocks_json.front() == '[') out += R"(,"blocks":)" + m.blocks_json;
    return out + "}";
}

json home_args(const std::string& user, const commands::message& m) {
    return {{"user_id", user}, {"view", {{"type", "home"}, {"blocks", blocks_of(m)}}}};
}

}  // namespace warroom::slack
