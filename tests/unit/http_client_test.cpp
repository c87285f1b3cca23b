// The outgoing HTTP client under concurrent callers: the delivery worker,
// interaction answers and event intake all call Slack at the same moment.
#include "bot/net/http_client.hpp"
#include "bot/net/http_server.hpp"
#include "bot/net/stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace warroom::net;
using namespace std::chrono_literals;

namespace {

// A server that holds every request a moment and echoes its body, counting
// how many requests it holds at once.
struct slow_echo {
    asio::io_context& io;
    int in_flight = 0;
    int most_at_once = 0;

    asio::awaitable<http_response> operator()(http_request req) {
        ++in_flight;
        most_at_once = std::max(most_at_once, in_flight);
        asio::steady_timer hold(io, 40ms);
        co_await hold.async_wait(asio::use_awaitable);
        --in_flight;
        http_response res;
        res.body = "echo:" + req.body;
        co_return res;
    }
};

// The slow echo server on loopback and one client of it, sharing one io_context.
struct echo_rig {
    asio::io_context io;
    slow_echo echo{io};
    http_server server{io, {asio::ip::make_address("127.0.0.1"), 0}, [this](http_request r) { return echo(std::move(r)); }};
    asio::ssl::context tls{asio::ssl::context::tls_client};
    http_client client;

    // The server starts before the client is made: the client needs its port.
    explicit echo_rig(std::string path)
        : client(io.get_executor(), tls,
                 url_parts{false, "127.0.0.1", (server.start(), std::to_string(server.local_endpoint().port())),
                           std::move(path)}) {}
};

}  // namespace

TEST_CASE("overlapping posts on one client each get their own answer, over a bounded number of connections") {
    echo_rig rig("/api/");
    auto& [io, echo, server, tls, client] = rig;

    constexpr int callers = 10;
    std::vector<client_result> results(callers);
    int done = 0;
    for (int i = 0; i < callers; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                std::string body = "call-" + std::to_string(i);
                results[i] = co_await client.post("chat.postMessage", "text/plain", std::move(body), {});
                if (++done == callers) io.stop();  // the server would keep idle keep-alives open
            },
            asio::detached);
    }
    io.run_for(20s);

    REQUIRE(done == callers);
    for (int i = 0; i < callers; ++i) {
        INFO("caller " << i);
        CHECK(results[i].error.empty());
        CHECK(results[i].status == 200);
        CHECK(results[i].body == "echo:call-" + std::to_string(i));
    }
    // Concurrent, so one slow call does not hold up the others; bounded, so a
    // burst does not open a connection per call to Slack.
    CHECK(echo.most_at_once > 1);
    CHECK(echo.most_at_once <= 4);
}

TEST_CASE("a connection is reused after a burst: later calls still succeed one after another") {
    echo_rig rig("/");
    auto& [io, echo, server, tls, client] = rig;

    std::vector<std::string> bodies;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 5; ++i) {
                std::string body = std::to_string(i);
                auto r = co_await client.post("x", "text/plain", std::move(body), {});
                bodies.push_back(r.error.empty() ? r.body : r.error);
            }
            io.stop();
        },
        asio::detached);
    io.run_for(20s);
    CHECK(bodies == std::vector<std::string>{"echo:0", "echo:1", "echo:2", "echo:3", "echo:4"});
    CHECK(echo.most_at_once == 1);
}

// The stream copies a request's buffers into one write, at most 64 KiB at a
// time: a body larger than that still arrives whole, byte for byte.
TEST_CASE("a request of many buffers and more than one write's worth arrives whole") {
    echo_rig rig("/echo");
    std::vector<std::string> sent, got;
    for (std::size_t size : {std::size_t(1), std::size_t(5000), std::size_t(64 * 1024 - 100), std::size_t(300 * 1024)}) {
        std::string body;
        for (std::size_t i = 0; i < size; ++i) body += static_cast<char>('a' + (i * 7 + size) % 26);
        sent.push_back("echo:" + body);
    }
    asio::co_spawn(
        rig.io,
        [&]() -> asio::awaitable<void> {
            for (const auto& expected : sent) {
                std::string body = expected.substr(5);
                auto r = co_await rig.client.post("x", "text/plain", std::move(body), {});
                got.push_back(r.error.empty() ? r.body : r.error);
            }
            rig.io.stop();
        },
        asio::detached);
    rig.io.run_for(20s);
    REQUIRE(got.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        INFO("body " << i << ": " << sent[i].size() - 5 << " bytes");
        CHECK(got[i].size() == sent[i].size());
        CHECK(got[i] == sent[i]);
    }
}

TEST_CASE("a connection to Slack sends each write at once (TCP_NODELAY), not after the peer's delayed ACK") {
    // A request past one write (64 KiB) goes in several; with Nagle on, the
    // second waits ~40 ms for the ACK of the first.
    asio::io_context io;
    asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ssl::context tls{asio::ssl::context::tls_client};
    stream s(io.get_executor());
    std::string error = "not run";
    bool no_delay = false;
    auto port = std::to_string(listener.local_endpoint().port());
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            url_parts where{false, "127.0.0.1", port, "/"};  // named: no temporary inside co_await (GCC 12)
            error = co_await s.connect(tls, where, 5s);
            if (error.empty()) {
                asio::ip::tcp::no_delay opt;
                s.tcp().socket().get_option(opt);
                no_delay = opt.value();
            }
        },
        asio::detached);
    io.run();
    REQUIRE(error.empty());
    CHECK(no_delay);
}

TEST_CASE("a request's headers are found whatever the case of their names") {
    http_request req;
    req.headers.emplace("X-Slack-Request-Timestamp", "1531420618");
    req.headers.emplace("content-type", "application/x-www-form-urlencoded");
    CHECK(req.header("x-slack-request-timestamp") == "1531420618");
    CHECK(req.header("X-SLACK-REQUEST-TIMESTAMP") == "1531420618");
    CHECK(req.header("Content-Type") == "application/x-www-form-urlencoded");
    // Folding is ASCII only and exact otherwise: a near name is not the header.
    CHECK(req.header("X-Slack-Request-Timestam") == "");
    CHECK(req.header("X-Slack-Request-Timestamp ") == "");
    CHECK(req.header("X_Slack-Request-Timestamp") == "");
    // The same name in another case is the same header, not a second one.
    CHECK_FALSE(req.headers.emplace("CONTENT-TYPE", "text/plain").second);
}
