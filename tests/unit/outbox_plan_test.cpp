// The Web API calls that deliver each outbox action, driven against a
// scripted Slack: what is called, in which order, and what the action's
// outcome is for each answer Slack may give.
#include "bot/slack/outbox_plan.hpp"

#include <catch2/catch.hpp>

#include <functional>

using nlohmann::json;
using warroom::commands::action_kind;
using warroom::slack::api_result;
using warroom::slack::outbox_job;
using warroom::slack::outbox_outcome;
using warroom::slack::outbox_plan;
using warroom::slack::plan_note;
using warroom::slack::plan_step;
using warroom::slack::workspace_cache;

namespace {

api_result ok(json body = json::object()) {
    api_result r;
    r.ok = true;
    r.answered = true;
    body["ok"] = true;
    r.body = std::move(body);
    return r;
}

api_result err(const std::string& code) {
    api_result r;
    r.answered = true;
    r.error = code;
    r.body = json{{"ok", false}, {"error", code}};
    return r;
}

api_result no_answer() {
    api_result r;
    r.error = "network: timeout";
    return r;
}

struct call {
    std::string method;
    json args;
};

// Runs a plan to its end: `slack` answers each call; the driver's own steps
// (persisting the channel, reading a thread head) are recorded and answered.
struct driver {
    std::function<api_result(const call&)> slack;
    std::optional<std::string> head_ts;  // what the database knows of the thread head
    std::vector<call> calls;
    std::vector<std::pair<std::string, std::string>> saved;  // channel id, name
    std::vector<std::int64_t> heads_asked;
    std::vector<plan_note> notes;

    outbox_outcome run(outbox_plan& plan) {
        for (int guard = 0; guard < 1000; ++guard) {
            for (auto& n : plan.take_notes()) notes.push_back(n);
            const auto& s = plan.step();
            switch (s.kind) {
                case plan_step::call: {
                    calls.push_back({s.method, s.args});
                    auto r = slack(calls.back());
                    plan.on_result(r);
                    break;
                }
                case plan_step::save_channel:
                    saved.emplace_back(s.channel_id, s.channel_name);
                    plan.on_channel_saved();
                    break;
                case plan_step::find_thread_head:
                    heads_asked.push_back(s.head);
                    plan.on_thread_head(head_ts);
                    break;
                case plan_step::done: return s.outcome;
            }
        }
        FAIL("the plan never ended");
        return {};
    }

    std::vector<std::string> methods() const {
        std::vector<std::string> out;
        for (const auto& c : calls) out.push_back(c.method);
        return out;
    }

    bool warned(const std::string& part) const {
        for (const auto& n : notes)
            if (n.level == plan_note::warn && n.text.find(part) != std::string::npos) return true;
        return false;
    }
};

warroom::commands::incident incident_with_channel(std::string id = "C0INC") {
    warroom::commands::incident inc;
    inc.number = 7;
    inc.channel_name = "inc-7-db-down";
    inc.channel_id = std::move(id);
    return inc;
}

outbox_job job(action_kind kind) {
    outbox_job j;
    j.id = 41;
    j.act.kind = kind;
    j.act.incident = 7;
    return j;
}

outbox_job post_job(std::string channel = "", std::string blocks = "") {
    auto j = job(action_kind::post);
    j.act.channel = std::move(channel);
    j.act.body.text = "hello";
    j.act.body.blocks_json = std::move(blocks);
    return j;
}

const std::string some_blocks = R"([{"type":"section","text":{"type":"mrkdwn","text":"hello"}}])";

json channel_list(std::initializer_list<std::array<const char*, 3>> channels, std::string next = "") {
    json list = json::array();
    for (const auto& c : channels) list.push_back({{"name", c[0]}, {"id", c[1]}, {"creator", c[2]}});
    return json{{"channels", list}, {"response_metadata", {{"next_cursor", next}}}};
}

}  // namespace

