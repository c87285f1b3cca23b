// Publishing to Atlassian Statuspage: the [statuspage_api] config, the request
// shapes (the fake Statuspage checks them in depth: test_fake_statuspage.py),
// what its answers mean, and the stored link to Statuspage's incident.
#include "bot/statuspage_api/publish_config.hpp"
#include "bot/statuspage_api/requests.hpp"
#include "storage/database.hpp"
#include "storage/statuspage_links.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace warroom;
using Catch::Matchers::Contains;
using json = nlohmann::json;

namespace {

statuspage_api::publish_settings settings() {
    statuspage_api::publish_settings s;
    s.enabled = true;
    s.page_id = "kctbh9vrtdwd";
    s.api_key = "sekrit";
    s.components = {{"Checkout", "8kbf7d35c070"}, {"API", "vtcmpapi0001"}};
    return s;
}

statuspage_api::publish_incident incident() {
    statuspage_api::publish_incident i;
    i.key = statuspage_api::incident_key("acme", "k3j2h1g0f9e8");
    i.name = "Checkout is slow";
    i.impact = statuspage::impact::major;
    i.body = "We are investigating.";
    i.components = {{"Checkout", statuspage::component_status::degraded_performance},
                    {"Search", statuspage::component_status::major_outage}};
    return i;
}

std::string header(const paging::http_request& r, std::string_view name) {
    const auto* h = r.header(name);
    return h ? *h : "";
}

}  // namespace

