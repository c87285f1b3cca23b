// The coroutines one owner runs, owned: each is named, each can be cancelled,
// and the owner can wait (without polling) until none is left. Nothing is
// co_spawned `detached`: a task that ends on an exception says so in the log
// once, with its name, and a stop knows what it is waiting for.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

namespace warroom::net {

class task_group {
public:
    explicit task_group(boost::asio::any_io_executor ex);
    // The tasks must be over (wait_empty) before the group dies: their
    // cancellation slots live here.
    ~task_group();
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;

    // Runs `task` on the group's executor. An exception that escapes it is a
    // bug: logged as critical with `name`, then handed to `on_error` (e.g. to
    // mark a loop stopped for /healthz). After cancel() nothing new starts:
    // the task is dropped (logged) unrun.
    void spawn(std::string name, boost::asio::awaitable<void> task,
               std::function<void(std::string_view what)> on_error = {});

    // The same for a coroutine lambda, kept alive (with its captures) until it ends.
    template <class F>
    void spawn_fn(std::string name, F f, std::function<void(std::string_view what)> on_error = {}) {
        spawn(std::move(name), call(std::move(f)), std::move(on_error));
    }

    // Terminal cancellation of every task's current operation; a task that
    // then ends on operation_aborted ended by the stop, not by a bug.
    void cancel();
    bool cancelled() const { return cancelled_; }

    std::size_t size() const { return tasks_.size(); }
    // "outbox delivery, views.open for W1 (2)": what a stop is waiting for.
    std::string names() const;

    // Resumes when the last task has ended (true), or after `limit` (false).
    boost::asio::awaitable<bool> wait_empty(std::chrono::steady_clock::duration limit);

private:
    template <class F>
    static boost::asio::awaitable<void> call(F f) {
        co_await f();
    }

    struct task;
    void ended(std::list<task>::iterator it, std::exception_ptr e);

    boost::asio::any_io_executor ex_;
    std::list<task> tasks_;
    std::list<std::function<void()>> waiters_;  // each wakes one wait_empty
    bool cancelled_ = false;
};

}  // namespace warroom::net