TEST_CASE("create_channel: a free name is created, saved at once, then the users are invited") {
    auto inc = incident_with_channel("");
    auto j = job(action_kind::create_channel);
    j.act.users = {"U1", "U2"};
    workspace_cache ws;
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.create") return ok({{"channel", {{"id", "C0NEW"}, {"name", c.args["name"]}}}});
        return ok();
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    CHECK(o.channel_id == "C0NEW");
    CHECK(o.channel_name == "inc-7-db-down");
    CHECK(d.methods() == std::vector<std::string>{"conversations.create", "conversations.invite"});
    CHECK(d.calls[0].args == json{{"name", "inc-7-db-down"}, {"is_private", false}});
    REQUIRE(d.saved.size() == 1);
    CHECK(d.saved[0] == std::pair<std::string, std::string>{"C0NEW", "inc-7-db-down"});
    CHECK(d.calls[1].args == json{{"channel", "C0NEW"}, {"users", "U1,U2"}});
}

TEST_CASE("create_channel: a taken name warroom made itself is adopted, not made twice") {
    auto inc = incident_with_channel("");
    auto j = job(action_kind::create_channel);
    workspace_cache ws;
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.create") return err("name_taken");
        if (c.method == "auth.test") return ok({{"user_id", "UBOT"}});
        if (c.method == "conversations.list")
            return ok(channel_list({{"general", "C0GEN", "UADMIN"}, {"inc-7-db-down", "C0MINE", "UBOT"}}));
        return ok();
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    CHECK(o.channel_id == "C0MINE");
    CHECK(o.channel_name == "inc-7-db-down");
    CHECK(d.methods() == std::vector<std::string>{"conversations.create", "auth.test", "conversations.list"});
    CHECK(d.saved == std::vector<std::pair<std::string, std::string>>{{"C0MINE", "inc-7-db-down"}});
    CHECK(ws.bot_user == "UBOT");
    CHECK(ws.channel_ids.at("general") == "C0GEN");
}

TEST_CASE("create_channel: a name someone else took gets -2, without asking who warroom is twice") {
    auto inc = incident_with_channel("");
    auto j = job(action_kind::create_channel);
    workspace_cache ws;
    ws.bot_user = "UBOT";
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.create")
            return c.args["name"] == "inc-7-db-down" ? err("name_taken")
                                                     : ok({{"channel", {{"id", "C0TWO"}, {"name", c.args["name"]}}}});
        if (c.method == "conversations.list") return ok(channel_list({{"inc-7-db-down", "C0HAND", "UHUMAN"}}));
        return ok();
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    CHECK(o.channel_id == "C0TWO");
    CHECK(o.channel_name == "inc-7-db-down-2");
    CHECK(d.methods() == std::vector<std::string>{"conversations.create", "conversations.list", "conversations.create"});
    CHECK(d.calls[2].args["name"] == "inc-7-db-down-2");
}

TEST_CASE("create_channel: the channel list is read page by page") {
    auto inc = incident_with_channel("");
    workspace_cache ws;
    ws.bot_user = "UBOT";
    outbox_plan plan(job(action_kind::create_channel), &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.create") return err("name_taken");
        if (c.method == "conversations.list" && !c.args.contains("cursor"))
            return ok(channel_list({{"general", "C0GEN", "U1"}}, "page2"));
        if (c.method == "conversations.list") return ok(channel_list({{"inc-7-db-down", "C0MINE", "UBOT"}}));
        return ok();
    };
    auto o = d.run(plan);
    CHECK(o.channel_id == "C0MINE");
    REQUIRE(d.calls.size() == 3);
    CHECK(d.calls[2].args["cursor"] == "page2");
}

TEST_CASE("create_channel: when every name up to -50 is taken by others, the action is dead") {
    auto inc = incident_with_channel("");
    workspace_cache ws;
    ws.bot_user = "UBOT";
    outbox_plan plan(job(action_kind::create_channel), &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.create") return err("name_taken");
        return ok(channel_list({}));
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::dead);
    CHECK(o.error == "no free channel name");
    CHECK(d.calls.size() == 100);
    CHECK(d.calls[98].args["name"] == "inc-7-db-down-50");
    CHECK(d.saved.empty());
}

TEST_CASE("create_channel: a failed lookup of who made the taken name is that failure, nothing created") {
    auto inc = incident_with_channel("");
    workspace_cache ws;
    SECTION("auth.test answers nothing: retried later") {
        outbox_plan plan(job(action_kind::create_channel), &inc, ws);
        driver d;
        d.slack = [](const call& c) { return c.method == "auth.test" ? no_answer() : err("name_taken"); };
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::retry);
        CHECK(o.channel_id.empty());
        CHECK(d.saved.empty());
    }
    SECTION("conversations.list is refused: dead") {
        ws.bot_user = "UBOT";
        outbox_plan plan(job(action_kind::create_channel), &inc, ws);
        driver d;
        d.slack = [](const call& c) { return c.method == "conversations.list" ? err("missing_scope") : err("name_taken"); };
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::dead);
        CHECK(o.error == "missing_scope");
        CHECK(d.methods() == std::vector<std::string>{"conversations.create", "conversations.list"});
    }
}

