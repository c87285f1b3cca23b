// The driver's task group: a task that throws is reported with its name, a
// cancelled one ends at once, and the owner's wait wakes when the last ends.
// Also the Slack client's cancel(): a call to a server that never answers ends.
#include "bot/net/http_client.hpp"
#include "bot/net/http_server.hpp"
#include "bot/net/task_group.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using namespace warroom::net;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> sleep(std::chrono::steady_clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<void> fail_soon() {
    co_await sleep(1ms);
    throw std::runtime_error("broken invariant");
}

}  // namespace

TEST_CASE("a task that throws is reported once, with its name, and leaves the group") {
    asio::io_context io;
    task_group tasks(io.get_executor());
    std::string reported;
    int reports = 0;
    tasks.spawn("the failing loop", fail_soon(), [&](std::string_view what) {
        reported = what;
        ++reports;
    });
    tasks.spawn("a quick task", sleep(2ms));
    CHECK(tasks.size() == 2);
    io.run();
    CHECK(reports == 1);
    CHECK(reported == "broken invariant");
    CHECK(tasks.size() == 0);
}

TEST_CASE("cancel ends a task waiting an hour, and the owner's wait wakes when the group is empty") {
    asio::io_context io;
    task_group tasks(io.get_executor());
    int errors = 0;
    tasks.spawn("an hour's sleep", sleep(1h), [&](std::string_view) { ++errors; });
    bool first_wait = true, second_wait = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        first_wait = co_await tasks.wait_empty(20ms);  // times out: the task sleeps on
        tasks.cancel();
        second_wait = co_await tasks.wait_empty(1h);
    }, [](std::exception_ptr e) { REQUIRE(!e); });
    auto started = std::chrono::steady_clock::now();
    io.run();
    CHECK_FALSE(first_wait);
    CHECK(second_wait);
    CHECK(errors == 0);  // ended by the stop, not by a bug
    CHECK(std::chrono::steady_clock::now() - started < 10min);
    tasks.spawn("after the stop", sleep(1ms));  // not started
    CHECK(tasks.size() == 0);
}

TEST_CASE("the client's cancel ends a call the server never answers") {
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    auto never = [&](http_request) -> asio::awaitable<http_response> {
        asio::steady_timer t(io, 1h);
        co_await t.async_wait(asio::use_awaitable);
        co_return http_response{};
    };
    task_group server_tasks(io.get_executor());
    http_server server{io, {asio::ip::make_address("127.0.0.1"), 0}, never, {}, &server_tasks};
    server.start();
    url_parts origin{false, "127.0.0.1", std::to_string(server.local_endpoint().port()), "/"};
    http_client client(io.get_executor(), tls, origin);  // its own timeout: 15 s
    task_group calls(io.get_executor());
    client_result got;
    calls.spawn_fn("a call", [&]() -> asio::awaitable<void> {
        std::string path = "x", type = "text/plain", body = "hi";
        std::vector<std::pair<std::string, std::string>> headers;
        got = co_await client.post(std::move(path), std::move(type), std::move(body), std::move(headers));
    });
    bool ended = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        co_await sleep(100ms);
        client.cancel();  // the server still holds the request
        ended = co_await calls.wait_empty(5s);
        server.abort();
        server_tasks.cancel();
        co_await server_tasks.wait_empty(5s);
    }, [](std::exception_ptr e) { REQUIRE(!e); });
    io.run();
    CHECK(ended);
    CHECK_FALSE(got.error.empty());
    CHECK(got.maybe_delivered);  // sent, never answered: a retry may duplicate it
    CHECK(server_tasks.size() == 0);
}
