// The one client for every outgoing Slack Web API call: JSON bodies, the bot
// token in the Authorization header only, results as values.
#pragma once

#include "bot/net/async.hpp"
#include "bot/net/http_client.hpp"
#include "bot/slack/api_result.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace warroom::slack {

class web_client {
public:
    // Throws std::invalid_argument for a base URL that is not http(s).
    web_client(net::executor ex, boost::asio::ssl::context& tls, const std::string& base_url,
               std::string token);

    net::task<api_result> call(std::string_view method, const nlohmann::json& args);
    // Replies to a slash command or action later, through its response_url.
    net::task<api_result> respond(const std::string& response_url, const nlohmann::json& message);
    // For the stop: every call in flight ends now (a network error, maybe
    // delivered), and later ones fail at once.
    void cancel();

private:
    net::executor ex_;
    boost::asio::ssl::context& tls_;
    std::string token_;
    net::http_client api_;
    std::map<std::string, std::unique_ptr<net::http_client>> hooks_;  // response_url hosts
    bool cancelled_ = false;
};

}  // namespace warroom::slack