TEST_CASE("create_channel: other refusals, a missing incident, and a channel it already has") {
    workspace_cache ws;
    SECTION("a create refused for another reason is that failure") {
        auto inc = incident_with_channel("");
        outbox_plan plan(job(action_kind::create_channel), &inc, ws);
        driver d;
        d.slack = [](const call&) { return err("restricted_action"); };
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::dead);
        CHECK(o.error == "restricted_action");
    }
    SECTION("no incident: dead without a call") {
        outbox_plan plan(job(action_kind::create_channel), nullptr, ws);
        CHECK(plan.finished());
        CHECK(plan.step().outcome.result == outbox_outcome::dead);
        CHECK(plan.step().outcome.error == "incident not found");
    }
    SECTION("a retry after the channel was saved only invites, and reports no new channel") {
        auto inc = incident_with_channel("C0INC");
        auto j = job(action_kind::create_channel);
        j.act.users = {"U1"};
        outbox_plan plan(j, &inc, ws);
        driver d;
        d.slack = [](const call&) { return ok(); };
        auto o = d.run(plan);
        CHECK(d.methods() == std::vector<std::string>{"conversations.invite"});
        CHECK(o.channel_id.empty());
    }
    SECTION("an invite that fails after the create still reports the channel, so it is recorded") {
        auto inc = incident_with_channel("");
        auto j = job(action_kind::create_channel);
        j.act.users = {"U1"};
        outbox_plan plan(j, &inc, ws);
        driver d;
        d.slack = [](const call& c) {
            if (c.method == "conversations.create") return ok({{"channel", {{"id", "C0NEW"}, {"name", "inc-7-db-down"}}}});
            return err("internal_error");
        };
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::retry);
        CHECK(o.channel_id == "C0NEW");
    }
}

TEST_CASE("invite: one call for everyone, duplicates and blanks left out") {
    auto inc = incident_with_channel();
    auto j = job(action_kind::invite);
    j.act.users = {"U1", "", "U2", "U1"};
    workspace_cache ws;
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call&) { return ok(); };
    CHECK(d.run(plan).result == outbox_outcome::delivered);
    REQUIRE(d.calls.size() == 1);
    CHECK(d.calls[0].args == json{{"channel", "C0INC"}, {"users", "U1,U2"}});
}

TEST_CASE("invite: a list refused for one user is invited one by one, user errors only warn") {
    auto inc = incident_with_channel();
    auto j = job(action_kind::invite);
    j.act.users = {"U1", "UGONE", "UBOT", "U2"};
    workspace_cache ws;
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        std::string users = c.args["users"];
        if (users.find(',') != std::string::npos) return err("user_not_found");
        if (users == "UGONE") return err("user_not_found");
        if (users == "UBOT") return err("cant_invite_self");
        if (users == "U1") return err("already_in_channel");
        return ok();
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    REQUIRE(d.calls.size() == 5);
    CHECK(d.calls[1].args["users"] == "U1");
    CHECK(d.calls[4].args["users"] == "U2");
    CHECK(d.warned("could not invite UGONE"));
    CHECK_FALSE(d.warned("UBOT"));
    CHECK_FALSE(d.warned("U1 "));
}

TEST_CASE("invite: a failure of the call itself ends it, even one by one") {
    auto inc = incident_with_channel();
    auto j = job(action_kind::invite);
    j.act.users = {"U1", "U2", "U3"};
    workspace_cache ws;
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        std::string users = c.args["users"];
        if (users.find(',') != std::string::npos) return err("cant_invite");
        return users == "U2" ? no_answer() : ok();
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::retry);
    CHECK(d.calls.size() == 3);  // the list, U1, U2; not U3
}