TEST_CASE("statuspage: create carries our key in its metadata and only mapped components") {
    auto r = statuspage_api::create_incident(settings(), incident());
    CHECK(r.method == "POST");
    CHECK(r.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents");
    CHECK(header(r, "Authorization") == "OAuth sekrit");
    auto b = json::parse(r.body)["incident"];
    CHECK(b["name"] == "Checkout is slow");
    CHECK(b["status"] == "investigating");
    CHECK(b["impact_override"] == "major");
    CHECK(b["body"] == "We are investigating.");
    CHECK(b["deliver_notifications"] == true);
    CHECK(b["metadata"] == json{{"warroom", {{"key", "acme.k3j2h1g0f9e8"}}}});
    CHECK(b["components"] == json{{"8kbf7d35c070", "degraded_performance"}});  // Search has no id: left out
    CHECK(b["component_ids"] == json::array({"8kbf7d35c070"}));
}

TEST_CASE("statuspage: updates patch the incident, resolving sets its components back to operational") {
    auto i = incident();
    i.status = statuspage::public_status::identified;
    auto r = statuspage_api::update_incident(settings(), "p31zjtct2jer", i);
    CHECK(r.method == "PATCH");
    CHECK(r.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents/p31zjtct2jer");
    auto b = json::parse(r.body)["incident"];
    CHECK(b["status"] == "identified");
    CHECK_FALSE(b.contains("metadata"));
    i.status = statuspage::public_status::resolved;
    i.body.clear();
    b = json::parse(statuspage_api::update_incident(settings(), "p31zjtct2jer", i).body)["incident"];
    CHECK(b["status"] == "resolved");
    CHECK(b["components"] == json{{"8kbf7d35c070", "operational"}});
    CHECK_FALSE(b.contains("body"));

    auto c = statuspage_api::set_component(settings(), "8kbf7d35c070", statuspage::component_status::partial_outage);
    CHECK(c.method == "PATCH");
    CHECK(c.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/components/8kbf7d35c070");
    CHECK(json::parse(c.body) == json{{"component", {{"status", "partial_outage"}}}});
}

TEST_CASE("statuspage: a long name is cut to 255 characters on a character boundary") {
    auto i = incident();
    i.name.clear();
    for (int k = 0; k < 300; ++k) i.name += "é";
    auto name = json::parse(statuspage_api::create_incident(settings(), i).body)["incident"]["name"].get<std::string>();
    CHECK(name.size() == 510);  // 255 two-byte characters
}

TEST_CASE("statuspage: the created id, and our incident found again by its key") {
    CHECK(statuspage_api::incident_id(R"({"id":"p31zjtct2jer","name":"x"})") == "p31zjtct2jer");
    CHECK_FALSE(statuspage_api::incident_id("<html>").has_value());
    CHECK_FALSE(statuspage_api::incident_id(R"({"id":""})").has_value());
    std::string list = R"([{"id":"aaa","metadata":{}},{"id":"bbb","metadata":{"warroom":{"key":"acme.k3"}}},
                          {"id":"ccc","metadata":{"warroom":{"key":"other.k3"}}}])";
    CHECK(statuspage_api::find_by_key(list, "acme.k3") == "bbb");
    CHECK_FALSE(statuspage_api::find_by_key(list, "acme.k4").has_value());
    CHECK_FALSE(statuspage_api::find_by_key("{}", "acme.k3").has_value());
}

TEST_CASE("statuspage: 420/429/5xx and no answer retry, other 4xx are dead with Statuspage's words") {
    using paging::page_result;
    CHECK(statuspage_api::classify({201, "{}", "", ""}).kind == page_result::delivered);
    auto limited = statuspage_api::classify({429, R"({"error":"Rate limit exceeded"})", "2", ""});
    CHECK(limited.kind == page_result::retry);
    CHECK(limited.retry_after == std::chrono::seconds(2));
    CHECK(statuspage_api::classify({420, "", "", ""}).kind == page_result::retry);
    CHECK(statuspage_api::classify({503, "<html>", "", ""}).kind == page_result::retry);
    CHECK(statuspage_api::classify({0, "", "", "timeout"}).kind == page_result::retry);
    auto unauth = statuspage_api::classify({401, R"({"error":"Could not authenticate"})", "", ""});
    CHECK(unauth.kind == page_result::dead);
    CHECK(unauth.error == "401 Could not authenticate");
    auto refused = statuspage_api::classify({422, R"({"error":["Name can't be blank","Status is not included"]})", "", ""});
    CHECK(refused.kind == page_result::dead);
    CHECK(refused.error == "422 Name can't be blank; Status is not included");
    CHECK(statuspage_api::classify({404, R"({"error":"Not found"})", "", ""}).kind == page_result::dead);
}

TEST_CASE("[statuspage_api]: parsed, mapped to our components, key from the environment") {
    std::string toml = R"([statuspage_api]
page_id = "kctbh9vrtdwd"
api_key_env = "STATUSPAGE_API_KEY"
base_url = "http://127.0.0.1:9999/"
[statuspage_api.components]
"Checkout" = "8kbf7d35c070"
)";
    std::vector<std::string> ours{"Checkout", "Search"};
    auto s = statuspage_api::load_publish(toml, "team.toml", ours, [](const std::string&) { return std::nullopt; });
    CHECK(s.enabled);
    CHECK(s.base_url == "http://127.0.0.1:9999");
    CHECK(s.components.at("Checkout") == "8kbf7d35c070");
    auto w = statuspage_api::warnings(s, ours);
    REQUIRE(w.size() == 2);
    CHECK(w[0] == "STATUSPAGE_API_KEY is not set: nothing can be published to Statuspage page kctbh9vrtdwd");
    CHECK_THAT(w[1], Contains("\"Search\" has no Statuspage id"));
    CHECK_THAT(statuspage_api::describe(s), Contains("api_key_env = \"STATUSPAGE_API_KEY\"  # NOT SET"));

    auto error = [&](const std::string& text) -> std::string {
        try {
            statuspage_api::parse_publish(text, "team.toml", ours);
        } catch (const statuspage_api::publish_config_error& e) {
            return e.what();
        }
        return "";
    };
    CHECK_THAT(error("[statuspage_api]\napi_key_env = \"K\"\n"), Contains("statuspage_api.page_id: expected"));
    CHECK_THAT(error("[statuspage_api]\npage_id = \"p\"\napi_key_env = \"sk_live_123\"\n"), Contains("not the key itself"));
    CHECK_THAT(error("[statuspage_api]\npage_id = \"p\"\napi_key_env = \"K\"\n[statuspage_api.components]\nCheckuot = \"x\"\n"),
               Contains("statuspage_api.components.Checkuot: expected the name of one of our [[components]]"));
    CHECK_FALSE(statuspage_api::parse_publish("", "team.toml", ours).enabled);
}

TEST_CASE("statuspage links: a create marked sent survives a reopen, the id recorded after it") {
    auto path = std::filesystem::temp_directory_path() / "warroom-statuspage-links.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    auto t0 = commands::time_point{std::chrono::seconds{1'796'000'000}};
    {
        storage::database db(path.string());
        for (int n : {7, 8})
            db.execute("INSERT INTO incidents (number, title, severity, status, declared_by, channel_name, declared_at, "
                          "update_clock_from) VALUES (" + std::to_string(n) + ", 't', 'P1', 'investigating', 'U1', 'c', 0, 0)");
        storage::statuspage_links links(db);
        CHECK_FALSE(links.find(7).has_value());
        links.mark_create_sent(7, 41, t0);
    }
    {
        // After a crash: no id, but a create went out, so the sender must look before creating.
        storage::database db(path.string());
        storage::statuspage_links links(db);
        auto l = links.find(7);
        REQUIRE(l);
        CHECK(l->statuspage_id.empty());
        CHECK(l->create_sent_at == t0);
        CHECK(l->create_entry == 41);
        links.record_id(7, "p31zjtct2jer", t0 + std::chrono::seconds(1));
        CHECK(links.find(7)->statuspage_id == "p31zjtct2jer");
        links.record_id(8, "zzz", t0);
        CHECK(links.find(8)->statuspage_id == "zzz");
        CHECK_FALSE(links.find(8)->create_sent_at.has_value());
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}
