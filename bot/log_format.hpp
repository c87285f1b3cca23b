// Logging: spdlog to stderr as text (for people) or one JSON object a line
// (for log shippers), with the process's secrets redacted from every line.
#pragma once

#include <spdlog/common.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::bot {

enum class log_format { text, json };

// "text" or "json"; nullopt otherwise.
std::optional<log_format> parse_log_format(std::string_view name);

// What the current thread is working on, added to JSON lines as
// `incident` and `request_id` while a log_scope is alive. Only for
// synchronous code (a coroutine may resume on another task's turn).
struct log_context {
    std::optional<std::int64_t> incident;
    std::string request_id;
};

class log_scope {
public:
    explicit log_scope(log_context ctx);
    ~log_scope();
    log_scope(const log_scope&) = delete;
    log_scope& operator=(const log_scope&) = delete;

private:
    log_context saved_;
};

// One record as a JSON line (without the newline): time (ISO 8601 UTC, ms),
// level, message, and incident / request_id when known (from the thread's
// log_scope, else an "INC-n" the message names). Invalid UTF-8 is replaced,
// never an exception.
std::string json_log_line(const spdlog::details::log_msg& msg, const log_context& ctx);

// Replaces every occurrence of each secret in `text` by "[redacted]".
std::string redact(std::string text, const std::vector<std::string>& secrets);

// Makes the default logger write to stderr in `format` at `level`.
void setup_logging(log_format format, spdlog::level::level_enum level = spdlog::level::info);

// Secrets (bot token, signing secret, app token) that must never reach a log
// line: any occurrence is redacted before a line is written. Empty strings
// are ignored.
void add_log_secrets(const std::vector<std::string>& secrets);

// Warnings that outside traffic can trigger at will (forged or malformed
// requests) are throttled per kind, so a flood cannot fill the disk: the
// first `log_burst` lines of a kind per `log_interval` are written, the rest
// only counted, and the next line written says how many were left out.
inline constexpr std::size_t log_burst = 5;
inline constexpr std::chrono::seconds log_interval{10};

// Whether a line of kind `key` may be written now; `left_out` gets how many
// of that kind were dropped since the last one written. Thread-safe.
bool log_line_allowed(std::string_view key, std::uint64_t& left_out,
                      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
// Lines dropped by the throttle since start, for /metrics.
std::uint64_t log_lines_suppressed();

template <typename... Args>
void warn_throttled(std::string_view key, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    std::uint64_t left_out = 0;
    if (!log_line_allowed(key, left_out)) return;
    if (left_out)
        spdlog::warn("({} more warnings like the next one were not logged; see warroom_log_lines_suppressed_total)",
                     left_out);
    spdlog::warn(fmt, std::forward<Args>(args)...);
}

}  // namespace warroom::bot