TEST_CASE("invite and set_topic need the incident's channel") {
    workspace_cache ws;
    auto inc = incident_with_channel("");
    for (auto kind : {action_kind::invite, action_kind::set_topic}) {
        outbox_plan plan(job(kind), &inc, ws);
        CHECK(plan.step().outcome.result == outbox_outcome::dead);
        CHECK(plan.step().outcome.error == "the incident channel was never created");
        outbox_plan none(job(kind), nullptr, ws);
        CHECK(none.step().outcome.result == outbox_outcome::dead);
    }
}

TEST_CASE("set_topic: joins the channel when not in it, then tries once more") {
    auto inc = incident_with_channel();
    auto j = job(action_kind::set_topic);
    j.act.topic = "SEV1 | investigating";
    workspace_cache ws;
    int tries = 0;
    driver d;
    SECTION("the second try works") {
        d.slack = [&](const call& c) { return c.method == "conversations.setTopic" && tries++ == 0 ? err("not_in_channel") : ok(); };
        outbox_plan plan(j, &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        CHECK(d.methods() ==
              std::vector<std::string>{"conversations.setTopic", "conversations.join", "conversations.setTopic"});
        CHECK(d.calls[2].args == json{{"channel", "C0INC"}, {"topic", "SEV1 | investigating"}});
    }
    SECTION("still not in it: one join only, the refusal is the outcome") {
        d.slack = [&](const call& c) { return c.method == "conversations.setTopic" ? err("not_in_channel") : err("method_not_supported_for_channel_type"); };
        outbox_plan plan(j, &inc, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::dead);
        CHECK(o.error == "not_in_channel");
        CHECK(d.calls.size() == 3);
    }
}

TEST_CASE("post: to the incident channel, links not unfurled") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    outbox_plan plan(post_job(), &inc, ws);
    driver d;
    d.slack = [](const call&) { return ok({{"ts", "1.1"}}); };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    REQUIRE(d.calls.size() == 1);
    CHECK(d.calls[0].args["channel"] == "C0INC");
    CHECK(d.calls[0].args["text"] == "hello");
    CHECK(d.calls[0].args["unfurl_links"] == false);
    CHECK(o.posted_ts.empty());
    CHECK(o.summary_ts.empty());
}

TEST_CASE("post: a configured channel name is looked up once, then served from the cache") {
    workspace_cache ws;
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.list") return ok(channel_list({{"leadership", "C0LEAD", "U1"}, {"ops", "C0OPS", "U1"}}));
        return ok({{"ts", "1.1"}});
    };
    outbox_plan first(post_job("#leadership"), nullptr, ws);
    d.run(first);
    outbox_plan second(post_job("ops"), nullptr, ws);
    d.run(second);
    CHECK(d.methods() == std::vector<std::string>{"conversations.list", "chat.postMessage", "chat.postMessage"});
    CHECK(d.calls[1].args["channel"] == "C0LEAD");
    CHECK(d.calls[2].args["channel"] == "C0OPS");
}

TEST_CASE("post: a channel ID is used as it is, an unknown name or a failed lookup is not posted") {
    workspace_cache ws;
    driver d;
    SECTION("ID") {
        d.slack = [](const call&) { return ok(); };
        outbox_plan plan(post_job("C0ABC123"), nullptr, ws);
        d.run(plan);
        CHECK(d.methods() == std::vector<std::string>{"chat.postMessage"});
        CHECK(d.calls[0].args["channel"] == "C0ABC123");
    }
    SECTION("no such channel: dead") {
        d.slack = [](const call&) { return ok(channel_list({{"general", "C0GEN", "U1"}})); };
        outbox_plan plan(post_job("leadership"), nullptr, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::dead);
        CHECK(o.error == "channel_not_found: no channel named #leadership");
    }
    SECTION("the list fails: retried") {
        d.slack = [](const call&) { return err("internal_error"); };
        outbox_plan plan(post_job("leadership"), nullptr, ws);
        CHECK(d.run(plan).result == outbox_outcome::retry);
        CHECK(d.methods() == std::vector<std::string>{"conversations.list"});
    }
    SECTION("no incident channel: dead") {
        auto inc = incident_with_channel("");
        outbox_plan plan(post_job(), &inc, ws);
        CHECK(plan.step().outcome.error == "the incident channel was never created");
    }
}

