// The database thread: the engine and SQLite live here, so fsyncs never stall
// the network. Commands that arrive together are committed together (group
// commit) and each caller resumes only after its commit.
#pragma once

#include "bot/runtime.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace warroom::bot {

class db_worker {
public:
    explicit db_worker(runtime& rt);
    ~db_worker();
    db_worker(const db_worker&) = delete;
    db_worker& operator=(const db_worker&) = delete;

    // Finishes what is queued, then joins the thread.
    void stop();

    // Runs fn(runtime&) on the database thread; the coroutine resumes on its
    // own executor with the result (or the exception fn threw).
    template <class F>
    auto run(F fn) -> boost::asio::awaitable<std::invoke_result_t<F&, runtime&>>;

    // An /incident command through group commit: what it did and the answer.
    boost::asio::awaitable<commands::outcome> submit(commands::request req);

    std::size_t largest_batch() const { return largest_batch_; }

private:
    using job = std::function<void(runtime&)>;
    struct command {
        commands::request req;
        std::function<void(commands::outcome)> done;
    };
    void enqueue(job j);
    void enqueue(command c);
    void loop();

    runtime& rt_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<job> jobs_;
    std::vector<command> commands_;
    bool stopping_ = false;
    std::size_t largest_batch_ = 0;
    std::thread thread_;
};

template <class F>
auto db_worker::run(F fn) -> boost::asio::awaitable<std::invoke_result_t<F&, runtime&>> {
    namespace asio = boost::asio;
    using R = std::invoke_result_t<F&, runtime&>;
    auto ex = co_await asio::this_coro::executor;
    // Named, not a temporary in the co_await expression (see db_worker::submit).
    auto initiate = [this, ex, fn = std::move(fn)](auto handler) mutable {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        enqueue(job([h, ex, fn = std::move(fn)](runtime& rt) mutable {
            std::exception_ptr error;
            std::optional<R> result;
            try {
                result.emplace(fn(rt));
            } catch (...) {
                error = std::current_exception();
                // A damaged page met by any job (delivery reading the outbox) makes health report it.
                rt.db().note_failure(error);
            }
            asio::post(ex, [h, error, result = std::move(result)]() mutable {
                (*h)(error, result ? std::move(*result) : R{});
            });
        }));
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, R)>(
        std::move(initiate), asio::use_awaitable);
}

}  // namespace warroom::bot
