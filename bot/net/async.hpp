// What code outside bot/net needs of Asio to write coroutines: the coroutine
// type, the executor they run on, and a way to wait for work another thread
// finishes. Asio's own headers stay in bot/net (issue #11).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace warroom::net {

template <class T = void>
using task = boost::asio::awaitable<T>;
using executor = boost::asio::any_io_executor;

// The executor the calling coroutine runs on.
inline task<executor> own_executor() { co_return co_await boost::asio::this_coro::executor; }

// How another thread hands a coroutine suspended in from_elsewhere its result:
// an exception to rethrow (or none) and the value. Copyable, callable once.
template <class T>
using resume_with = std::function<void(std::exception_ptr, T)>;

// Suspends the calling coroutine and calls `start(resume)`; whoever calls
// `resume` (any thread) wakes it, and it continues on its own executor, never
// on the caller's thread, with the value or the exception rethrown.
template <class T, class Start>
task<T> from_elsewhere(Start start) {
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    // Named, not a temporary in the co_await expression (GCC 12, see DEVELOPERS.md).
    auto initiate = [ex, start = std::move(start)](auto handler) mutable {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        start(resume_with<T>([h, ex](std::exception_ptr error, T value) {
            asio::post(ex, [h, error, value = std::move(value)]() mutable { (*h)(error, std::move(value)); });
        }));
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
        std::move(initiate), asio::use_awaitable);
}

// Runs `f`'s coroutine on `ex` outside any task_group and calls `done` with
// what escaped it (null when nothing did). Only for the one coroutine that
// waits for a task_group itself: serve's stop.
void spawn_unowned(const executor& ex, std::function<task<void>()> f, std::function<void(std::exception_ptr)> done);

}  // namespace warroom::net