TEST_CASE("post: a channel that is gone drops its cached ID, so the next post looks it up again") {
    workspace_cache ws;
    ws.channel_ids = {{"leadership", "C0OLD"}, {"ops", "C0OPS"}};
    outbox_plan plan(post_job("leadership"), nullptr, ws);
    driver d;
    d.slack = [](const call&) { return err("channel_not_found"); };
    CHECK(d.run(plan).result == outbox_outcome::dead);
    CHECK_FALSE(ws.channel_ids.count("leadership"));
    CHECK(ws.channel_ids.count("ops"));
}

TEST_CASE("post: joins a channel it is not in, then posts again") {
    workspace_cache ws;
    ws.channel_ids["ops"] = "C0OPS";
    int posts = 0;
    outbox_plan plan(post_job("ops"), nullptr, ws);
    driver d;
    d.slack = [&](const call& c) { return c.method == "chat.postMessage" && posts++ == 0 ? err("not_in_channel") : ok(); };
    CHECK(d.run(plan).result == outbox_outcome::delivered);
    CHECK(d.methods() == std::vector<std::string>{"chat.postMessage", "conversations.join", "chat.postMessage"});
    CHECK(d.calls[1].args == json{{"channel", "C0OPS"}});
}

TEST_CASE("post: blocks Slack refuses are dropped and the text goes alone, with a warning") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    for (std::string refusal : {"invalid_blocks", "msg_blocks_too_long"}) {
        outbox_plan plan(post_job("", some_blocks), &inc, ws);
        driver d;
        d.slack = [&](const call& c) { return c.args.contains("blocks") ? err(refusal) : ok(); };
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        REQUIRE(d.calls.size() == 2);
        CHECK(d.calls[0].args.contains("blocks"));
        CHECK_FALSE(d.calls[1].args.contains("blocks"));
        CHECK(d.calls[1].args["text"] == "hello");
        CHECK(d.warned("blocks refused (" + refusal + ")"));
    }
    SECTION("a text-only post that is refused is not sent again") {
        outbox_plan plan(post_job(), &inc, ws);
        driver d;
        d.slack = [](const call&) { return err("invalid_blocks"); };
        CHECK(d.run(plan).result == outbox_outcome::dead);
        CHECK(d.calls.size() == 1);
    }
}

TEST_CASE("post: a pinned summary is pinned and its ts recorded, a failed pin still delivers") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    auto j = post_job();
    j.act.pin = true;
    driver d;
    SECTION("pinned") {
        d.slack = [](const call& c) { return c.method == "chat.postMessage" ? ok({{"ts", "9.9"}, {"channel", "C0INC"}}) : ok(); };
        outbox_plan plan(j, &inc, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::delivered);
        CHECK(o.summary_ts == "9.9");
        CHECK(d.methods() == std::vector<std::string>{"chat.postMessage", "pins.add"});
        CHECK(d.calls[1].args == json{{"channel", "C0INC"}, {"timestamp", "9.9"}});
        CHECK(d.notes.empty());
    }
    SECTION("the pin fails") {
        d.slack = [](const call& c) { return c.method == "chat.postMessage" ? ok({{"ts", "9.9"}}) : err("no_permission"); };
        outbox_plan plan(j, &inc, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::delivered);
        CHECK(o.summary_ts == "9.9");
        CHECK(d.warned("could not pin: no_permission"));
    }
    SECTION("already pinned is no warning") {
        d.slack = [](const call& c) { return c.method == "chat.postMessage" ? ok({{"ts", "9.9"}}) : err("already_pinned"); };
        outbox_plan plan(j, &inc, ws);
        d.run(plan);
        CHECK(d.notes.empty());
    }
    SECTION("pinned elsewhere than the incident channel: not the incident's summary") {
        d.slack = [](const call& c) { return c.method == "chat.postMessage" ? ok({{"ts", "9.9"}}) : ok(); };
        auto elsewhere = post_job("C0OPS");
        elsewhere.act.pin = true;
        outbox_plan plan(elsewhere, &inc, ws);
        auto o = d.run(plan);
        CHECK(o.summary_ts.empty());
        CHECK(d.methods().back() == "pins.add");
    }
}

TEST_CASE("post in parts: the head's ts is recorded, later parts go in its thread") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    driver d;
    d.slack = [](const call&) { return ok({{"ts", "5.5"}}); };
    auto head = post_job();
    head.id = 50;
    head.thread_head = true;
    outbox_plan first(head, &inc, ws);
    auto o = d.run(first);
    CHECK(o.posted_ts == "5.5");
    CHECK(ws.thread_ts.at(50) == "5.5");

    auto part = post_job();
    part.id = 51;
    part.thread_of = 50;
    outbox_plan second(part, &inc, ws);
    d.run(second);
    CHECK(d.heads_asked.empty());  // known from the head's delivery
    CHECK(d.calls.back().args["thread_ts"] == "5.5");
}

