// The database thread: the engine and SQLite live here, so fsyncs never stall
// the network. Commands that arrive together are committed together (group
// commit) and each caller resumes only after its commit.
#pragma once

#include "bot/runtime.hpp"
#include "bot/store_ops.hpp"

#include "bot/net/async.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>
#include <variant>
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

    // Runs one named operation of store_ops on the database thread, e.g.
    // `co_await db.run(&store_ops::find, n)`; the coroutine resumes on its own
    // executor with the result (or the exception it threw). Nothing else runs
    // there: no arbitrary code over the runtime.
    template <class R, class... P>
    net::task<R> run(R (store_ops::*op)(P...), std::decay_t<P>... args) {
        return run_in(lane::after_commands, op, std::move(args)...);
    }

    // The same, ahead of the commands waiting: for work whose lateness users
    // see (a due escalation), which would otherwise wait for the batch in
    // progress and then the whole next one (#16: timers under a declare load).
    template <class R, class... P>
    net::task<R> run_first(R (store_ops::*op)(P...), std::decay_t<P>... args) {
        return run_in(lane::before_commands, op, std::move(args)...);
    }

    // An /incident command through group commit: what it did and the answer.
    net::task<commands::outcome> submit(commands::request req);

    std::size_t largest_batch() const { return largest_batch_; }

private:
    using job = std::function<void(store_ops&)>;
    enum class lane { before_commands, after_commands };
    template <class R, class... P>
    net::task<R> run_in(lane where, R (store_ops::*op)(P...), std::decay_t<P>... args);
    struct command {
        commands::request req;
        std::function<void(commands::outcome)> done;
    };
    void enqueue(lane where, job j);
    void enqueue(command c);
    void loop();

    store_ops ops_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<job> first_;
    std::deque<job> jobs_;
    std::vector<command> commands_;
    bool stopping_ = false;
    std::size_t largest_batch_ = 0;
    std::thread thread_;
};

template <class R, class... P>
net::task<R> db_worker::run_in(lane where, R (store_ops::*op)(P...), std::decay_t<P>... args) {
    // A void operation answers with an empty value.
    using V = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
    // Named, not a temporary in the co_await expression (see db_worker::submit).
    auto start = [this, where, op, args = std::make_tuple(std::move(args)...)](net::resume_with<V> resume) mutable {
        enqueue(where, job([resume = std::move(resume), op, args = std::move(args)](store_ops& ops) mutable {
            std::exception_ptr error;
            std::optional<V> result;
            try {
                auto call = [&](auto&... a) -> decltype(auto) { return (ops.*op)(std::move(a)...); };
                if constexpr (std::is_void_v<R>) {
                    std::apply(call, args);
                    result.emplace();
                } else {
                    result.emplace(std::apply(call, args));
                }
            } catch (...) {
                error = std::current_exception();
                // A damaged page met by any job (delivery reading the outbox) makes health report it.
                ops.note_failure(error);
            }
            // What the operation committed is visible to reads before its caller resumes.
            ops.publish_view();
            resume(error, result ? std::move(*result) : V{});
        }));
    };
    if constexpr (std::is_void_v<R>)
        co_await net::from_elsewhere<V>(std::move(start));
    else
        co_return co_await net::from_elsewhere<V>(std::move(start));
}

}  // namespace warroom::bot