TEST_CASE("post in parts: a head not known here is looked up, unknown waits, never posted goes to the channel") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    auto part = post_job();
    part.thread_of = 50;
    driver d;
    d.slack = [](const call&) { return ok({{"ts", "6.6"}}); };
    SECTION("posted earlier: in its thread") {
        d.head_ts = "5.5";
        outbox_plan plan(part, &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        CHECK(d.heads_asked == std::vector<std::int64_t>{50});
        CHECK(d.calls[0].args["thread_ts"] == "5.5");
    }
    SECTION("not delivered yet: retried, nothing posted") {
        d.head_ts.reset();
        outbox_plan plan(part, &inc, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::retry);
        CHECK(o.error == "waiting for the first part (outbox #50)");
        CHECK(d.calls.empty());
    }
    SECTION("never reached Slack: posted to the channel itself") {
        d.head_ts = "";
        outbox_plan plan(part, &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        CHECK_FALSE(d.calls[0].args.contains("thread_ts"));
    }
}

TEST_CASE("post: failures are classified: no answer retries, a 429 says when, a refusal is dead") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    driver d;
    SECTION("no answer") {
        d.slack = [](const call&) { return no_answer(); };
        outbox_plan plan(post_job(), &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::retry);
    }
    SECTION("429") {
        d.slack = [](const call&) {
            auto r = err("ratelimited");
            r.retry_after = std::chrono::seconds(7);
            return r;
        };
        outbox_plan plan(post_job(), &inc, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::retry);
        CHECK(o.retry_after == std::chrono::seconds(7));
    }
    SECTION("paced: not sent") {
        d.slack = [](const call&) {
            api_result r;
            r.error = "ratelimited";
            r.paced = true;
            r.retry_after = std::chrono::seconds(2);
            return r;
        };
        outbox_plan plan(post_job(), &inc, ws);
        auto o = d.run(plan);
        CHECK(o.paced);
        CHECK(o.result == outbox_outcome::retry);
    }
    SECTION("refused") {
        d.slack = [](const call&) { return err("is_archived"); };
        outbox_plan plan(post_job(), &inc, ws);
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::dead);
        CHECK(o.error == "is_archived");
    }
}

TEST_CASE("update_summary: edits the pinned summary, text alone when the blocks are refused") {
    auto inc = incident_with_channel();
    inc.summary_ts = "9.9";
    auto j = job(action_kind::update_summary);
    j.act.body.text = "new summary";
    j.act.body.blocks_json = some_blocks;
    workspace_cache ws;
    driver d;
    SECTION("edited") {
        d.slack = [](const call&) { return ok(); };
        outbox_plan plan(j, &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        REQUIRE(d.calls.size() == 1);
        CHECK(d.calls[0].method == "chat.update");
        CHECK(d.calls[0].args["ts"] == "9.9");
        CHECK(d.calls[0].args["channel"] == "C0INC");
    }
    SECTION("blocks refused") {
        d.slack = [](const call& c) { return c.args["blocks"].empty() ? ok() : err("invalid_blocks"); };
        outbox_plan plan(j, &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        REQUIRE(d.calls.size() == 2);
        CHECK(d.calls[1].args["blocks"] == json::array());
        CHECK(d.warned("blocks refused (invalid_blocks)"));
    }
    SECTION("the summary is gone: dead") {
        d.slack = [](const call&) { return err("message_not_found"); };
        outbox_plan plan(j, &inc, ws);
        CHECK(d.run(plan).result == outbox_outcome::dead);
        CHECK(d.calls.size() == 1);
    }
}

TEST_CASE("update_summary: skipped when no summary is known, dead when there is no channel") {
    workspace_cache ws;
    auto j = job(action_kind::update_summary);
    SECTION("no summary") {
        auto inc = incident_with_channel();
        outbox_plan plan(j, &inc, ws);
        REQUIRE(plan.finished());
        CHECK(plan.step().outcome.result == outbox_outcome::delivered);
        auto notes = plan.take_notes();
        REQUIRE(notes.size() == 1);
        CHECK(notes[0].level == plan_note::info);
        CHECK(notes[0].text.find("no pinned summary") != std::string::npos);
        CHECK(plan.take_notes().empty());
    }
    SECTION("no incident") {
        outbox_plan plan(j, nullptr, ws);
        CHECK(plan.step().outcome.result == outbox_outcome::delivered);
    }
    SECTION("no channel") {
        auto inc = incident_with_channel("");
        inc.summary_ts = "9.9";
        outbox_plan plan(j, &inc, ws);
        CHECK(plan.step().outcome.result == outbox_outcome::dead);
        CHECK(plan.step().outcome.error == "the incident channel was never created");
    }
}

namespace {

outbox_job dm_job(std::string user = "W2") {
    auto j = job(action_kind::direct_message);
    j.act.users = {std::move(user)};
    j.act.body.text = "your follow-up F-1 is due today";
    return j;
}

}  // namespace

TEST_CASE("a direct message opens the conversation with the person, then posts to it") {
    workspace_cache ws;
    auto inc = incident_with_channel();
    outbox_plan plan(dm_job(), &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.open") return ok({{"channel", {{"id", "D024BE91L"}}}});
        return ok({{"ts", "1.2"}, {"channel", "D024BE91L"}});
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    REQUIRE(d.methods() == std::vector<std::string>{"conversations.open", "chat.postMessage"});
    CHECK(d.calls[0].args["users"] == "W2");
    CHECK(d.calls[1].args["channel"] == "D024BE91L");
    CHECK(d.calls[1].args["text"] == "your follow-up F-1 is due today");
}

TEST_CASE("without im:write a direct message is skipped, said once, and later ones call nothing") {
    workspace_cache ws;
    auto inc = incident_with_channel();
    driver d;
    d.slack = [](const call&) { return err("missing_scope"); };
    outbox_plan first(dm_job(), &inc, ws);
    auto o = d.run(first);
    // Not a dead letter, not retried: the reminder reached the incident's channel already.
    CHECK(o.result == outbox_outcome::delivered);
    CHECK(d.warned("im:write"));
    CHECK(d.methods() == std::vector<std::string>{"conversations.open"});

    driver again;
    again.slack = [](const call&) { return err("missing_scope"); };
    outbox_plan second(dm_job("W3"), &inc, ws);
    CHECK(again.run(second).result == outbox_outcome::delivered);
    CHECK(again.calls.empty());
    CHECK(again.notes.empty());
    // Posts to channels are not affected.
    driver post;
    post.slack = [](const call&) { return ok({{"ts", "1.3"}}); };
    outbox_plan channel_post(post_job(), &inc, ws);
    CHECK(post.run(channel_post).result == outbox_outcome::delivered);
    CHECK(post.methods() == std::vector<std::string>{"chat.postMessage"});
}

TEST_CASE("a direct message to an unknown user is a dead letter, a timeout is retried") {
    workspace_cache ws;
    auto inc = incident_with_channel();
    driver gone;
    gone.slack = [](const call&) { return err("user_not_found"); };
    outbox_plan plan(dm_job(), &inc, ws);
    CHECK(gone.run(plan).result == outbox_outcome::dead);
    driver slow;
    slow.slack = [](const call&) { return no_answer(); };
    outbox_plan retry(dm_job(), &inc, ws);
    CHECK(slow.run(retry).result == outbox_outcome::retry);
    CHECK_FALSE(ws.no_direct_messages);
}

// --- private channels, archive and unarchive ----------------------------------------

TEST_CASE("create_channel: a private incident's channel is created private") {
    auto inc = incident_with_channel("");
    inc.is_private = true;
    auto j = job(action_kind::create_channel);
    j.act.users = {"U1"};
    workspace_cache ws;
    outbox_plan plan(j, &inc, ws);
    driver d;
    d.slack = [](const call& c) {
        if (c.method == "conversations.create") return ok({{"channel", {{"id", "G0NEW"}, {"name", c.args["name"]}}}});
        return ok();
    };
    auto o = d.run(plan);
    CHECK(o.result == outbox_outcome::delivered);
    CHECK(o.channel_id == "G0NEW");
    CHECK(d.calls[0].args == json{{"name", "inc-7-db-down"}, {"is_private", true}});
    // A taken name gets its -2 private too.
    auto again = incident_with_channel("");
    again.is_private = true;
    workspace_cache ws2;
    ws2.bot_user = "UBOT";
    outbox_plan taken(job(action_kind::create_channel), &again, ws2);
    driver d2;
    d2.slack = [](const call& c) {
        if (c.method == "conversations.create" && c.args["name"] == "inc-7-db-down") return err("name_taken");
        if (c.method == "conversations.create") return ok({{"channel", {{"id", "G0TWO"}, {"name", c.args["name"]}}}});
        if (c.method == "conversations.list") return ok(channel_list({{"inc-7-db-down", "C0X", "USOMEONE"}}));
        return ok();
    };
    CHECK(d2.run(taken).result == outbox_outcome::delivered);
    CHECK(d2.calls.back().method == "conversations.create");
    CHECK(d2.calls.back().args == json{{"name", "inc-7-db-down-2"}, {"is_private", true}});
}

TEST_CASE("archive_channel and unarchive_channel: one call on the incident's channel") {
    auto inc = incident_with_channel();
    for (auto [kind, method] : {std::pair{action_kind::archive_channel, "conversations.archive"},
                                std::pair{action_kind::unarchive_channel, "conversations.unarchive"}}) {
        INFO(method);
        workspace_cache ws;
        outbox_plan plan(job(kind), &inc, ws);
        driver d;
        d.slack = [](const call&) { return ok(); };
        CHECK(d.run(plan).result == outbox_outcome::delivered);
        CHECK(d.methods() == std::vector<std::string>{method});
        CHECK(d.calls[0].args == json{{"channel", "C0INC"}});
    }
}

TEST_CASE("archive_channel: already archived is done, a channel never created or the general one is dead") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    {
        outbox_plan plan(job(action_kind::archive_channel), &inc, ws);
        driver d;
        d.slack = [](const call&) { return err("already_archived"); };
        CHECK(d.run(plan).result == outbox_outcome::delivered);
    }
    {
        outbox_plan plan(job(action_kind::unarchive_channel), &inc, ws);
        driver d;
        d.slack = [](const call&) { return err("not_archived"); };
        CHECK(d.run(plan).result == outbox_outcome::delivered);
    }
    {
        // The other's "goal met" is a real failure here.
        outbox_plan plan(job(action_kind::unarchive_channel), &inc, ws);
        driver d;
        d.slack = [](const call&) { return err("already_archived"); };
        CHECK(d.run(plan).result == outbox_outcome::dead);
    }
    {
        outbox_plan plan(job(action_kind::archive_channel), &inc, ws);
        driver d;
        d.slack = [](const call&) { return err("cant_archive_general"); };
        auto o = d.run(plan);
        CHECK(o.result == outbox_outcome::dead);
        CHECK(o.error == "cant_archive_general");
    }
    {
        outbox_plan plan(job(action_kind::archive_channel), &inc, ws);
        driver d;
        d.slack = [](const call&) { return no_answer(); };
        CHECK(d.run(plan).result == outbox_outcome::retry);
    }
    auto none = incident_with_channel("");
    for (auto kind : {action_kind::archive_channel, action_kind::unarchive_channel}) {
        outbox_plan plan(job(kind), &none, ws);
        CHECK(plan.step().outcome.result == outbox_outcome::dead);
        CHECK(plan.step().outcome.error == "the incident channel was never created");
    }
}

TEST_CASE("archive_channel: joins a public channel it was removed from, never a private one") {
    auto inc = incident_with_channel();
    workspace_cache ws;
    outbox_plan plan(job(action_kind::archive_channel), &inc, ws);
    driver d;
    int archives = 0;
    d.slack = [&](const call& c) {
        if (c.method == "conversations.archive" && archives++ == 0) return err("not_in_channel");
        return ok();
    };
    CHECK(d.run(plan).result == outbox_outcome::delivered);
    CHECK(d.methods() == std::vector<std::string>{"conversations.archive", "conversations.join", "conversations.archive"});

    inc.is_private = true;
    outbox_plan secret(job(action_kind::archive_channel), &inc, ws);
    driver d2;
    d2.slack = [](const call&) { return err("not_in_channel"); };
    CHECK(d2.run(secret).result == outbox_outcome::dead);
    CHECK(d2.methods() == std::vector<std::string>{"conversations.archive"});
}
